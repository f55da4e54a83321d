// Checks an exported ONNX model against the TensorFlow.js model it came from: both run the same generated batches
// (batch 1..64, length 1..max, padding, text pairs) and the report gives the largest |difference| per batch and
// output, how often the predictions agree, and the predicted-class counts, which expose an int8 model that has
// collapsed to one class.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import type { TransformerModel } from '../models/createModel';
import { SeedStream } from '../models/nn';
import { createSession, type OnnxArtifact } from './externalData';
import type { Precision } from './layers';
import { makeBatch, verificationSpecs, type InputBatch } from './verifyInputs';

/** Default largest |difference| allowed on the main output, per export precision. */
export const DEFAULT_TOLERANCE: Record<Precision, number | undefined> = {
  fp32: 1e-4,
  // Float16 keeps ~3 significant digits: honest rounding moved the fixtures' logits by at most 1.3e-2, while a
  // broken float16 graph (overflow, a lost Cast) is off by O(1) or NaN.
  fp16: 1e-1,
  // No default gate for int8: its logit error scales with the model and is judged by agreement and class counts.
  int8: undefined,
};

interface Outputs {
  main: Float32Array;
  shape: number[];
  hidden: Float32Array[];
  attentions: Float32Array[];
}

/** The TensorFlow.js model's outputs on the verification batches, computed once and compared with every export. */
export interface Reference {
  head: TransformerModel['head'];
  outputName: 'logits' | 'last_hidden_state';
  batches: InputBatch[];
  outputs: Outputs[];
  withHidden: boolean;
}

export interface CaseResult {
  batch: number;
  length: number;
  padded: boolean;
  pairs: boolean;
  maxAbsDiff: number;
}

export interface VerifyReport {
  output: 'logits' | 'last_hidden_state';
  cases: CaseResult[];
  /** Largest |ONNX - TensorFlow.js| on the main output over every case. */
  maxAbsDiff: number;
  /** Largest |value| of the reference main output, to read the difference against. */
  referenceScale: number;
  hiddenMaxAbsDiff?: number;
  attentionsMaxAbsDiff?: number;
  /** Same argmax (per row for classifiers, per real token for masked LM). */
  agreement?: { agree: number; total: number; rate: number };
  /** Predicted-class counts over every row, classifiers only. */
  classCounts?: { reference: number[]; onnx: number[] };
  /** The reference predicts several classes, the ONNX model one. */
  collapsed: boolean;
  /** The gate; undefined means report only. */
  tolerance: number | undefined;
  passed: boolean;
}

export function computeReference(
  model: TransformerModel,
  maxLength: number,
  withHidden: boolean,
  seed = 1234,
): Reference {
  const seeds = new SeedStream(seed);
  const config = model.config;
  const batches = verificationSpecs(maxLength).map((spec) =>
    makeBatch(spec, config.vocab_size, config.type_vocab_size, seeds),
  );
  const outputs = batches.map((b) =>
    tf.tidy(() => {
      const shape: [number, number] = [b.batch, b.length];
      const out = model.forward(
        {
          inputIds: tf.tensor2d(b.inputIds, shape, 'int32'),
          attentionMask: tf.tensor2d(b.attentionMask, shape, 'int32'),
          tokenTypeIds: tf.tensor2d(b.tokenTypeIds, shape, 'int32'),
        },
        { outputHiddenStates: withHidden, outputAttentions: withHidden },
      );
      const main = model.head === 'encoder' ? out.lastHiddenState : out.logits;
      if (main === undefined) throw new Error('the model produced no logits');
      const read = (t: tf.Tensor): Float32Array => (t.dataSync() as Float32Array).slice();
      return {
        main: read(main),
        shape: [...main.shape],
        hidden: (out.hiddenStates ?? []).map(read),
        attentions: (out.attentions ?? []).map(read),
      };
    }),
  );
  return {
    head: model.head,
    outputName: model.head === 'encoder' ? 'last_hidden_state' : 'logits',
    batches,
    outputs,
    withHidden,
  };
}

/** The reference predicts two or more classes but the ONNX model only one: a collapsed (usually int8) model. */
export function predictionsCollapsed(
  referenceCounts: readonly number[],
  onnxCounts: readonly number[],
): boolean {
  const distinct = (counts: readonly number[]): number => counts.filter((n) => n > 0).length;
  return distinct(referenceCounts) >= 2 && distinct(onnxCounts) === 1;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] ?? 0) - (b[i] ?? 0));
    if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d;
  }
  return max;
}

function argmaxRows(values: Float32Array, width: number): number[] {
  const rows: number[] = [];
  for (let start = 0; start < values.length; start += width) {
    let best = 0;
    for (let j = 1; j < width; j++)
      if ((values[start + j] ?? -Infinity) > (values[start + best] ?? -Infinity)) best = j;
    rows.push(best);
  }
  return rows;
}

