// The teacher through onnxruntime-node: an ONNX file with the outputs `distill-studio export --with-hidden`
// writes (logits or last_hidden_state, hidden_states.<i>, attentions.<i>), fed the batch and asked only for the
// outputs the stage reads. What an ONNX file cannot do cheaply, the masked-LM head on a few gathered positions,
// runs in TensorFlow.js on the same weights. Files that fix the batch size or sequence length run in chunks of that
// batch and on padding, cut back to the batch. Also: exporting the run's own teacher to such a file, verified.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { UserError } from '../cliErrors';
import { configJson } from '../checkpoint/modelCheckpoint';
import { bindInputs, staticShape, type InputBinding } from '../inference/onnxModel';
import type { TransformerModel } from '../models/createModel';
import type { HfModelConfig } from '../models/modelConfig';
import { exportOnnxBytes } from '../onnx/exportGraph';
import { compareWithReference, computeReference } from '../onnx/verify';
import type { Batch } from '../train/dataset';
import type { TeacherNeeds, TeacherOutput } from '../train/distillStep';
import { writeFileAtomic } from '../util/atomicWrite';
import { gatherPositions } from './maskedLm';
import type { TeacherRunner } from './teacherRunner';

export interface OnnxTeacher extends TeacherRunner {
  readonly kind: 'onnx';
  readonly inputs: readonly InputBinding[];
  /** A sequence length the file fixes, when it does. */
  readonly fixedLength: number | undefined;
  readonly outputNames: readonly string[];
}

export interface OnnxTeacherOptions {
  /** onnxruntime intra-op threads. */
  threads: number;
  /** TensorFlow.js weights of the same model, for the masked-LM head on gathered positions. */
  weights?: TransformerModel;
  /** How to name the file in messages. */
  label: string;
}

const REEXPORT =
  'Export the teacher with `distill-studio export --model <teacher checkpoint> --out teacher.onnx --with-hidden`, or set "teacher.runtime": "onnx" without "onnx" to let the run export it.';

/** [B, L] int32 values padded (or kept) to `length` columns, as the input's element type. */
function feed(
  values: Int32Array,
  batch: number,
  width: number,
  length: number,
  input: InputBinding,
): ort.Tensor {
  const out = new Int32Array(batch * length);
  for (let b = 0; b < batch; b++) out.set(values.subarray(b * width, (b + 1) * width), b * length);
  return input.type === 'int64'
    ? new ort.Tensor(
        'int64',
        BigInt64Array.from(out, (v) => BigInt(v)),
        [batch, length],
      )
    : new ort.Tensor('int32', out, [batch, length]);
}

/**
 * An output as a tensor, cut to the batch: the first `keep` rows (a fixed-batch file's last chunk is filled with
 * copies of a row), and the sequence axes back to `length` (a fixed-length file ran on padding).
 */
function toTensor(value: ort.Tensor, keep: number, length: number): tf.Tensor {
  const t = tf.tensor(value.data as Float32Array, [...value.dims], 'float32');
  const rows = t.shape[0] ?? keep;
  let size: number[] | undefined;
  if (t.rank === 2 && keep < rows) size = [keep, -1];
  else if (t.rank === 3 && (keep < rows || t.shape[1] !== length))
    size = [keep, length, -1]; // [B, L, D] -> [b, T, D]
  else if (t.rank === 4 && (keep < rows || t.shape[2] !== length)) size = [keep, -1, length, length]; // [B, H, L, L] -> [b, H, T, T]
  if (size === undefined) return t;
  const cut = t.slice(new Array<number>(t.rank).fill(0), size);
  t.dispose();
  return cut;
}

