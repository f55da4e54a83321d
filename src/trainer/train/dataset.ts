// Training data: labelled rows read with file:line provenance, labels kept as names end to end, unlabelled text,
// tokenised once, and a seeded batch order whose position can be saved and restored for exact resumes.
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import type { DataSpec } from '../../protocol/config';
import { defaultLabelOrder } from '../../config/dataCheck';
import { resolveFrom } from '../../config/paths';
import { decodeUtf8Lines, detectFormat, labelOf, readTable } from '../../data/tableReader';
import { UserError } from '../cliErrors';
import { SeedStream } from '../models/nn';
import type { BertTokenizer } from '../tokenizer/bertTokenizer';

/** One usable row. `label` is the label's index, or -1 for unlabelled text. */
export interface Example {
  file: string;
  line: number;
  text: string;
  pair?: string;
  label: number;
}

export interface EncodedExample {
  inputIds: number[];
  tokenTypeIds: number[];
  label: number;
}

export interface LabelledData {
  examples: Example[];
  skipped: { file: string; line: number; reason: string }[];
}

/** Reads a labelled split; bad rows abort (with file:line) or are skipped and counted, per `data.badRows`. */
export async function loadLabelled(
  file: string,
  spec: DataSpec,
  labels: readonly string[] | undefined,
  split: string,
): Promise<LabelledData & { labelNames: string[] }> {
  const format = detectFormat(file, spec.format ?? 'auto');
  if (format === undefined) throw new UserError(`Cannot tell the format of ${file}; set "data.format".`);
  const table = await readTable(file, format);
  const textColumn = spec.textColumn ?? 'text';
  const labelColumn = spec.labelColumn ?? 'label';
  const skipped: LabelledData['skipped'] = table.problems.map((p) => ({
    file,
    line: p.line,
    reason: `row ${p.message}`,
  }));
  const raw: { line: number; text: string; pair?: string; label: string }[] = [];
  for (const row of table.rows) {
    const text = row.values[textColumn];
    const pair = spec.textPairColumn !== undefined ? row.values[spec.textPairColumn] : undefined;
    const label = labelOf(row.values[labelColumn]);
    if (typeof text !== 'string' || text.trim() === '')
      skipped.push({ file, line: row.line, reason: `empty or missing "${textColumn}"` });
    else if (spec.textPairColumn !== undefined && (typeof pair !== 'string' || pair.trim() === ''))
      skipped.push({ file, line: row.line, reason: `empty or missing "${spec.textPairColumn}"` });
    else if (label === undefined)
      skipped.push({ file, line: row.line, reason: `missing label in "${labelColumn}"` });
    else raw.push({ line: row.line, text, label, ...(typeof pair === 'string' ? { pair } : {}) });
  }
  const labelNames = labels !== undefined ? [...labels] : defaultLabelOrder(new Set(raw.map((r) => r.label)));
  const index = new Map(labelNames.map((l, i) => [l, i]));
  const examples: Example[] = [];
  for (const r of raw) {
    const id = index.get(r.label);
    if (id === undefined)
      skipped.push({
        file,
        line: r.line,
        reason: `${split} label "${r.label}" is not one of ${labelNames.join(', ')}`,
      });
    else
      examples.push({
        file,
        line: r.line,
        text: r.text,
        label: id,
        ...(r.pair !== undefined ? { pair: r.pair } : {}),
      });
  }
  skipped.sort((a, b) => a.line - b.line);
  if (skipped.length > 0 && (spec.badRows ?? 'abort') === 'abort') {
    const first = skipped
      .slice(0, 10)
      .map((s) => `${s.file}:${s.line}: ${s.reason}`)
      .join('\n');
    throw new UserError(
      `${skipped.length} unusable row(s) in the ${split} data (set "data.badRows": "skip" to skip them with a count):\n${first}`,
    );
  }
  return { examples, skipped, labelNames };
}