function feeds(b: InputBatch): Record<string, ort.Tensor> {
  const dims = [b.batch, b.length];
  const int64 = (data: Int32Array): ort.Tensor =>
    new ort.Tensor(
      'int64',
      BigInt64Array.from(data, (v) => BigInt(v)),
      dims,
    );
  return {
    input_ids: int64(b.inputIds),
    attention_mask: int64(b.attentionMask),
    token_type_ids: int64(b.tokenTypeIds),
  };
}

/**
 * Runs the ONNX model (file bytes, or an artifact with external data) on the reference batches and compares. `tolerance` gates the main output, and
 * for float32 exports (`gateHidden`) the hidden states and attentions too.
 */
export async function compareWithReference(
  onnx: Uint8Array | OnnxArtifact,
  reference: Reference,
  options: { tolerance: number | undefined; gateHidden: boolean },
): Promise<VerifyReport> {
  const { session, release } = await createSession(onnx);
  try {
    const cases: CaseResult[] = [];
    let hiddenDiff = 0;
    let attentionsDiff = 0;
    let scale = 0;
    let agree = 0;
    let total = 0;
    const width = reference.outputs[0]?.shape.at(-1) ?? 1;
    const classCounts = {
      reference: new Array<number>(width).fill(0),
      onnx: new Array<number>(width).fill(0),
    };
    for (const [i, b] of reference.batches.entries()) {
      const expected = reference.outputs[i];
      if (expected === undefined) continue;
      const out = await session.run(feeds(b));
      const main = out[reference.outputName]?.data as Float32Array | undefined;
      if (main === undefined) throw new Error(`the ONNX model has no output ${reference.outputName}`);
      cases.push({
        batch: b.batch,
        length: b.length,
        padded: b.padded,
        pairs: b.pairs,
        maxAbsDiff: maxAbsDiff(main, expected.main),
      });
      scale = Math.max(scale, maxAbsDiff(expected.main, new Float32Array(expected.main.length)));
      if (reference.withHidden) {
        expected.hidden.forEach(
          (h, j) =>
            (hiddenDiff = Math.max(
              hiddenDiff,
              maxAbsDiff(out[`hidden_states.${j}`]?.data as Float32Array, h),
            )),
        );
        expected.attentions.forEach(
          (a, j) =>
            (attentionsDiff = Math.max(
              attentionsDiff,
              maxAbsDiff(out[`attentions.${j}`]?.data as Float32Array, a),
            )),
        );
      }
      if (reference.head === 'encoder') continue;
      const want = argmaxRows(expected.main, width);
      const got = argmaxRows(main, width);
      want.forEach((w, row) => {
        // Masked LM rows are tokens: padding does not count.
        const real = reference.head !== 'masked-lm' || b.attentionMask[row] === 1;
        if (!real) return;
        total += 1;
        if (w === got[row]) agree += 1;
        if (reference.head === 'sequence-classification') {
          classCounts.reference[w] = (classCounts.reference[w] ?? 0) + 1;
          classCounts.onnx[got[row] ?? 0] = (classCounts.onnx[got[row] ?? 0] ?? 0) + 1;
        }
      });
    }
    const worst = Math.max(...cases.map((c) => c.maxAbsDiff));
    const gated = options.gateHidden ? Math.max(worst, hiddenDiff, attentionsDiff) : worst;
    const isClassifier = reference.head === 'sequence-classification';
    const report: VerifyReport = {
      output: reference.outputName,
      cases,
      maxAbsDiff: worst,
      referenceScale: scale,
      collapsed: isClassifier && predictionsCollapsed(classCounts.reference, classCounts.onnx),
      tolerance: options.tolerance,
      passed: options.tolerance === undefined || gated <= options.tolerance,
    };
    if (reference.withHidden) {
      report.hiddenMaxAbsDiff = hiddenDiff;
      report.attentionsMaxAbsDiff = attentionsDiff;
    }
    if (total > 0) report.agreement = { agree, total, rate: agree / total };
    if (isClassifier) report.classCounts = classCounts;
    return report;
  } finally {
    await release();
  }
}

/** Exports are verified right after they are built: TensorFlow.js reference, then the comparison. */
export async function verifyOnnx(
  model: TransformerModel,
  onnx: Uint8Array | OnnxArtifact,
  options: { precision: Precision; maxLength: number; withHidden: boolean; tolerance?: number },
): Promise<VerifyReport> {
  const reference = computeReference(model, options.maxLength, options.withHidden);
  return compareWithReference(onnx, reference, {
    tolerance: options.tolerance ?? DEFAULT_TOLERANCE[options.precision],
    gateHidden: options.precision === 'fp32',
  });
}
