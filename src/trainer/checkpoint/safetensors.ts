// Reads and writes Hugging Face safetensors checkpoints (single files and sharded folders) as plain host tensors.
// Hand-written because the format is tiny (8-byte LE header length, JSON header, one byte buffer) and no well-kept
// JS package parses it defensively; the rules follow the reference implementation, huggingface/safetensors tensor.rs.
import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { visit } from 'jsonc-parser';
import { EXIT_UNUSABLE, UserError } from '../cliErrors';
import { pathExists } from '../util/pathExists';
import { writeFileAtomic } from '../util/atomicWrite';

/** The dtypes this reader understands (safetensors spells them this way in the header). */
export const SAFETENSORS_DTYPES = [
  'F64',
  'F32',
  'F16',
  'BF16',
  'I64',
  'I32',
  'I16',
  'I8',
  'U8',
  'BOOL',
] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];
export type FloatDtype = 'F64' | 'F32' | 'F16' | 'BF16';

interface TensorOf<D extends SafetensorsDtype, A> {
  /** How the tensor is (or was) stored in the file. */
  dtype: D;
  /** Row-major ('C' order) dimensions; `[]` is a scalar. */
  shape: number[];
  data: A;
}

/**
 * A tensor in host memory. Float tensors always hold float32 values whatever they were stored as: F16 and BF16
 * convert exactly, F64 rounds to nearest (and overflows to +-Infinity). Integers keep their width.
 */
export type HostTensor =
  | TensorOf<FloatDtype, Float32Array>
  | TensorOf<'I64', BigInt64Array>
  | TensorOf<'I32', Int32Array>
  | TensorOf<'I16', Int16Array>
  | TensorOf<'I8', Int8Array>
  | TensorOf<'U8' | 'BOOL', Uint8Array>;

export interface SafetensorsFile {
  file: string;
  /** Tensors by name, in the order their bytes appear in the file. */
  tensors: Map<string, HostTensor>;
  /** The header's `__metadata__` (string to string); empty when absent. */
  metadata: Record<string, string>;
}

export interface SafetensorsCheckpoint {
  dir: string;
  /** The safetensors files read, in the order read. */
  files: string[];
  tensors: Map<string, HostTensor>;
  /** `__metadata__` of every file read, merged (later shards win; in practice they agree). */
  metadata: Record<string, string>;
}

/** A checkpoint file or folder that cannot be used; the message names the file (and tensor) and how to fix it. */
export class CheckpointError extends UserError {
  constructor(
    message: string,
    readonly file: string,
    readonly tensor?: string,
  ) {
    super(message, EXIT_UNUSABLE);
    this.name = 'CheckpointError';
  }
}

// The reference rejects headers over 100 MB (MAX_HEADER_SIZE in tensor.rs); a BERT-base header is about 20 KB.
const MAX_HEADER_BYTES = 100_000_000;
const SINGLE_FILE = 'model.safetensors';
const INDEX_FILE = 'model.safetensors.index.json';
const RESAVE =
  'Re-download the checkpoint, or re-save it in Python with safetensors.torch.save_file(tensors, path) or ' +
  'model.save_pretrained(dir, safe_serialization=True).';
const CONVERT_PICKLE =
  "python -c \"from transformers import AutoModel; d = '<folder>'; " +
  'AutoModel.from_pretrained(d).save_pretrained(d, safe_serialization=True)"';

const BYTES_PER_ELEMENT: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

// The writer orders tensors by descending dtype alignment, then by name, as tensor.rs `prepare` does (its Dtype
// enum is declared in increasing alignment order; the ranks below follow that order).
const DTYPE_RANK: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 0,
  U8: 1,
  I8: 2,
  I16: 3,
  F16: 4,
  BF16: 5,
  I32: 6,
  F32: 7,
  F64: 8,
  I64: 9,
};

