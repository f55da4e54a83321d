// Reads an ONNX file's structure without its weights: metadata, graph inputs/outputs, nodes and every initializer's
// name, type, dims and external-data entries, but no element data. protobufjs decodes whole messages held in memory,
// and a model file can hold up to 2 GiB of weights, so the file is walked field by field here (protobufjs reads the
// tags and lengths; a skipped field is just a seek), the tensor payload fields are left out, and what remains, still
// a valid ModelProto message, is decoded with the official schema. Used for labels/max length (inference), file facts
// (bench) and the external data files a model needs.
import { open, type FileHandle } from 'node:fs/promises';
import protobuf from 'protobufjs/light';
import { UserError } from '../cliErrors';
import { decodeModel, type ModelProto } from './onnxProto';

/** Which fields of a message to descend into (by field number), and which to drop. */
interface Plan {
  descend?: ReadonlyMap<number, Plan>;
  drop?: ReadonlySet<number>;
}

// TensorProto: float_data 4, int32_data 5, string_data 6, int64_data 7, raw_data 9, double_data 10, uint64_data 11.
const TENSOR: Plan = { drop: new Set([4, 5, 6, 7, 9, 10, 11]) };
// GraphProto.initializer is field 5; ModelProto.graph is field 7 (onnx.proto).
const GRAPH: Plan = { descend: new Map([[5, TENSOR]]) };
const MODEL: Plan = { descend: new Map([[7, GRAPH]]) };

/** Longest field header: a tag (<= 5 bytes) and a length or varint value (<= 10 bytes). */
const HEADER_BYTES = 16;

/** Reads byte ranges of a file through a 1 MiB window, so the many small fields of a graph cost few reads. */
class WindowReader {
  private start = 0;
  private window: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
  ) {}

  private async fill(position: number, length: number): Promise<Uint8Array> {
    const buffer = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buffer, done, length - done, position + done);
      if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
      done += bytesRead;
    }
    return buffer;
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    const offset = position - this.start;
    if (offset >= 0 && offset + length <= this.window.length)
      return this.window.subarray(offset, offset + length);
    if (length > WINDOW_BYTES) return this.fill(position, length);
    this.start = position;
    this.window = await this.fill(position, Math.min(WINDOW_BYTES, this.size - position));
    return this.window.subarray(0, length);
  }
}

const WINDOW_BYTES = 2 ** 20;

/** The bytes of fields [start, end) of one message, following `plan`. */
async function collect(reader: WindowReader, start: number, end: number, plan: Plan): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  let position = start;
  while (position < end) {
    const head = await reader.read(position, Math.min(HEADER_BYTES, end - position));
    const fields = protobuf.Reader.create(head);
    const tag = fields.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire !== 2) {
      // Scalars (varint, 64-bit, 32-bit) are a few bytes: kept whole. Groups (3, 4) do not occur in ONNX.
      if (wire !== 0 && wire !== 1 && wire !== 5) throw new Error(`wire type ${wire} at byte ${position}`);
      fields.skipType(wire);
      if (!plan.drop?.has(field)) parts.push(head.slice(0, fields.pos));
      position += fields.pos;
      continue;
    }
    const length = fields.uint32();
    const bodyStart = position + fields.pos;
    const bodyEnd = bodyStart + length;
    if (bodyEnd > end) throw new Error(`field ${field} at byte ${position} runs past its message`);
    const sub = plan.descend?.get(field);
    if (sub !== undefined) {
      const body = await collect(reader, bodyStart, bodyEnd, sub);
      const size = body.reduce((n, p) => n + p.length, 0);
      parts.push(protobuf.Writer.create().uint32(tag).uint32(size).finish(), ...body);
    } else if (!plan.drop?.has(field)) {
      parts.push((await reader.read(position, bodyEnd - position)).slice());
    }
    position = bodyEnd;
  }
  return parts;
}

/**
 * The model without tensor element data: initializers keep name, data_type, dims, external_data and data_location.
 * Throws a UserError naming the file when it is not an ONNX model.
 */
export async function readModelSkeleton(file: string): Promise<ModelProto> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new UserError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const { size } = await handle.stat();
    const parts = await collect(new WindowReader(handle, size), 0, size, MODEL);
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    const model = decodeModel(bytes);
    if (model.graph === undefined) throw new Error('it has no graph');
    return model;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      `${file} is not a readable ONNX model (${(error as Error).message}). Export it again, or check that the download finished.`,
    );
  } finally {
    await handle.close();
  }
}

/** metadata_props as a map. */
export function metadataOf(model: ModelProto): Map<string, string> {
  return new Map((model.metadata_props ?? []).map((p) => [p.key, p.value]));
}