/** Unlabelled text files: one example per non-empty line; undecodable lines are reported like bad rows. */
export async function loadUnlabelled(
  files: readonly string[],
  baseDir: string,
  policy: 'abort' | 'skip',
): Promise<LabelledData> {
  const examples: Example[] = [];
  const skipped: LabelledData['skipped'] = [];
  for (const given of files) {
    const file = resolveFrom(baseDir, given);
    const { text, badLines } = decodeUtf8Lines(await readFile(file));
    const bad = new Set(badLines);
    text.split(/\r?\n|\r/).forEach((line, i) => {
      if (bad.has(i + 1)) skipped.push({ file, line: i + 1, reason: 'bytes that are not valid UTF-8' });
      else if (line.trim() !== '') examples.push({ file, line: i + 1, text: line.trim(), label: -1 });
    });
  }
  if (skipped.length > 0 && policy === 'abort') {
    throw new UserError(
      `Unusable unlabelled lines:\n${skipped
        .slice(0, 10)
        .map((s) => `${s.file}:${s.line}: ${s.reason}`)
        .join('\n')}`,
    );
  }
  return { examples, skipped };
}

/** Tokenises every example once (truncated to maxLength, unpadded). */
export function encodeExamples(
  tokenizer: BertTokenizer,
  examples: readonly Example[],
  maxLength: number,
): EncodedExample[] {
  const out: EncodedExample[] = [];
  const chunk = 512;
  for (let i = 0; i < examples.length; i += chunk) {
    const part = examples.slice(i, i + chunk);
    const hasPairs = part.some((e) => e.pair !== undefined);
    const encodings = tokenizer.encodeBatch(
      part.map((e) => e.text),
      hasPairs ? part.map((e) => e.pair ?? '') : undefined,
      { maxLength, truncation: 'longest_first', padding: 'none' },
    );
    encodings.forEach((e, j) =>
      out.push({ inputIds: e.inputIds, tokenTypeIds: e.tokenTypeIds, label: part[j]?.label ?? -1 }),
    );
  }
  return out;
}

export interface Batch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  tokenTypeIds: tf.Tensor2D;
  /** Label ids [B] (0 where unlabelled). */
  labels: tf.Tensor1D;
  /** 1 for labelled rows, 0 for unlabelled [B]. */
  labelWeights: tf.Tensor1D;
  size: number;
  /** How many rows carry a gold label; 0 for an unlabelled batch, which gets no hard-label term. */
  labelled: number;
}

/** Pads a list of examples to their longest member and makes int32 tensors. */
export function makeBatch(examples: readonly EncodedExample[]): Batch {
  const length = Math.max(...examples.map((e) => e.inputIds.length));
  const pad = (row: number[]): number[] => [...row, ...new Array<number>(length - row.length).fill(0)];
  return {
    inputIds: tf.tensor2d(
      examples.map((e) => pad(e.inputIds)),
      undefined,
      'int32',
    ),
    attentionMask: tf.tensor2d(
      examples.map((e) => pad(e.inputIds.map(() => 1))),
      undefined,
      'int32',
    ),
    tokenTypeIds: tf.tensor2d(
      examples.map((e) => pad(e.tokenTypeIds)),
      undefined,
      'int32',
    ),
    labels: tf.tensor1d(
      examples.map((e) => Math.max(0, e.label)),
      'int32',
    ),
    labelWeights: tf.tensor1d(
      examples.map((e) => (e.label >= 0 ? 1 : 0)),
      'float32',
    ),
    size: examples.length,
    labelled: examples.filter((e) => e.label >= 0).length,
  };
}

export function disposeBatch(batch: Batch): void {
  for (const t of [batch.inputIds, batch.attentionMask, batch.tokenTypeIds, batch.labels, batch.labelWeights])
    t.dispose();
}

/** A permutation of 0..n-1 for one epoch, from the run seed and the epoch number (so a resume recomputes it). */
export function epochOrder(n: number, seed: number, epoch: number): number[] {
  const random = new SeedStream((seed * 1000003 + epoch * 7919) | 0);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.nextUnit() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}
