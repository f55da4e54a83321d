// Evaluation during training: accuracy and macro-F1 on the eval split (the student in TensorFlow.js, the teacher
// through its runner), masked-token agreement in pretrain-distill stages, and attention snapshots for the
// dashboard's attention diff viewer.
import * as tf from '@tensorflow/tfjs';
import type { AttentionMapRecord, EvalMetrics, MaskedLmMetrics } from '../../protocol/events';
import { mapHeads } from '../distill/losses';
import {
  flatPositions,
  gatherPositions,
  maskedLmCounts,
  maskTokens,
  type MaskingOptions,
} from '../distill/maskedLm';
import type { TeacherRunner } from '../distill/teacherRunner';
import { argmax, classificationMetrics } from '../eval/metrics';
import type { TransformerModel } from '../models/createModel';
import { SeedStream, scoped } from '../models/nn';
import type { BertTokenizer } from '../tokenizer/bertTokenizer';
import { disposeBatch, makeBatch, type Batch, type EncodedExample } from './dataset';
import type { TeacherNeeds } from './distillStep';
import type { PlannedStage } from './plan';

function metricsOf(
  examples: readonly EncodedExample[],
  predicted: number[],
  labels: readonly string[],
): EvalMetrics {
  const m = classificationMetrics(
    examples.map((e) => e.label),
    predicted,
    labels,
  );
  return { accuracy: m.accuracy, macroF1: m.macroF1, n: m.n };
}

export function evaluate(
  model: TransformerModel,
  examples: readonly EncodedExample[],
  labels: readonly string[],
  batchSize: number,
): EvalMetrics {
  const predicted: number[] = [];
  for (let i = 0; i < examples.length; i += batchSize) {
    const batch = makeBatch(examples.slice(i, i + batchSize));
    const rows = tf.tidy(() => {
      const out = model.forward({
        inputIds: batch.inputIds,
        attentionMask: batch.attentionMask,
        tokenTypeIds: batch.tokenTypeIds,
      });
      return out.logits as tf.Tensor2D;
    });
    for (const row of rows.arraySync()) predicted.push(argmax(row));
    rows.dispose();
    disposeBatch(batch);
  }
  return metricsOf(examples, predicted, labels);
}

const LOGITS_ONLY: TeacherNeeds = {
  logits: true,
  maskedLm: false,
  hiddenLayers: [],
  attentionLayers: [],
  attentionKind: 'probs',
};

/** The teacher's accuracy through its runner (TensorFlow.js or onnxruntime), for the guard before distilling. */
export async function evaluateTeacher(
  runner: TeacherRunner,
  examples: readonly EncodedExample[],
  labels: readonly string[],
  batchSize: number,
): Promise<EvalMetrics> {
  const predicted: number[] = [];
  for (let i = 0; i < examples.length; i += batchSize) {
    const batch = makeBatch(examples.slice(i, i + batchSize));
    const out = await runner.run(batch, LOGITS_ONLY);
    for (const row of (out.logits?.arraySync() ?? []) as number[][]) predicted.push(argmax(row));
    out.logits?.dispose();
    disposeBatch(batch);
  }
  return metricsOf(examples, predicted, labels);
}

/** A batch with masked inputs, the selected positions [N] and their original tokens [N]. */
export interface MaskedInputs {
  batch: Batch & { positions: tf.Tensor1D; targets: tf.Tensor1D };
  count: number;
}

/** Masks `examples` with `rng` and builds the batch tensors (the caller disposes them with disposeMasked). */
export function maskedBatch(
  examples: readonly EncodedExample[],
  rng: SeedStream,
  options: MaskingOptions,
): MaskedInputs {
  const masked = maskTokens(
    examples.map((e) => e.inputIds),
    rng,
    options,
  );
  const batch = makeBatch(examples.map((e, i) => ({ ...e, inputIds: masked.inputIds[i] ?? e.inputIds })));
  const length = batch.inputIds.shape[1];
  return {
    batch: {
      ...batch,
      positions: tf.tensor1d(flatPositions(masked.selected, length), 'int32'),
      targets: tf.tensor1d(masked.targets, 'int32'),
    },
    count: masked.targets.length,
  };
}

export function disposeMasked(inputs: MaskedInputs): void {
  disposeBatch(inputs.batch);
  inputs.batch.positions.dispose();
  inputs.batch.targets.dispose();
}