export async function openOnnxTeacher(
  source: string | Uint8Array,
  config: HfModelConfig,
  options: OnnxTeacherOptions,
): Promise<OnnxTeacher> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
  };
  let session: ort.InferenceSession;
  try {
    session =
      typeof source === 'string'
        ? await ort.InferenceSession.create(source, sessionOptions)
        : await ort.InferenceSession.create(source, sessionOptions);
  } catch (error) {
    throw new UserError(
      `${options.label} cannot be loaded by onnxruntime: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  const inputs = bindInputs(session, options.label);
  if (!inputs.some((i) => i.role === 'inputIds'))
    throw new UserError(`${options.label} has no input_ids input.`);
  const fixed = staticShape(session);
  const fixedLength = fixed.sequence;
  const outputNames = session.outputNames;
  const has = (name: string): boolean => outputNames.includes(name);
  const layers = config.num_hidden_layers;
  const require = (name: string, what: string): string => {
    if (!has(name))
      throw new UserError(
        `${options.label} has no output "${name}" (${what}); its outputs are ${outputNames.join(', ')}. ${REEXPORT}`,
      );
    return name;
  };
  const weights = options.weights;
  return {
    kind: 'onnx',
    config,
    classifies: has('logits') && (weights === undefined || weights.head === 'sequence-classification'),
    description: `onnxruntime-node ${ort.env.versions.common} (cpu, ${options.threads} thread${options.threads === 1 ? '' : 's'})`,
    inputs,
    fixedLength,
    outputNames,
    async run(batch: Batch, needs: TeacherNeeds, positions?: tf.Tensor1D): Promise<TeacherOutput> {
      const [b, t] = batch.inputIds.shape;
      if (fixedLength !== undefined && t > fixedLength)
        throw new UserError(
          `${options.label} takes exactly ${fixedLength} tokens but a batch has ${t}; set "data.maxLength" to at most ${fixedLength}.`,
        );
      if (needs.attentionLayers.length > 0 && needs.attentionKind === 'scores')
        throw new UserError(
          `Attention "kind": "mse-scores" needs pre-softmax scores, which an ONNX teacher does not output. Use "kind": "mse" or "kl", or "teacher.runtime": "tfjs".`,
        );
      const length = fixedLength ?? t;
      const values = {
        inputIds: batch.inputIds.dataSync() as Int32Array,
        attentionMask: batch.attentionMask.dataSync() as Int32Array,
        tokenTypeIds: batch.tokenTypeIds.dataSync() as Int32Array,
      };
      const fetch = new Map<string, string>(); // output name -> what it is
      if (needs.logits) fetch.set(require('logits', 'the teacher logits for soft labels'), 'logits');
      for (const layer of needs.hiddenLayers)
        fetch.set(require(`hidden_states.${layer}`, `hidden states of layer ${layer}`), `hidden:${layer}`);
      for (const layer of needs.attentionLayers)
        fetch.set(require(`attentions.${layer - 1}`, `attention of layer ${layer}`), `attention:${layer}`);
      const lastName = has(`hidden_states.${layers}`) ? `hidden_states.${layers}` : 'last_hidden_state';
      if (needs.maskedLm) {
        if (weights === undefined || !weights.hasMaskedLmHead)
          throw new UserError(
            `${options.label} cannot give masked-LM predictions without the teacher's weights: give "checkpoint" (a *ForMaskedLM or *ForPreTraining folder) beside "onnx".`,
          );
        if (!fetch.has(lastName)) fetch.set(require(lastName, 'the final hidden states'), 'last');
      }
      // A file with a fixed batch size (mobile exports often fix 1) runs in chunks of it; a short last chunk is
      // filled with copies of its first row, whose outputs are dropped.
      const step = fixed.batch ?? b;
      const parts = new Map<string, tf.Tensor[]>();
      for (let start = 0; start < b; start += step) {
        const keep = Math.min(step, b - start);
        const rows = (v: Int32Array): Int32Array => {
          const out = new Int32Array(step * t);
          for (let i = 0; i < step; i++) {
            const from = start + (i < keep ? i : 0);
            out.set(v.subarray(from * t, (from + 1) * t), i * t);
          }
          return out;
        };
        const feeds: Record<string, ort.Tensor> = {};
        for (const input of inputs)
          feeds[input.name] = feed(rows(values[input.role]), step, t, length, input);
        const results = await session.run(feeds, [...fetch.keys()]);
        for (const name of fetch.keys()) {
          const value = results[name];
          if (value !== undefined) parts.set(name, [...(parts.get(name) ?? []), toTensor(value, keep, t)]);
        }
      }
      const out: TeacherOutput = { hidden: new Map(), attention: new Map() };
      let last: tf.Tensor3D | undefined;
      for (const [name, role] of fetch) {
        const chunks = parts.get(name);
        if (chunks === undefined) continue;
        const tensor = chunks.length === 1 ? (chunks[0] as tf.Tensor) : tf.concat(chunks, 0);
        if (chunks.length > 1) for (const c of chunks) c.dispose();
        if (role === 'logits') out.logits = tensor as tf.Tensor2D;
        else if (role === 'last') last = tensor as tf.Tensor3D;
        else if (role.startsWith('hidden:')) out.hidden.set(Number(role.slice(7)), tensor as tf.Tensor3D);
        else out.attention.set(Number(role.slice(10)), tensor as tf.Tensor4D);
      }
      if (needs.maskedLm && weights !== undefined && positions !== undefined) {
        const final = last ?? out.hidden.get(layers);
        if (final === undefined) throw new Error('the final hidden states went missing');
        out.maskedLmLogits = tf.tidy(() => weights.maskedLmLogits(gatherPositions(final, positions)));
      }
      last?.dispose();
      return out;
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}

/**
 * A view of `model` that exports as its bare encoder (last_hidden_state plus every hidden state and attention),
 * sharing the weights: a masked-LM teacher exported with its head would make onnxruntime project every position
 * onto the vocabulary, which the trainer never needs.
 */
function asEncoder(model: TransformerModel): TransformerModel {
  if (model.head !== 'masked-lm') return model;
  const view = Object.create(Object.getPrototypeOf(model) as object) as TransformerModel;
  return Object.assign(view, model, { head: 'encoder' as const });
}

/**
 * Exports the run's teacher with every hidden state and attention map as outputs, verifies it against TensorFlow.js
 * (the export's own parity check, 1e-4 on the main output, also gating hidden states and attention) and writes it
 * with config.json into `dir`, so the file can serve as `teacher.onnx` elsewhere. Returns the file.
 */
export async function exportTeacherOnnx(
  model: TransformerModel,
  dir: string,
  maxLength: number,
  log: (line: string) => void,
): Promise<string> {
  const exported = asEncoder(model);
  const bytes = exportOnnxBytes(exported, { withHidden: true, maxLength });
  const reference = computeReference(exported, maxLength, true);
  const report = await compareWithReference(bytes, reference, { tolerance: 1e-4, gateHidden: true });
  if (!report.passed)
    throw new Error(
      `the teacher's ONNX export differs from TensorFlow.js (max |diff| ${report.maxAbsDiff}, hidden ${report.hiddenMaxAbsDiff}, attention ${report.attentionsMaxAbsDiff})`,
    );
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'model.onnx');
  await writeFileAtomic(file, bytes);
  await writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(configJson(exported), null, 2)}\n`);
  log(
    `teacher exported to ${file} (${(bytes.length / 2 ** 20).toFixed(1)} MiB, verified: max |diff| ${report.maxAbsDiff.toExponential(1)})`,
  );
  return file;
}
