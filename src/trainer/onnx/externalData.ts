// ONNX external data: one protobuf message is limited to 2 GiB, so larger models keep their weights in a file beside
// the .onnx (`<name>.onnx.data`), each tensor naming it in TensorProto.external_data (`location`, `offset`,
// `length`) with data_location EXTERNAL, as onnx.external_data_helper and torch.onnx write it. Runtimes resolve
// `location` relative to the model file's folder, so such a model is loaded from its path, never from bytes.
// An OnnxArtifact is an export in memory: the .onnx bytes and, when used, the data file's contents.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { writeFileAtomic } from '../util/atomicWrite';
import { DataLocation, type ModelProto, type TensorProto } from './onnxProto';

/** Tensors smaller than this stay inline (onnx's convert_model_to_external_data default, size_threshold=1024). */
export const EXTERNAL_MIN_TENSOR_BYTES = 1024;

/**
 * Offsets of tensors of 1 MiB and more are aligned to 64 KiB (the largest common mmap allocation granularity, Windows'),
 * smaller ones to 64 bytes, so a runtime can map or vector-load them in place. Newer onnx releases align the same way
 * (align_threshold 1 MiB, allocation_granularity 64 KiB); this is what we believe they do, not a format requirement.
 */
const LARGE_TENSOR_BYTES = 2 ** 20;
const LARGE_ALIGNMENT = 2 ** 16;
const SMALL_ALIGNMENT = 64;

/** The data file's contents, in file order (zero padding between tensors included). */
export interface ExternalDataFile {
  /** File name beside the model, as written into every tensor's `location`. */
  location: string;
  chunks: Uint8Array[];
  bytes: number;
  /** Tensors stored in it. */
  tensors: number;
}

/** An export in memory: the .onnx bytes and the external data file when the weights live outside the protobuf. */
export interface OnnxArtifact {
  model: Uint8Array;
  external?: ExternalDataFile;
}

/** `<name>.onnx.data` beside `<name>.onnx`, as torch.onnx names it. */
export function dataLocationFor(file: string): string {
  return `${basename(file)}.data`;
}

/** Bytes on disk: the .onnx plus its data file. */
export function artifactBytes(artifact: OnnxArtifact): number {
  return artifact.model.length + (artifact.external?.bytes ?? 0);
}

const asArtifact = (value: Uint8Array | OnnxArtifact): OnnxArtifact =>
  value instanceof Uint8Array ? { model: value } : value;

/**
 * A copy of `model` whose initializers of at least `minBytes` (raw_data) are moved into one data file at `location`.
 * The tensors' bytes are not copied: the chunks are views of them.
 */
export function toExternalData(
  model: ModelProto,
  location: string,
  minBytes = EXTERNAL_MIN_TENSOR_BYTES,
): { model: ModelProto; external: ExternalDataFile } {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  let tensors = 0;
  const initializer = model.graph.initializer.map((tensor): TensorProto => {
    const data = tensor.raw_data;
    if (data === undefined || data.byteLength < minBytes || tensor.data_location === DataLocation.EXTERNAL)
      return tensor;
    const alignment = data.byteLength >= LARGE_TENSOR_BYTES ? LARGE_ALIGNMENT : SMALL_ALIGNMENT;
    const start = Math.ceil(offset / alignment) * alignment;
    if (start > offset) chunks.push(new Uint8Array(start - offset));
    chunks.push(data);
    offset = start + data.byteLength;
    tensors += 1;
    const rest: TensorProto = { ...tensor };
    delete rest.raw_data;
    return {
      ...rest,
      data_location: DataLocation.EXTERNAL,
      external_data: [
        { key: 'location', value: location },
        { key: 'offset', value: String(start) },
        { key: 'length', value: String(data.byteLength) },
      ],
    };
  });
  return {
    model: { ...model, graph: { ...model.graph, initializer } },
    external: { location, chunks, bytes: offset, tensors },
  };
}

/** Writes chunks to `file` atomically: a sibling temp file, fsync, rename. */
async function writeChunksAtomic(file: string, chunks: readonly Uint8Array[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(temp, 'w');
  try {
    for (const chunk of chunks) await handle.write(chunk);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes the artifact: the data file (beside `file`, under its location) first, then the .onnx, each atomically, so
 * the model file never names data that is not there yet. Returns the files written.
 */
export async function writeArtifact(file: string, value: Uint8Array | OnnxArtifact): Promise<string[]> {
  const artifact = asArtifact(value);
  const written: string[] = [];
  if (artifact.external !== undefined) {
    const dataFile = join(dirname(file), artifact.external.location);
    await writeChunksAtomic(dataFile, artifact.external.chunks);
    written.push(dataFile);
  }
  await writeFileAtomic(file, artifact.model);
  written.push(file);
  return written;
}

/** An onnxruntime session on an artifact, and how to release it (and the temporary files it needed). */
export interface ArtifactSession {
  session: ort.InferenceSession;
  release(): Promise<void>;
}

/**
 * Opens an artifact on onnxruntime. Inline models load from memory; a model with external data is written to a
 * temporary folder and loaded from its path, as a user's runtime would, and the folder is removed on release.
 */
export async function createSession(
  value: Uint8Array | OnnxArtifact,
  options: ort.InferenceSession.SessionOptions = {},
): Promise<ArtifactSession> {
  const artifact = asArtifact(value);
  if (artifact.external === undefined) {
    const session = await ort.InferenceSession.create(artifact.model, options);
    return { session, release: () => session.release() };
  }
  const dir = await mkdtemp(join(tmpdir(), 'distill-studio-onnx-'));
  try {
    const file = join(dir, 'model.onnx');
    await writeFile(join(dir, artifact.external.location), artifact.external.chunks);
    await writeFile(file, artifact.model);
    const session = await ort.InferenceSession.create(file, options);
    return {
      session,
      release: async () => {
        try {
          await session.release();
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The external data entries of a tensor, as a map (`location`, `offset`, `length`, ...). */
function entries(tensor: TensorProto): Map<string, string> {
  return new Map((tensor.external_data ?? []).map((e) => [e.key, e.value]));
}

/** Absolute paths of the external data files `model` (read from `file`) names, each once. */
export function externalDataFiles(file: string, model: ModelProto): string[] {
  const files = new Set<string>();
  for (const tensor of model.graph.initializer ?? []) {
    if (tensor.data_location !== DataLocation.EXTERNAL) continue;
    const location = entries(tensor).get('location');
    if (location !== undefined) files.add(resolve(dirname(file), location));
  }
  return [...files];
}

/** External data files the model names that are not there, with the first tensor that needs each. */
export function missingExternalData(file: string, model: ModelProto): { location: string; tensor: string }[] {
  const firstTensor = new Map<string, string>();
  for (const tensor of model.graph.initializer ?? []) {
    if (tensor.data_location !== DataLocation.EXTERNAL) continue;
    const location = entries(tensor).get('location') ?? '';
    if (!firstTensor.has(location)) firstTensor.set(location, tensor.name);
  }
  return [...firstTensor]
    .filter(([location]) => location === '' || !existsSync(resolve(dirname(file), location)))
    .map(([location, tensor]) => ({ location, tensor }));
}