/**
 * Masked-LM evaluation of a pretrain-distill stage on `examples`, masked with a generator seeded by `seed` alone
 * (the same positions every time, so values are comparable through the stage): top-1 agreement of student and
 * teacher and each one's accuracy against the original tokens.
 */
export async function evaluateMaskedLm(
  student: TransformerModel,
  teacher: TeacherRunner,
  examples: readonly EncodedExample[],
  options: MaskingOptions,
  seed: number,
  batchSize: number,
): Promise<MaskedLmMetrics> {
  const rng = new SeedStream(seed);
  const needs: TeacherNeeds = { ...LOGITS_ONLY, logits: false, maskedLm: true };
  let agree = 0;
  let studentCorrect = 0;
  let teacherCorrect = 0;
  let n = 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const inputs = maskedBatch(examples.slice(i, i + batchSize), rng, options);
    if (inputs.count > 0) {
      const { batch } = inputs;
      const teacherOut = await teacher.run(batch, needs, batch.positions);
      const counts = scoped(() => {
        const out = student.forward(
          { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
          { outputLogits: false },
        );
        const studentLogits = student.maskedLmLogits(gatherPositions(out.lastHiddenState, batch.positions));
        return maskedLmCounts(studentLogits, teacherOut.maskedLmLogits as tf.Tensor2D, batch.targets);
      });
      teacherOut.maskedLmLogits?.dispose();
      agree += counts.agree;
      studentCorrect += counts.studentCorrect;
      teacherCorrect += counts.teacherCorrect;
      n += counts.n;
    }
    disposeMasked(inputs);
  }
  const share = (k: number): number => (n === 0 ? 0 : k / n);
  return {
    agreement: share(agree),
    studentAccuracy: share(studentCorrect),
    teacherAccuracy: share(teacherCorrect),
    n,
  };
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * Teacher and student attention for each probe at up to `maxPairs` mapped layer pairs, brought to a common head
 * count with the stage's head mapping and cut to `maxTokens` tokens.
 */
export async function attentionSnapshot(
  teacher: TeacherRunner,
  student: TransformerModel,
  tokenizer: BertTokenizer,
  probes: readonly string[],
  stage: PlannedStage,
  maxTokens: number,
  maxPairs = 4,
): Promise<AttentionMapRecord[]> {
  const pairs = stage.matches.filter((m) => m.teacherLayer > 0 && m.studentLayer > 0).slice(-maxPairs);
  const needs: TeacherNeeds = {
    ...LOGITS_ONLY,
    logits: false,
    attentionLayers: [...new Set(pairs.map((m) => m.teacherLayer))],
  };
  const records: AttentionMapRecord[] = [];
  for (const [p, probe] of probes.entries()) {
    const [encoding] = tokenizer.encodeBatch([probe], undefined, {
      maxLength: maxTokens,
      truncation: 'longest_first',
    });
    if (encoding === undefined) continue;
    const batch = makeBatch([
      { inputIds: encoding.inputIds, tokenTypeIds: encoding.tokenTypeIds, label: -1 },
    ]);
    const teacherOut = await teacher.run(batch, needs);
    const maps = scoped(() => {
      const s =
        student.forward(
          { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
          { outputAttentions: true, outputLogits: false },
        ).attentions ?? [];
      return pairs.map((m) => {
        const mode = stage.losses.attention.headMapping;
        const sa = s[m.studentLayer - 1];
        const ta = teacherOut.attention.get(m.teacherLayer);
        if (sa === undefined || ta === undefined) return undefined;
        const heads: 'none' | 'mean' | 'group' =
          sa.shape[1] === ta.shape[1] ? 'none' : mode === 'none' ? 'mean' : mode;
        const [sm, tm] = mapHeads(sa, ta, heads);
        return {
          pair: m,
          heads,
          teacher: (tm.arraySync()[0] ?? []) as number[][][],
          student: (sm.arraySync()[0] ?? []) as number[][][],
        };
      });
    });
    for (const t of teacherOut.attention.values()) t.dispose();
    disposeBatch(batch);
    for (const map of maps) {
      if (map === undefined) continue;
      records.push({
        probe: p,
        teacherLayer: map.pair.teacherLayer,
        studentLayer: map.pair.studentLayer,
        tokens: encoding.tokens,
        teacher: map.teacher.map((h) => h.map((r) => r.map(round))),
        student: map.student.map((h) => h.map((r) => r.map(round))),
        headMapping: map.heads,
      });
    }
  }
  return records;
}