// Typed arrays are host-endian and safetensors is little-endian; every platform Node supports is little-endian,
// but say so loudly rather than return garbage.
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A value from an untrusted header as JSON, cut short enough to print (names, shapes). */
function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 114)}...${text.slice(-3)}` : text;
}

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && (SAFETENSORS_DTYPES as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Float conversions

let float16Table: Float32Array | undefined;

/** The float32 value of IEEE 754 half-precision bits (exact: every half is a float32). */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The float32 value of bfloat16 bits (the top half of a float32, so exact, NaN payloads included). */
export function bfloat16BitsToFloat32(bits: number): number {
  const word = new Uint32Array([(bits & 0xffff) << 16]);
  return new Float32Array(word.buffer)[0] ?? NaN;
}

function float16ToFloat32Array(bits: Uint16Array): Float32Array {
  if (!float16Table) {
    float16Table = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) float16Table[b] = float16BitsToFloat32(b);
  }
  const table = float16Table;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i] ?? 0] ?? NaN;
  return out;
}

function bfloat16ToFloat32Array(bits: Uint16Array): Float32Array {
  const words = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) words[i] = (bits[i] ?? 0) << 16;
  return new Float32Array(words.buffer);
}

/** The tensor's values as float32 (float tensors already are; integers convert, I64 beyond 2^24 rounds). */
export function toFloat32(tensor: HostTensor): Float32Array {
  if (tensor.data instanceof Float32Array) return tensor.data;
  if (tensor.data instanceof BigInt64Array) return Float32Array.from(tensor.data, (v) => Number(v));
  return Float32Array.from(tensor.data);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

/** Copies a tensor's bytes into a fresh, aligned buffer (offsets need not be aligned in files from other tools). */
function decode(dtype: SafetensorsDtype, bytes: Uint8Array): HostTensor['data'] {
  // new Uint8Array(view) copies; Buffer#slice (readFile returns Buffers) would share the whole pooled buffer.
  const buffer = new Uint8Array(bytes).buffer;
  switch (dtype) {
    case 'F32':
      return new Float32Array(buffer);
    case 'F64':
      return Float32Array.from(new Float64Array(buffer));
    case 'F16':
      return float16ToFloat32Array(new Uint16Array(buffer));
    case 'BF16':
      return bfloat16ToFloat32Array(new Uint16Array(buffer));
    case 'I64':
      return new BigInt64Array(buffer);
    case 'I32':
      return new Int32Array(buffer);
    case 'I16':
      return new Int16Array(buffer);
    case 'I8':
      return new Int8Array(buffer);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buffer);
  }
}

/** The first key that appears twice in one object of a valid JSON text (JSON.parse keeps the last silently). */
function duplicateKey(text: string): string | undefined {
  const open: Set<string>[] = [];
  let duplicate: string | undefined;
  visit(text, {
    onObjectBegin: () => {
      open.push(new Set());
    },
    onObjectEnd: () => {
      open.pop();
    },
    onObjectProperty: (property) => {
      const keys = open[open.length - 1];
      if (!keys || duplicate !== undefined) return;
      if (keys.has(property)) duplicate = property;
      keys.add(property);
    },
  });
  return duplicate;
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, value: unknown, file: string): Entry {
  const fail = (problem: string): CheckpointError =>
    new CheckpointError(`${file}: tensor ${quote(name)}: ${problem}. ${RESAVE}`, file, name);
  if (!isRecord(value)) throw fail('its header entry is not an object {dtype, shape, data_offsets}');
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string') throw fail('"dtype" is missing or not a string');
  if (!isDtype(dtype)) {
    throw new CheckpointError(
      `${file}: tensor ${quote(name)}: dtype ${quote(dtype)} is not supported (supported: ` +
        `${SAFETENSORS_DTYPES.join(', ')}). Convert the model first, e.g. model.to(torch.float32), then ` +
        `re-save it with model.save_pretrained(dir, safe_serialization=True).`,
      file,
      name,
    );
  }
  if (!Array.isArray(shape)) throw fail('"shape" is missing or not an array');
  const dims: number[] = [];
  for (const dim of shape as unknown[]) {
    if (!isCount(dim)) throw fail(`"shape" ${quote(shape)} has a dimension that is not an integer >= 0`);
    dims.push(dim);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw fail('"data_offsets" is missing or not a pair [begin, end]');
  }
  const [begin, end] = offsets as unknown[];
  if (!isCount(begin) || !isCount(end)) throw fail('"data_offsets" must be two integers >= 0');
  if (end < begin) throw fail(`"data_offsets" end ${end} is before begin ${begin}`);
  const elements = dims.reduce((product, dim) => product * dim, 1);
  const expected = elements * BYTES_PER_ELEMENT[dtype];
  if (!Number.isSafeInteger(expected)) throw fail(`shape ${quote(dims)} is impossibly large`);
  if (end - begin !== expected) {
    throw fail(
      `"data_offsets" [${begin}, ${end}] span ${end - begin} bytes, but shape ${quote(dims)} of ` +
        `${dtype} needs ${expected}`,
    );
  }
  return { name, dtype, shape: dims, begin, end };
}

/** Parses a whole safetensors file held in memory. `file` names it in error messages. */
export function parseSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  if (!HOST_IS_LITTLE_ENDIAN) throw new CheckpointError(`${file}: big-endian hosts are not supported.`, file);
  const broken = (problem: string): CheckpointError =>
    new CheckpointError(`${file}: not a valid safetensors file: ${problem}. ${RESAVE}`, file);
  if (bytes.length < 8) throw broken(`it is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw broken(`the header length ${headerLength} is over the 100 MB limit (the file is corrupt)`);
  }
  const n = Number(headerLength);
  if (8 + n > bytes.length) {
    throw broken(`the header length ${n} runs past the end of the file (${bytes.length} bytes; truncated?)`);
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw broken('the header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw broken(`the header is not JSON (${(error as Error).message})`);
  }
  if (!isRecord(header)) throw broken('the header is not a JSON object');
  const duplicate = duplicateKey(text);
  if (duplicate !== undefined) throw broken(`the header names the key ${quote(duplicate)} twice`);

  const metadataEntries: [string, string][] = [];
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name !== '__metadata__') {
      entries.push(parseEntry(name, value, file));
      continue;
    }
    if (value === null) continue; // the reference reads null as "no metadata"
    if (!isRecord(value)) throw broken('"__metadata__" is not an object of strings');
    for (const [key, item] of Object.entries(value)) {
      if (typeof item !== 'string') throw broken(`"__metadata__" value for ${quote(key)} is not a string`);
      metadataEntries.push([key, item]);
    }
  }
  // fromEntries defines own properties, so a "__proto__" key stays a key instead of replacing the prototype.
  const metadata: Record<string, string> = Object.fromEntries(metadataEntries);

  // The spec requires the byte buffer to be covered exactly: no gaps, no overlaps, no trailing bytes (so a file
  // cannot double as another format). Sorting by offsets, as the reference does, makes that a single pass.
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: Entry | undefined;
  for (const entry of entries) {
    const at = `${file}: tensor ${quote(entry.name)}`;
    if (entry.end > dataLength) {
      throw new CheckpointError(
        `${at}: "data_offsets" [${entry.begin}, ${entry.end}] run past the end of the data (${dataLength} bytes; ` +
          `truncated file?). ${RESAVE}`,
        file,
        entry.name,
      );
    }
    if (entry.begin < covered) {
      throw new CheckpointError(
        `${at}: its bytes [${entry.begin}, ${entry.end}] overlap tensor ${quote(previous?.name ?? '')} ` +
          `(which ends at ${covered}). ${RESAVE}`,
        file,
        entry.name,
      );
    }
    if (entry.begin > covered) {
      throw new CheckpointError(
        `${at}: bytes [${covered}, ${entry.begin}) before it belong to no tensor; the format forbids gaps. ${RESAVE}`,
        file,
        entry.name,
      );
    }
    covered = entry.end;
    previous = entry;
  }
  if (covered !== dataLength) {
    const after = previous ? `after tensor ${quote(previous.name)}` : 'and the header lists no tensors';
    throw new CheckpointError(
      `${file}: not a valid safetensors file: ${dataLength - covered} trailing bytes ${after} belong to no ` +
        `tensor; the format forbids them. ${RESAVE}`,
      file,
      previous?.name,
    );
  }

  const tensors = new Map<string, HostTensor>();
  for (const { name, dtype, shape, begin, end } of entries) {
    const data = decode(dtype, bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, { dtype, shape, data } as HostTensor);
  }
  return { file, tensors, metadata };
}

