// Inference on any BERT-family ONNX file through onnxruntime-node: inputs named input_ids / attention_mask /
// token_type_ids or Google's input_mask / segment_ids, int64 or int32, dynamic or static batch and sequence length,
// weights inline or in external data files; logits from an output named `logits`, else the first float output
// shaped [batch, labels]. Labels, max length and lower-casing come from the file's metadata (onnxInfo.ts).
import { basename, dirname } from 'node:path';
import * as ort from 'onnxruntime-node';
import { UserError } from '../cliErrors';
import { missingExternalData } from '../onnx/externalData';
import type { EncodedBatch, InferenceModel, InferenceResult } from './inferenceModel';
import { readOnnxInfo, type OnnxInfo } from './onnxInfo';

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

/** A static batch and sequence length, where the file fixes them. */
export function staticShape(session: ort.InferenceSession): { batch?: number; sequence?: number } {
  const meta = session.inputMetadata[0];
  const dim = (i: number): number | undefined => {
    const d = meta?.isTensor ? meta.shape[i] : undefined;
    return typeof d === 'number' && d > 0 ? d : undefined;
  };
  const batch = dim(0);
  const sequence = dim(1);
  return { ...(batch !== undefined ? { batch } : {}), ...(sequence !== undefined ? { sequence } : {}) };
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

/** onnxruntime's load error, or a clearer one when an external data file the model names is not beside it. */
function loadError(file: string, error: unknown, info: OnnxInfo): UserError {
  const missing = missingExternalData(file, info.skeleton);
  if (missing.length > 0)
    return new UserError(
      `${file} keeps its weights in ONNX external data, and ${missing.map((m) => `"${m.location}" (tensor ${m.tensor})`).join(', ')} is not beside it (${dirname(file)}). Copy the .data file(s) that came with the model into that folder, under the same name${missing.length > 1 ? 's' : ''}.`,
    );
  return new UserError(
    `${file} cannot be loaded by onnxruntime: ${(error as Error).message.split('\n')[0] ?? ''}`,
  );
}

export async function openOnnxModel(file: string): Promise<InferenceModel> {
  // The metadata first: an unreadable file gets a clear error before onnxruntime's, and a load failure can be
  // explained (a missing external data file).
  const info = await readOnnxInfo(file);
  let session: ort.InferenceSession;
  try {
    // Loaded from its path, so onnxruntime finds external data files (locations are relative to the model's folder).
    session = await ort.InferenceSession.create(file);
  } catch (error) {
    throw loadError(file, error, info);
  }
  const inputs = bindInputs(session, file);
  if (!inputs.some((i) => i.role === 'inputIds')) throw new UserError(`${file} has no input_ids input.`);
  const fixed = staticShape(session);
  // Classifier logits: an output named `logits` of rank 2, else the first float output of rank 2 ([batch, labels]).
  const rank2 = session.outputMetadata.filter(
    (m): m is ort.InferenceSession.TensorValueMetadata =>
      m.isTensor && m.type === 'float32' && m.shape.length === 2,
  );
  const logitsMeta = rank2.find((m) => m.name === 'logits') ?? rank2[0];
  const width = typeof logitsMeta?.shape[1] === 'number' ? logitsMeta.shape[1] : undefined;
  const warnings = [...info.warnings];
  let labels = logitsMeta !== undefined ? info.labels : undefined;
  if (labels !== undefined && width !== undefined && labels.length !== width) {
    warnings.push(
      `${basename(file)}: its ${info.labelsFrom ?? 'metadata'} names ${labels.length} labels but the "${logitsMeta?.name ?? ''}" output has ${width}; using LABEL_0..LABEL_${width - 1}.`,
    );
    labels = undefined;
  }
  if (logitsMeta !== undefined && labels === undefined && width !== undefined)
    labels = Array.from({ length: width }, (_, i) => `LABEL_${i}`);
  const maxLength = fixed.sequence ?? info.maxLength;

  /** One call with at most `fixed.batch` rows (the whole batch when the batch axis is dynamic). */
  const runChunk = async (batch: EncodedBatch): Promise<ort.InferenceSession.ReturnType> => {
    const length = fixed.sequence ?? Math.max(...batch.inputIds.map((r) => r.length));
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
    return session.run(feeds);
  };

  return {
    kind: 'onnx',
    path: file,
    backend: 'onnxruntime-node (cpu)',
    labels,
    maxLength,
    tokenizerDir: dirname(file),
    ...(info.lowercase !== undefined ? { tokenizerSettings: { lowercase: info.lowercase } } : {}),
    warnings,
    async run(batch: EncodedBatch, options: { hidden: boolean }): Promise<InferenceResult> {
      // A file with a fixed batch size (often 1 in mobile exports) runs in chunks of it; a short last chunk is
      // filled with copies of its first row, whose outputs are dropped.
      const rows = batch.inputIds.length;
      const step = fixed.batch ?? rows;
      const chunks: { outputs: ort.InferenceSession.ReturnType; keep: number }[] = [];
      for (let start = 0; start < rows; start += step) {
        const take = (list: number[][]): number[][] => {
          const part = list.slice(start, start + step);
          while (part.length < step) part.push(part[0] ?? []);
          return part;
        };
        const outputs = await runChunk({
          inputIds: take(batch.inputIds),
          attentionMask: take(batch.attentionMask),
          tokenTypeIds: take(batch.tokenTypeIds),
        });
        chunks.push({ outputs, keep: Math.min(step, rows - start) });
      }
      /** An output's rows over every chunk, as nested arrays (batch first). */
      const gather = (name: string): unknown[] | undefined => {
        const parts: unknown[] = [];
        for (const { outputs, keep } of chunks) {
          const tensor = outputs[name];
          if (tensor === undefined) return undefined;
          parts.push(...(toNested(tensor as ort.Tensor) as unknown[]).slice(0, keep));
        }
        return parts;
      };
      const names = Object.keys(chunks[0]?.outputs ?? {});
      const result: InferenceResult = {};
      if (logitsMeta !== undefined) {
        const logits = gather(logitsMeta.name);
        if (logits !== undefined) result.logits = logits as number[][];
      }
      if (options.hidden) {
        const numbered = (prefix: string): string[] =>
          names
            .filter((n) => new RegExp(`^${prefix}\\.\\d+$`).test(n))
            .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
        const hidden = numbered('hidden_states');
        const attentions = numbered('attentions');
        const last = names.includes('last_hidden_state') ? gather('last_hidden_state') : undefined;
        if (last === undefined && hidden.length === 0) {
          throw new UserError(
            `${file} has no hidden-state outputs; export it with --with-hidden to inspect them.`,
          );
        }
        if (last !== undefined) result.lastHiddenState = last as number[][][];
        if (hidden.length > 0) result.hiddenStates = hidden.map((n) => gather(n) as number[][][]);
        if (attentions.length > 0) result.attentions = attentions.map((n) => gather(n) as number[][][][]);
      }
      return result;
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}
