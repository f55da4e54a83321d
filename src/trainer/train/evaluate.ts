// Evaluation during training (accuracy and macro-F1 on the eval split) and attention snapshots for the
// dashboard's attention diff viewer.
import * as tf from '@tensorflow/tfjs';
import type { AttentionMapRecord, EvalMetrics } from '../../protocol/events';
import { mapHeads } from '../distill/losses';
import { argmax, classificationMetrics } from '../eval/metrics';
import type { TransformerModel } from '../models/createModel';
import { scoped } from '../models/nn';
import type { BertTokenizer } from '../tokenizer/bertTokenizer';
import { disposeBatch, makeBatch, type EncodedExample } from './dataset';
import type { PlannedStage } from './plan';

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
  const m = classificationMetrics(
    examples.map((e) => e.label),
    predicted,
    labels,
  );
  return { accuracy: m.accuracy, macroF1: m.macroF1, n: m.n };
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * Teacher and student attention for each probe at up to `maxPairs` mapped layer pairs, brought to a common head
 * count with the stage's head mapping and cut to `maxTokens` tokens.
 */
export function attentionSnapshot(
  teacher: TransformerModel,
  student: TransformerModel,
  tokenizer: BertTokenizer,
  probes: readonly string[],
  stage: PlannedStage,
  maxTokens: number,
  maxPairs = 4,
): AttentionMapRecord[] {
  const pairs = stage.matches.filter((m) => m.teacherLayer > 0 && m.studentLayer > 0).slice(-maxPairs);
  const records: AttentionMapRecord[] = [];
  probes.forEach((probe, p) => {
    const [encoding] = tokenizer.encodeBatch([probe], undefined, {
      maxLength: maxTokens,
      truncation: 'longest_first',
    });
    if (encoding === undefined) return;
    const inputs = {
      inputIds: tf.tensor2d([encoding.inputIds], undefined, 'int32'),
      attentionMask: tf.tensor2d([encoding.attentionMask], undefined, 'int32'),
      tokenTypeIds: tf.tensor2d([encoding.tokenTypeIds], undefined, 'int32'),
    };
    const maps = scoped(() => {
      const t = teacher.forward(inputs, { outputAttentions: true }).attentions ?? [];
      const s = student.forward(inputs, { outputAttentions: true }).attentions ?? [];
      return pairs.map((m) => {
        const mode = stage.losses.attention.headMapping;
        const sa = s[m.studentLayer - 1];
        const ta = t[m.teacherLayer - 1];
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
    for (const t of Object.values(inputs)) t.dispose();
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
  });
  return records;
}