async function readBytes(file: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : code === 'ERR_FS_FILE_TOO_LARGE'
            ? 'is over 2 GB, more than Node can read at once; re-save it in shards with ' +
              'model.save_pretrained(dir, max_shard_size="1GB", safe_serialization=True)'
            : `cannot be read (${(error as Error).message})`;
    throw new CheckpointError(`${file}: the ${what} ${why}.`, file);
  }
}

/** Reads one safetensors file. Throws CheckpointError for anything unreadable or malformed. */
export async function readSafetensors(file: string): Promise<SafetensorsFile> {
  return parseSafetensors(await readBytes(file, 'safetensors file'), file);
}

// ---------------------------------------------------------------------------------------------------------------
// Sharded checkpoints

const PICKLE_EXTENSIONS = ['.bin', '.pt', '.pth', '.ckpt', '.pkl', '.pickle'];

async function noSafetensors(dir: string): Promise<CheckpointError> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return new CheckpointError(
      `${dir}: the checkpoint folder does not exist or cannot be read. Check the path in the config.`,
      dir,
    );
  }
  const pickles = names.filter((name) => PICKLE_EXTENSIONS.includes(extname(name).toLowerCase()));
  if (pickles.length > 0) {
    return new CheckpointError(
      `${dir}: holds only PyTorch pickle weights (${pickles.join(', ')}), which are never opened: unpickling ` +
        `can execute arbitrary code. Convert them once to safetensors, in a Python environment with ` +
        `transformers: ${CONVERT_PICKLE.replace('<folder>', dir.replace(/\\/g, '/'))}`,
      dir,
    );
  }
  const others = names.filter((name) => name.endsWith('.safetensors'));
  const hint =
    others.length > 0
      ? ` It has ${others.join(', ')}; rename the model weights to ${SINGLE_FILE}.`
      : ' Save the model there with model.save_pretrained(dir, safe_serialization=True).';
  return new CheckpointError(
    `${dir}: no ${SINGLE_FILE} or ${INDEX_FILE} in the checkpoint folder.${hint}`,
    dir,
  );
}

