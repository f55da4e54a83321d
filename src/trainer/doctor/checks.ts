// The usual culprits behind an accuracy drop between stages, each probed on the stages' own models and data:
// tokenizer mismatch, an ignored attention mask, swapped inputs, truncation and label order. Each finding says
// how to fix it. Tolerances are loose on purpose: a finding should mean a real fault, not float noise.
import type { EncodedBatch, InferenceModel } from '../inference/inferenceModel';
import { encodeTexts } from '../inference/textInputs';
import { agreement, type DoctorData, type Stage } from './stages';

export type Severity = 'error' | 'warning';

export interface Finding {
  code:
    | 'TOKENIZER_MISMATCH'
    | 'ATTENTION_MASK_IGNORED'
    | 'INPUTS_SWAPPED'
    | 'TRUNCATION'
    | 'LABEL_ORDER'
    | 'METADATA_MISMATCH';
  severity: Severity;
  /** Stage the finding is about. */
  stage: string;
  /** What is wrong, with the numbers, and how to fix it. */
  message: string;
}

/** Rows used by the logit probes; more adds time, not evidence. */
const PROBE_ROWS = 16;
const EXTRA_PADDING = 4;

const tolerance = (stage: Stage): number => (stage.name === 'int8' ? 0.05 : 1e-3);

function maxAbsDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) =>
    row.forEach((v, j) => {
      const d = Math.abs(v - (b[i]?.[j] ?? NaN));
      worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
    }),
  );
  return worst;
}

async function logitsOf(model: InferenceModel, batch: EncodedBatch): Promise<number[][]> {
  return (await model.run(batch, { hidden: false })).logits ?? [];
}

/**
 * The probe batch, with EXTRA_PADDING pad columns after the longest row so every row carries padding; rows are
 * truncated so that the padded length stays within `limit` tokens (the models' position embeddings).
 */
function probeBatch(stage: Stage, data: DoctorData, limit = stage.maxLength): EncodedBatch {
  const { batch } = encodeTexts(
    stage.tokenizer.tokenizer,
    data.texts.slice(0, PROBE_ROWS),
    data.pairs?.slice(0, PROBE_ROWS),
    Math.max(2, limit - EXTRA_PADDING),
  );
  const pad = (rows: number[][]): number[][] =>
    rows.map((r) => [...r, ...new Array<number>(EXTRA_PADDING).fill(0)]);
  return {
    inputIds: pad(batch.inputIds),
    attentionMask: pad(batch.attentionMask),
    tokenTypeIds: pad(batch.tokenTypeIds),
  };
}

export function checkTokenizers(stages: readonly Stage[], data: DoctorData): Finding[] {
  const [reference, ...rest] = stages;
  if (reference === undefined) return [];
  const ref = reference.tokenizer.tokenizer;
  const findings: Finding[] = [];
  for (const stage of rest) {
    const tok = stage.tokenizer.tokenizer;
    const differences: string[] = [];
    if (tok.options.lowercase !== ref.options.lowercase)
      differences.push(
        `do_lower_case ${String(tok.options.lowercase)} where the ${reference.name} has ${String(ref.options.lowercase)}`,
      );
    if (tok.vocabSize !== ref.vocabSize)
      differences.push(
        `vocabulary of ${tok.vocabSize} tokens where the ${reference.name} has ${ref.vocabSize}`,
      );
    else if (tok.vocab.some((t, i) => t !== ref.vocab[i])) differences.push('a different vocabulary order');
    for (const [role, token] of Object.entries(tok.options.specialTokens)) {
      const theirs = ref.options.specialTokens[role as keyof typeof ref.options.specialTokens];
      if (token !== theirs)
        differences.push(`${role} token ${token} where the ${reference.name} has ${theirs}`);
    }
    if (differences.length === 0) continue;
    const changed = data.texts.filter((text, i) => {
      const a = ref.encode(text, data.pairs?.[i]).inputIds;
      const b = tok.encode(text, data.pairs?.[i]).inputIds;
      return a.length !== b.length || a.some((id, i) => id !== b[i]);
    }).length;
    findings.push({
      code: 'TOKENIZER_MISMATCH',
      severity: changed > 0 ? 'error' : 'warning',
      stage: stage.name,
      message: `The ${stage.name} tokenizer (${stage.tokenizer.dir}) differs from the ${reference.name}'s: ${differences.join('; ')}. ${changed} of ${data.n} examples get different token ids. Fix: copy tokenizer_config.json, vocab.txt and tokenizer.json from ${reference.tokenizer.dir} into ${stage.tokenizer.dir}.`,
    });
  }
  return findings;
}

