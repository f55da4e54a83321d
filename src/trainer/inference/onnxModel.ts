// Inference on any BERT-family ONNX file through onnxruntime-node: inputs named input_ids / attention_mask /
// token_type_ids or Google's input_mask / segment_ids, int64 or int32, dynamic or static sequence length; logits
// from an output named `logits`, else the first float output shaped [batch, labels].
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { UserError } from '../cliErrors';
import type { EncodedBatch, InferenceModel, InferenceResult } from './inferenceModel';

type Role = 'inputIds' | 'attentionMask' | 'tokenTypeIds';

const INPUT_ALIASES: Record<Role, readonly string[]> = {
  inputIds: ['input_ids', 'input_word_ids', 'ids'],
  attentionMask: ['attention_mask', 'input_mask', 'mask'],
  tokenTypeIds: ['token_type_ids', 'segment_ids', 'input_type_ids'],
};

export interface InputBinding {
  name: string;
  role: Role;
  type: 'int64' | 'int32';
}

export function bindInputs(session: ort.InferenceSession, file: string): InputBinding[] {
  return session.inputMetadata.map((meta) => {
    const role = (Object.keys(INPUT_ALIASES) as Role[]).find((r) => INPUT_ALIASES[r].includes(meta.name));
    if (role === undefined) {
      throw new UserError(
        `${file}: input "${meta.name}" is not a BERT input (expected input_ids, attention_mask/input_mask, token_type_ids/segment_ids).`,
      );
    }
    const type = meta.isTensor ? meta.type : 'unknown';
    if (type !== 'int64' && type !== 'int32')
      throw new UserError(`${file}: input "${meta.name}" has type ${type}; BERT inputs are int64 or int32.`);
    return { name: meta.name, role, type };
  });
}

/** A static sequence length, when the file fixes one. */
export function staticLength(session: ort.InferenceSession): number | undefined {
  const meta = session.inputMetadata[0];
  const dim = meta?.isTensor ? meta.shape[1] : undefined;
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

function pad(rows: number[][], length: number): number[][] {
  return rows.map((row) =>
    row.length >= length ? row.slice(0, length) : [...row, ...new Array<number>(length - row.length).fill(0)],
  );
}

function toNested(tensor: ort.Tensor): unknown {
  const data = Array.from(tensor.data as Float32Array);
  const build = (dims: readonly number[], offset: number): unknown => {
    const [first, ...rest] = dims;
    if (first === undefined) return data[offset];
    const stride = rest.reduce((a, b) => a * b, 1);
    return Array.from({ length: first }, (_, i) => build(rest, offset + i * stride));
  };
  return build(tensor.dims, 0);
}

async function labelsBeside(file: string): Promise<string[] | undefined> {
  try {
    const config = JSON.parse(await readFile(join(dirname(file), 'config.json'), 'utf8')) as {
      id2label?: Record<string, string>;
    };
    if (config.id2label === undefined) return undefined;
    return Object.entries(config.id2label)
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([, label]) => label);
  } catch {
    return undefined;
  }
}

export async function openOnnxModel(file: string): Promise<InferenceModel> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file);
  } catch (error) {
    throw new UserError(
      `${file} cannot be loaded by onnxruntime: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  const inputs = bindInputs(session, file);
  if (!inputs.some((i) => i.role === 'inputIds')) throw new UserError(`${file} has no input_ids input.`);
  const fixed = staticLength(session);
  const floatOutputs = session.outputMetadata.filter((m) => m.isTensor && m.type === 'float32');
  const logitsName =
    floatOutputs.find((m) => m.name === 'logits')?.name ??
    floatOutputs.find((m) => m.isTensor && m.shape.length === 2)?.name;
  const labels = logitsName !== undefined ? await labelsBeside(file) : undefined;
  return {
    kind: 'onnx',
    path: file,
    backend: 'onnxruntime-node (cpu)',
    labels,
    maxLength: fixed,
    tokenizerDir: dirname(file),
    async run(batch: EncodedBatch, options: { hidden: boolean }): Promise<InferenceResult> {
      const length = fixed ?? Math.max(...batch.inputIds.map((r) => r.length));
      const feeds: Record<string, ort.Tensor> = {};
      for (const input of inputs) {
        const rows = pad(batch[input.role], length);
        const flat = rows.flat();
        const dims = [rows.length, length];
        feeds[input.name] =
          input.type === 'int64'
            ? new ort.Tensor(
                'int64',
                BigInt64Array.from(flat, (v) => BigInt(v)),
                dims,
              )
            : new ort.Tensor('int32', Int32Array.from(flat), dims);
      }
      const outputs = await session.run(feeds);
      const result: InferenceResult = {};
      const logits = logitsName !== undefined ? outputs[logitsName] : undefined;
      if (logits !== undefined) result.logits = toNested(logits) as number[][];
      if (options.hidden) {
        const last = outputs['last_hidden_state'];
        const hidden = Object.keys(outputs)
          .filter((n) => /^hidden_states\.\d+$/.test(n))
          .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
        const attentions = Object.keys(outputs)
          .filter((n) => /^attentions\.\d+$/.test(n))
          .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
        if (last === undefined && hidden.length === 0) {
          throw new UserError(
            `${file} has no hidden-state outputs; export it with --with-hidden to inspect them.`,
          );
        }
        if (last !== undefined) result.lastHiddenState = toNested(last) as number[][][];
        if (hidden.length > 0)
          result.hiddenStates = hidden.map((n) => toNested(outputs[n] as ort.Tensor) as number[][][]);
        if (attentions.length > 0)
          result.attentions = attentions.map((n) => toNested(outputs[n] as ort.Tensor) as number[][][][]);
      }
      return result;
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}