/** Resolves a shard named by the index, refusing anything that could leave the checkpoint folder. */
async function shardPath(dir: string, index: string, shard: string, tensor: string): Promise<string> {
  const fail = (problem: string): CheckpointError =>
    new CheckpointError(
      `${index}: tensor ${quote(tensor)}: shard ${quote(shard)} ${problem}. The weight_map must name ` +
        `*.safetensors files in the same folder; re-save with model.save_pretrained(dir, safe_serialization=True).`,
      index,
      tensor,
    );
  const path = resolve(dir, shard);
  const inside = relative(resolve(dir), path);
  if (isAbsolute(shard) || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw fail('points outside the checkpoint folder');
  }
  if (!shard.endsWith('.safetensors')) throw fail('is not a .safetensors file (pickles are never opened)');
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw fail('does not exist');
  }
  const realInside = relative(await realpath(dir), real);
  if (realInside.startsWith('..') || isAbsolute(realInside))
    throw fail('links outside the checkpoint folder');
  return path;
}

async function readIndex(dir: string, index: string): Promise<SafetensorsCheckpoint> {
  const text = new TextDecoder().decode(await readBytes(index, 'checkpoint index'));
  const broken = (problem: string): CheckpointError =>
    new CheckpointError(
      `${index}: ${problem}. Expected {"metadata": {...}, "weight_map": {"<tensor>": "<shard>.safetensors"}}; ` +
        're-save with model.save_pretrained(dir, safe_serialization=True).',
      index,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw broken(`not JSON (${(error as Error).message})`);
  }
  if (!isRecord(parsed) || !isRecord(parsed['weight_map']))
    throw broken('"weight_map" is missing or not an object');
  const duplicate = duplicateKey(text);
  if (duplicate !== undefined) throw broken(`the key ${quote(duplicate)} appears twice`);

  const byShard = new Map<string, string[]>();
  for (const [tensor, shard] of Object.entries(parsed['weight_map'])) {
    if (typeof shard !== 'string') throw broken(`the shard for tensor ${quote(tensor)} is not a file name`);
    const path = await shardPath(dir, index, shard, tensor);
    byShard.set(path, [...(byShard.get(path) ?? []), tensor]);
  }

  const checkpoint: SafetensorsCheckpoint = { dir, files: [], tensors: new Map(), metadata: {} };
  for (const [path, names] of byShard) {
    const shard = await readSafetensors(path);
    for (const name of names) {
      const tensor = shard.tensors.get(name);
      if (!tensor) {
        throw new CheckpointError(
          `${path}: tensor ${quote(name)} is missing, though ${basename(index)} places it in this shard. ` +
            'The index and shards come from different saves; re-download or re-save the whole checkpoint.',
          path,
          name,
        );
      }
      checkpoint.tensors.set(name, tensor);
    }
    checkpoint.metadata = { ...checkpoint.metadata, ...shard.metadata };
    checkpoint.files.push(path);
  }
  return checkpoint;
}