/** Runs the padded probe batch and each row alone, unpadded: a model that honours its mask gives the same logits. */
export async function checkMask(stage: Stage, data: DoctorData): Promise<Finding[]> {
  const padded = probeBatch(stage, data);
  const paddedLogits = await logitsOf(stage.model, padded);
  const alone: number[][] = [];
  for (let r = 0; r < padded.inputIds.length; r++) {
    const length = (padded.attentionMask[r] ?? []).reduce((a, b) => a + b, 0);
    const cut = (rows: number[][]): number[][] => [(rows[r] ?? []).slice(0, length)];
    const logits = await logitsOf(stage.model, {
      inputIds: cut(padded.inputIds),
      attentionMask: cut(padded.attentionMask),
      tokenTypeIds: cut(padded.tokenTypeIds),
    });
    alone.push(logits[0] ?? []);
  }
  const diff = maxAbsDiff(paddedLogits, alone);
  if (diff <= tolerance(stage)) return [];
  const flipped = paddedLogits.filter((row, i) => argmaxOf(row) !== argmaxOf(alone[i] ?? [])).length;
  return [
    {
      code: 'ATTENTION_MASK_IGNORED',
      severity: 'error',
      stage: stage.name,
      message: `${stage.path} ignores the attention mask: adding padding changes its logits by up to ${diff.toPrecision(3)} (${flipped} of ${alone.length} predictions flip). Fix: export it again with the attention_mask input wired into the attention (distill-studio export), or feed unpadded batches of one.`,
    },
  ];
}

function argmaxOf(row: readonly number[]): number {
  return row.indexOf(Math.max(...row));
}

/** Compares a stage with the stage before it on the same ids, as fed and with attention_mask/token_type_ids swapped. */
export async function checkSwappedInputs(
  stage: Stage,
  reference: Stage,
  data: DoctorData,
): Promise<Finding[]> {
  const batch = probeBatch(stage, data, Math.min(stage.maxLength, reference.maxLength));
  const expected = await logitsOf(reference.model, batch);
  const asFed = maxAbsDiff(expected, await logitsOf(stage.model, batch));
  const swapped = maxAbsDiff(
    expected,
    await logitsOf(stage.model, {
      ...batch,
      attentionMask: batch.tokenTypeIds,
      tokenTypeIds: batch.attentionMask,
    }),
  );
  if (asFed <= tolerance(stage) || swapped >= asFed / 10) return [];
  return [
    {
      code: 'INPUTS_SWAPPED',
      severity: 'error',
      stage: stage.name,
      message: `${stage.path} reads attention_mask and token_type_ids the other way round: against the ${reference.name} its logits differ by ${asFed.toPrecision(3)} as fed, but by ${swapped.toPrecision(3)} with the two inputs swapped. Fix: rename the graph inputs (or re-export with distill-studio export) so that attention_mask feeds the attention and token_type_ids the segment embeddings.`,
    },
  ];
}

export function checkTruncation(stages: readonly Stage[], data: DoctorData): Finding[] {
  const findings: Finding[] = [];
  const limits = new Set(stages.map((s) => s.maxLength));
  for (const stage of stages) {
    const lengths = data.texts.map(
      (t, i) => stage.tokenizer.tokenizer.encode(t, data.pairs?.[i]).inputIds.length,
    );
    const over = lengths.filter((l) => l > stage.maxLength).length;
    if (over === 0) continue;
    findings.push({
      code: 'TRUNCATION',
      severity: limits.size > 1 ? 'error' : 'warning',
      stage: stage.name,
      message: `${over} of ${data.n} examples are longer than the ${stage.name}'s ${stage.maxLength} tokens (longest ${Math.max(...lengths)}) and are truncated${limits.size > 1 ? `; the stages use different limits (${[...limits].join(', ')}), so they see different text` : ''}. Fix: use the same max length everywhere (export --max-length, max_position_embeddings) and train and evaluate with it, or shorten the inputs.`,
    });
  }
  return findings;
}

/** All orderings of `items` (labels are few: at most 7! = 5040). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Low agreement between consecutive stages that a relabelling would restore means id2label is out of order. */
export function checkLabelOrder(before: Stage, after: Stage): Finding[] {
  const labels = after.labels;
  if (labels.length < 2 || labels.length > 7) return [];
  const plain = agreement(before.predicted, after.predicted);
  let best = { rate: plain, mapping: labels };
  for (const mapping of permutations(labels)) {
    const rename = new Map(labels.map((l, i) => [l, mapping[i] ?? l]));
    const rate = agreement(
      before.predicted,
      after.predicted.map((p) => rename.get(p) ?? p),
    );
    if (rate > best.rate) best = { rate, mapping };
  }
  if (best.rate < 0.9 || best.rate - plain < 0.2) return [];
  const pairs = labels
    .map((l, i) => [l, best.mapping[i] ?? l] as const)
    .filter(([a, b]) => a !== b)
    .map(([a, b]) => `${a} -> ${b}`);
  const order = (s: Stage): string => s.labels.map((l, i) => `${i}:${l}`).join(' ');
  return [
    {
      code: 'LABEL_ORDER',
      severity: 'error',
      stage: after.name,
      message: `The ${after.name} agrees with the ${before.name} on ${pct(plain)} of predictions, but on ${pct(best.rate)} after renaming its labels ${pairs.join(', ')}: its id2label is out of order (${after.name} ${order(after)}; ${before.name} ${order(before)}). Fix: correct id2label and label2id in ${after.path}'s config.json to the order the classifier was trained with.`,
    },
  ];
}

export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