/**
 * Reads a Hugging Face checkpoint folder: `model.safetensors`, or the shards listed by
 * `model.safetensors.index.json`. Pickle weights (`pytorch_model.bin`, `*.pt`) are refused with how to convert.
 */
export async function readSafetensorsCheckpoint(dir: string): Promise<SafetensorsCheckpoint> {
  const single = join(dir, SINGLE_FILE);
  if (await pathExists(single)) {
    const { tensors, metadata } = await readSafetensors(single);
    return { dir, files: [single], tensors, metadata };
  }
  const index = join(dir, INDEX_FILE);
  if (await pathExists(index)) return readIndex(dir, index);
  throw await noSafetensors(dir);
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/** Tensors to save, by name. */
export type TensorSet = ReadonlyMap<string, HostTensor> | Readonly<Record<string, HostTensor>>;

function entriesOf(tensors: TensorSet): [string, HostTensor][] {
  // instanceof does not narrow ReadonlyMap (an interface), hence the casts.
  if (tensors instanceof Map) return [...(tensors as ReadonlyMap<string, HostTensor>)];
  return Object.entries(tensors as Readonly<Record<string, HostTensor>>);
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Serializes tensors the way the reference writer does: float tensors as F32, integers in their own dtype,
 * ordered by descending alignment then name, header padded with spaces to a multiple of 8 bytes so every tensor
 * starts aligned.
 */
export function serializeSafetensors(
  tensors: TensorSet,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  return serialize(tensors, metadata, '<memory>');
}

function serialize(tensors: TensorSet, metadata: Readonly<Record<string, string>>, file: string): Uint8Array {
  const written = entriesOf(tensors).map(([name, tensor]) => {
    const dtype: SafetensorsDtype = tensor.data instanceof Float32Array ? 'F32' : tensor.dtype;
    const elements = tensor.shape.reduce((product, dim) => product * dim, 1);
    const problem =
      name === '__metadata__'
        ? 'the name __metadata__ is reserved by the format'
        : !tensor.shape.every(isCount)
          ? `shape ${JSON.stringify(tensor.shape)} has a dimension that is not an integer >= 0`
          : elements !== tensor.data.length
            ? `shape ${JSON.stringify(tensor.shape)} holds ${elements} values but the data has ${tensor.data.length}`
            : undefined;
    if (problem !== undefined) {
      throw new CheckpointError(`${file}: tensor ${quote(name)} cannot be saved: ${problem}.`, file, name);
    }
    const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    return { name, dtype, shape: [...tensor.shape], bytes };
  });
  written.sort((a, b) => DTYPE_RANK[b.dtype] - DTYPE_RANK[a.dtype] || compareUtf8(a.name, b.name));

  const headerEntries: [string, unknown][] = [];
  const metadataKeys = Object.keys(metadata).sort(compareUtf8);
  if (metadataKeys.length > 0) {
    headerEntries.push(['__metadata__', Object.fromEntries(metadataKeys.map((key) => [key, metadata[key]]))]);
  }
  let offset = 0;
  for (const { name, dtype, shape, bytes } of written) {
    headerEntries.push([name, { dtype, shape, data_offsets: [offset, offset + bytes.length] }]);
    offset += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(Object.fromEntries(headerEntries)), 'utf8');
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new CheckpointError(`${file}: the header would exceed 100 MB; save fewer tensors per file.`, file);
  }

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.fill(0x20, 8, 8 + headerLength);
  out.set(json, 8);
  let at = 8 + headerLength;
  for (const { bytes } of written) {
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/** Writes a safetensors file atomically (temp file, fsync, rename); see `serializeSafetensors` for the layout. */
export async function writeSafetensors(
  file: string,
  tensors: TensorSet,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  await writeFileAtomic(file, serialize(tensors, metadata ?? {}, file));
}
