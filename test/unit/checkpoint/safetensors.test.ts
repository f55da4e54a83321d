// The safetensors reader and writer: round trips, files written by the Python reference library (fixtures made by
// test/fixtures/safetensors/generate.py), exact F16/BF16 conversion, every malformed-file rejection, sharded folders.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  CheckpointError,
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  parseSafetensors,
  readSafetensors,
  readSafetensorsCheckpoint,
  serializeSafetensors,
  toFloat32,
  writeSafetensors,
  type HostTensor,
} from '../../../src/trainer/checkpoint/safetensors';
import { tempWorkspace } from '../../helpers/tempWorkspace';

const FIXTURES = 'test/fixtures/safetensors';
const FILE = 'bad.safetensors';

/** Builds a safetensors file by hand: header (object or raw text), then `data` bytes (or that many zero bytes). */
function craft(header: unknown, data: number | Uint8Array = 0, headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

function rejects(bytes: Uint8Array, pattern: RegExp, tensor?: string): CheckpointError {
  let caught: unknown;
  try {
    parseSafetensors(bytes, FILE);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CheckpointError, `expected a CheckpointError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  assert.ok(caught.message.startsWith(`${FILE}: `), `message names the file: ${caught.message}`);
  assert.equal(caught.file, FILE);
  if (tensor !== undefined) {
    assert.ok(caught.message.includes(JSON.stringify(tensor)), `message names ${tensor}: ${caught.message}`);
    assert.equal(caught.tensor, tensor);
  }
  assert.match(
    caught.message,
    /save_file|save_pretrained|Convert/,
    `message says how to fix: ${caught.message}`,
  );
  return caught;
}

const f32 = (shape: number[], values: number[]): HostTensor => ({
  dtype: 'F32',
  shape,
  data: Float32Array.from(values),
});

// ---------------------------------------------------------------------------------------------------------------

test('write then read gives back every tensor, dtype, shape and value, and the metadata', async (t) => {
  const ws = tempWorkspace(t);
  const tensors = new Map<string, HostTensor>([
    ['encoder.layer.0.weight', f32([2, 3], [1, -2.5, 0.1, -0, NaN, Infinity])],
    ['scalar', f32([], [7])],
    ['empty', f32([0, 5], [])],
    ['steps', { dtype: 'I64', shape: [3], data: BigInt64Array.from([0n, -(2n ** 63n), 2n ** 63n - 1n]) }],
    ['ids', { dtype: 'I32', shape: [2, 2], data: Int32Array.from([1, -2, 2 ** 31 - 1, -(2 ** 31)]) }],
    ['i16', { dtype: 'I16', shape: [2], data: Int16Array.from([-32768, 32767]) }],
    ['i8', { dtype: 'I8', shape: [2], data: Int8Array.from([-128, 127]) }],
    ['u8', { dtype: 'U8', shape: [2], data: Uint8Array.from([0, 255]) }],
    ['mask', { dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) }],
  ]);
  const file = ws.path('out/model.safetensors');
  await writeSafetensors(file, tensors, { format: 'pt', note: '한국어' });

  const read = await readSafetensors(file);
  assert.deepEqual(read.metadata, { format: 'pt', note: '한국어' });
  assert.deepEqual([...read.tensors.keys()].sort(), [...tensors.keys()].sort());
  for (const [name, tensor] of tensors) assert.deepEqual(read.tensors.get(name), tensor, name);
  assert.deepEqual(readdirSync(ws.path('out')), ['model.safetensors'], 'no temp file is left behind');

  // Header padded with spaces to a multiple of 8, so every tensor starts aligned to its element size.
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  assert.equal(n % 8, 0);
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<
    string,
    { data_offsets: number[] }
  >;
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const size = { steps: 8, ids: 4, i16: 2 }[name] ?? 1;
    assert.equal((entry.data_offsets[0] ?? -1) % size, 0, name);
  }
});

test('the writer lays files out byte for byte like the Python library (alignment, then name order)', () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, 'reference-order.json'), 'utf8')) as {
    metadata: Record<string, string>;
    tensors: Record<string, { dtype: string; shape: number[]; values: (number | string)[] }>;
  };
  // Insertion order as the generator wrote them, which is not the order on disk.
  const tensors: Record<string, HostTensor> = {};
  for (const [name, { dtype, shape, values }] of Object.entries(expected.tensors)) {
    tensors[name] =
      dtype === 'int64'
        ? { dtype: 'I64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) }
        : dtype === 'int32'
          ? { dtype: 'I32', shape, data: Int32Array.from(values, Number) }
          : f32(shape, values.map(Number));
  }
  const reference = new Uint8Array(readFileSync(join(FIXTURES, 'reference-order.safetensors')));
  assert.deepEqual(serializeSafetensors(tensors, expected.metadata), reference);
});

test('reads a file written by the Python library: F32, F16, BF16, F64, I64, scalar, empty, metadata', async () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, 'mixed.expected.json'), 'utf8')) as {
    metadata: Record<string, string>;
    tensors: Record<string, { dtype: string; shape: number[]; values: (number | string)[] }>;
  };
  const read = await readSafetensors(join(FIXTURES, 'mixed.safetensors'));
  assert.deepEqual(read.metadata, expected.metadata);
  assert.deepEqual([...read.tensors.keys()].sort(), Object.keys(expected.tensors).sort());
  const decode = (v: number | string): number =>
    v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === '-0' ? -0 : Number(v);
  for (const [name, want] of Object.entries(expected.tensors)) {
    const tensor = read.tensors.get(name);
    assert.ok(tensor, name);
    assert.equal(tensor.dtype, want.dtype, name);
    assert.deepEqual(tensor.shape, want.shape, name);
    if (tensor.dtype === 'I64') {
      assert.deepEqual(
        [...tensor.data],
        want.values.map((v) => BigInt(v)),
        name,
      );
    } else {
      assert.ok(tensor.data instanceof Float32Array, name);
      // deepEqual compares with Object.is: NaN equals NaN and -0 differs from 0.
      assert.deepEqual([...tensor.data], want.values.map(decode), name);
    }
  }
});

test('F16 and BF16 bits convert exactly to float32 (normals, max, subnormals, signed zero, inf, nan)', () => {
  const f16: [number, number][] = [
    [0x3c00, 1],
    [0xc100, -2.5],
    [0x7bff, 65504],
    [0x0001, 2 ** -24], // smallest subnormal, 5.960464477539063e-8
    [0x03ff, 2 ** -14 - 2 ** -24], // largest subnormal
    [0x0400, 2 ** -14], // smallest normal
    [0x3555, 0.333251953125],
    [0x8000, -0],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ];
  for (const [bits, value] of f16) assert.equal(float16BitsToFloat32(bits), value, bits.toString(16));
  assert.ok(Number.isNaN(float16BitsToFloat32(0x7e00)));
  assert.ok(Number.isNaN(float16BitsToFloat32(0xfc01)));

  const bf16: [number, number][] = [
    [0x3f80, 1],
    [0xc020, -2.5],
    [0x7f7f, 3.3895313892515355e38], // largest finite, (2 - 2^-7) * 2^127
    [0x0001, 2 ** -133], // smallest subnormal
    [0x0080, 2 ** -126], // smallest normal
    [0x3dcd, 0.10009765625],
    [0x8000, -0],
    [0x7f80, Infinity],
    [0xff80, -Infinity],
  ];
  for (const [bits, value] of bf16) assert.equal(bfloat16BitsToFloat32(bits), value, bits.toString(16));
  assert.ok(Number.isNaN(bfloat16BitsToFloat32(0x7fc0)));

  // The same through the file reader (F16 goes through a lookup table, BF16 through a bit shift).
  for (const [dtype, pairs] of [
    ['F16', f16],
    ['BF16', bf16],
  ] as const) {
    const bits = Uint16Array.from(pairs.map(([b]) => b));
    const bytes = craft(
      { t: { dtype, shape: [bits.length], data_offsets: [0, bits.byteLength] } },
      new Uint8Array(bits.buffer),
    );
    const tensor = parseSafetensors(bytes, 'half.safetensors').tensors.get('t');
    assert.deepEqual(
      tensor && [...toFloat32(tensor)],
      pairs.map(([, value]) => value),
      dtype,
    );
  }
});

test('tensors at unaligned offsets (headers without padding) still read correctly', () => {
  const values = Float32Array.from([1.5, -3]);
  const bytes = craft(
    { __metadata__: { x: 'y' }, w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } },
    new Uint8Array(values.buffer),
  );
  assert.notEqual((bytes.length - 8) % 4, 0, 'the data section starts unaligned');
  assert.deepEqual(parseSafetensors(bytes, 'odd.safetensors').tensors.get('w')?.data, values);
});

test('toFloat32 passes float data through and converts integers', () => {
  const floats = f32([2], [1, 2]);
  assert.equal(toFloat32(floats), floats.data);
  assert.deepEqual(
    toFloat32({ dtype: 'I64', shape: [2], data: BigInt64Array.from([3n, -4n]) }),
    Float32Array.from([3, -4]),
  );
  assert.deepEqual(
    toFloat32({ dtype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) }),
    Float32Array.from([1, 0]),
  );
});

// ---------------------------------------------------------------------------------------------------------------
// Malformed files: each is a CheckpointError naming the file (and the tensor where there is one) and the fix.

const entry = (dtype: unknown, shape: unknown, offsets: unknown): Record<string, unknown> => ({
  dtype,
  shape,
  data_offsets: offsets,
});

test('rejects broken framing: too short, header length past the end or over 100 MB, bad UTF-8, not JSON', () => {
  rejects(new Uint8Array(5), /5 bytes, shorter than the 8-byte header length/);
  rejects(craft('{}', 0, 500n), /header length 500 runs past the end of the file/);
  rejects(craft('{}', 0, 100_000_001n), /over the 100 MB limit/);
  rejects(craft('{}', 0, 2n ** 64n - 1n), /over the 100 MB limit/);
  const latin1 = craft('{"cafX":1}');
  latin1[8 + 5] = 0xe9; // X -> a lone Latin-1 "é", which is not UTF-8
  rejects(latin1, /not valid UTF-8/);
  rejects(craft('{"a": {'), /not JSON/);
  rejects(craft('\ufeff{}'), /not JSON/); // serde_json rejects a byte-order mark too
  rejects(craft('[1, 2]'), /not a JSON object/);
  rejects(craft('null'), /not a JSON object/);
  rejects(craft('{"w": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}, "w": 1}', 4), /"w" twice/);
  rejects(craft({ __metadata__: ['a'] }), /"__metadata__" is not an object/);
  rejects(craft({ __metadata__: { epoch: 3 } }), /"__metadata__" value for "epoch" is not a string/);
});

test('rejects header entries with missing or wrong-typed fields, naming the tensor', () => {
  const cases: [unknown, RegExp][] = [
    ['F32', /not an object/],
    [{ shape: [1], data_offsets: [0, 4] }, /"dtype" is missing or not a string/],
    [entry(4, [1], [0, 4]), /"dtype" is missing or not a string/],
    [entry('F8_E4M3', [1], [0, 1]), /dtype "F8_E4M3" is not supported \(supported: F64, F32, .*BOOL\)/],
    [entry('float32', [1], [0, 4]), /dtype "float32" is not supported/],
    [{ dtype: 'F32', data_offsets: [0, 4] }, /"shape" is missing or not an array/],
    [entry('F32', '1', [0, 4]), /"shape" is missing or not an array/],
    [entry('F32', [-1], [0, 4]), /dimension that is not an integer >= 0/],
    [entry('F32', [1.5], [0, 4]), /dimension that is not an integer >= 0/],
    [entry('F32', ['1'], [0, 4]), /dimension that is not an integer >= 0/],
    [{ dtype: 'F32', shape: [1] }, /"data_offsets" is missing or not a pair/],
    [entry('F32', [1], [0, 4, 8]), /"data_offsets" is missing or not a pair/],
    [entry('F32', [1], [0, 4.5]), /two integers >= 0/],
    [entry('F32', [1], [-4, 0]), /two integers >= 0/],
    [entry('F32', [1], ['0', '4']), /two integers >= 0/],
    [entry('F32', [1], [4, 0]), /end 0 is before begin 4/],
    [entry('F32', [2, 3], [0, 4]), /span 4 bytes, but shape \[2,3\] of F32 needs 24/],
    [entry('F16', [4], [0, 4]), /span 4 bytes, but shape \[4\] of F16 needs 8/],
    [entry('F32', [2 ** 40, 2 ** 40], [0, 4]), /impossibly large/],
    [
      entry('F32', [...Array<number>(10_000).fill(1), -1], [0, 4]),
      /"shape" \[1,1,1,.{90,110}\.\.\.-1\] has a dimension/,
    ],
  ];
  for (const [value, pattern] of cases) {
    rejects(craft({ 'bert.pooler.dense.weight': value }, 4), pattern, 'bert.pooler.dense.weight');
  }
});

test('rejects data sections not covered exactly: out of bounds, overlaps, gaps, trailing bytes', () => {
  const a = entry('F32', [2], [0, 8]);
  rejects(
    craft({ a: entry('F32', [2], [0, 8]) }, 4),
    /"a": "data_offsets" \[0, 8\] run past the end of the data/,
    'a',
  );
  rejects(craft({ a, b: entry('F32', [1], [4, 8]) }, 8), /"b": its bytes \[4, 8\] overlap tensor "a"/, 'b');
  rejects(craft({ a, b: entry('F32', [2], [0, 8]) }, 16), /overlap tensor/);
  rejects(
    craft({ a, b: entry('F32', [1], [12, 16]) }, 16),
    /"b": bytes \[8, 12\) before it belong to no tensor/,
    'b',
  );
  rejects(craft({ b: entry('F32', [1], [4, 8]) }, 8), /"b": bytes \[0, 4\) before it/, 'b');
  rejects(craft({ a }, 12), /4 trailing bytes after tensor "a"/, 'a');
  rejects(craft({}, 3), /3 trailing bytes and the header lists no tensors/);
  // Reference library test case: polyglot data appended after a valid file.
  const polyglot = new Uint8Array([...craft({ a }, 8), ...new TextEncoder().encode('<html>')]);
  rejects(polyglot, /6 trailing bytes after tensor "a"/, 'a');
});

test('accepts what the spec allows: empty tensors anywhere, scalars, whitespace-padded headers, no tensors', () => {
  const bytes = craft(
    `\t{"e1": {"dtype": "I64", "shape": [0], "data_offsets": [0, 0]}, "s": {"dtype": "F32", "shape": [], ` +
      `"data_offsets": [0, 4]}, "e2": {"dtype": "F32", "shape": [3, 0], "data_offsets": [4, 4]}}   `,
    new Uint8Array(Float32Array.from([2]).buffer),
  );
  const read = parseSafetensors(bytes, 'ok.safetensors');
  assert.deepEqual(read.tensors.get('s'), f32([], [2]));
  assert.deepEqual(read.tensors.get('e1'), { dtype: 'I64', shape: [0], data: new BigInt64Array(0) });
  assert.deepEqual(parseSafetensors(craft('{}      '), 'none.safetensors').tensors.size, 0);
  assert.deepEqual(parseSafetensors(craft({ __metadata__: null }), 'null.safetensors').metadata, {});
});

test('a "__proto__" tensor or metadata key stays an ordinary key', () => {
  const bytes = craft(
    '{"__metadata__": {"__proto__": "x"}, "__proto__": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}',
    1,
  );
  const read = parseSafetensors(bytes, 'proto.safetensors');
  assert.equal(Object.getPrototypeOf(read.metadata), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(read.metadata, '__proto__')?.value, 'x');
  assert.ok(read.tensors.has('__proto__'));
});

test('reading a missing file, a folder or a malformed file on disk names the file', async (t) => {
  const ws = tempWorkspace(t);
  await assert.rejects(readSafetensors(ws.path('nope.safetensors')), (error: unknown) => {
    assert.ok(error instanceof CheckpointError);
    assert.match(error.message, /nope\.safetensors: the safetensors file does not exist/);
    return true;
  });
  await assert.rejects(readSafetensors(ws.dir), /is a folder, not a file/);
  const file = ws.write('trunc.safetensors', craft({ w: entry('F32', [4], [0, 16]) }, 8));
  await assert.rejects(readSafetensors(file), (error: unknown) => {
    assert.ok(error instanceof CheckpointError);
    assert.ok(error.message.startsWith(`${file}: tensor "w": `), error.message);
    return true;
  });
});

test('the writer refuses tensors whose shape does not match the data, or the reserved name', async (t) => {
  const ws = tempWorkspace(t);
  const file = ws.path('w.safetensors');
  await assert.rejects(writeSafetensors(file, { 'cls.weight': f32([2, 2], [1, 2, 3]) }), (error: unknown) => {
    assert.ok(error instanceof CheckpointError);
    assert.equal(error.tensor, 'cls.weight');
    assert.match(
      error.message,
      /w\.safetensors: tensor "cls\.weight" cannot be saved: shape \[2,2\] holds 4 values but the data has 3/,
    );
    return true;
  });
  await assert.rejects(writeSafetensors(file, { __metadata__: f32([1], [1]) }), /reserved/);
  await assert.rejects(writeSafetensors(file, { x: f32([-1], []) }), /not an integer >= 0/);
  assert.deepEqual(readdirSync(ws.dir), [], 'nothing was written');
});

// ---------------------------------------------------------------------------------------------------------------
// Checkpoint folders

test('reads model.safetensors from a folder', async (t) => {
  const ws = tempWorkspace(t);
  await writeSafetensors(ws.path('m/model.safetensors'), { w: f32([1], [4]) }, { format: 'pt' });
  const checkpoint = await readSafetensorsCheckpoint(ws.path('m'));
  assert.deepEqual(checkpoint.files, [ws.path('m/model.safetensors')]);
  assert.deepEqual(checkpoint.tensors.get('w'), f32([1], [4]));
  assert.deepEqual(checkpoint.metadata, { format: 'pt' });
});

async function writeSharded(dir: string, weightMap: Record<string, string>): Promise<void> {
  await writeSafetensors(
    join(dir, 'model-00001-of-00002.safetensors'),
    {
      'embeddings.weight': f32([2, 2], [1, 2, 3, 4]),
      'layer.0.weight': f32([2], [5, 6]),
    },
    { format: 'pt' },
  );
  await writeSafetensors(
    join(dir, 'model-00002-of-00002.safetensors'),
    {
      'layer.1.weight': f32([2], [7, 8]),
      position_ids: { dtype: 'I64', shape: [2], data: BigInt64Array.from([0n, 1n]) },
    },
    { format: 'pt' },
  );
  const index = { metadata: { total_size: 48 }, weight_map: weightMap };
  await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify(index, null, 2));
}

const SHARDS = {
  'embeddings.weight': 'model-00001-of-00002.safetensors',
  'layer.0.weight': 'model-00001-of-00002.safetensors',
  'layer.1.weight': 'model-00002-of-00002.safetensors',
  position_ids: 'model-00002-of-00002.safetensors',
};

test('reads a sharded checkpoint through model.safetensors.index.json', async (t) => {
  const ws = tempWorkspace(t);
  await writeSharded(ws.dir, SHARDS);
  const checkpoint = await readSafetensorsCheckpoint(ws.dir);
  assert.deepEqual([...checkpoint.tensors.keys()].sort(), Object.keys(SHARDS).sort());
  assert.deepEqual(checkpoint.tensors.get('layer.1.weight'), f32([2], [7, 8]));
  assert.deepEqual(
    checkpoint.files.map((f) => f.slice(ws.dir.length + 1)),
    ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'],
  );
  assert.deepEqual(checkpoint.metadata, { format: 'pt' });
});

test('a sharded index must name tensors that exist, in shards that exist, inside the folder', async (t) => {
  const ws = tempWorkspace(t);
  const dir = ws.path('ckpt');
  ws.write('outside.safetensors', serializeSafetensors({ 'layer.0.weight': f32([2], [5, 6]) }));
  const cases: [Record<string, string>, RegExp][] = [
    [
      { ...SHARDS, 'layer.2.weight': 'model-00002-of-00002.safetensors' },
      /model-00002-of-00002\.safetensors: tensor "layer\.2\.weight" is missing/,
    ],
    [
      { ...SHARDS, 'layer.0.weight': 'model-00003-of-00002.safetensors' },
      /tensor "layer\.0\.weight": shard "model-00003-of-00002\.safetensors" does not exist/,
    ],
    [
      { ...SHARDS, 'layer.0.weight': '../outside.safetensors' },
      /shard "\.\.\/outside\.safetensors" points outside the checkpoint folder/,
    ],
    [{ ...SHARDS, 'layer.0.weight': ws.path('outside.safetensors') }, /points outside the checkpoint folder/],
    [
      { ...SHARDS, 'layer.0.weight': 'sub/../../outside.safetensors' },
      /points outside the checkpoint folder/,
    ],
    [{ ...SHARDS, 'layer.0.weight': '.' }, /points outside the checkpoint folder/],
    [
      { ...SHARDS, 'layer.0.weight': 'pytorch_model-00001-of-00002.bin' },
      /is not a \.safetensors file \(pickles are never opened\)/,
    ],
    [{ ...SHARDS, 'layer.0.weight': 'link.safetensors' }, /links outside the checkpoint folder/],
  ];
  for (const [weightMap, pattern] of cases) {
    await writeSharded(dir, weightMap);
    try {
      symlinkSync(ws.path('outside.safetensors'), join(dir, 'link.safetensors'));
    } catch {
      // already there from an earlier case
    }
    await assert.rejects(readSafetensorsCheckpoint(dir), (error: unknown) => {
      assert.ok(error instanceof CheckpointError, String(error));
      assert.match(error.message, pattern);
      return true;
    });
  }
});

test('a broken index file is a CheckpointError naming it', async (t) => {
  const ws = tempWorkspace(t);
  const index = ws.write('model.safetensors.index.json', '{"weight_map": ');
  await assert.rejects(readSafetensorsCheckpoint(ws.dir), (error: unknown) => {
    assert.ok(error instanceof CheckpointError);
    assert.ok(error.message.startsWith(`${index}: not JSON`), error.message);
    return true;
  });
  ws.write('model.safetensors.index.json', '{"metadata": {}}');
  await assert.rejects(readSafetensorsCheckpoint(ws.dir), /"weight_map" is missing or not an object/);
  ws.write('model.safetensors.index.json', '{"weight_map": {"w": 3}}');
  await assert.rejects(readSafetensorsCheckpoint(ws.dir), /the shard for tensor "w" is not a file name/);
});

test('a folder with only pickle weights is refused with why and how to convert', async (t) => {
  const ws = tempWorkspace(t);
  ws.write('config.json', '{}');
  ws.write('pytorch_model.bin', 'not opened');
  ws.write('extra.pt', 'not opened');
  await assert.rejects(readSafetensorsCheckpoint(ws.dir), (error: unknown) => {
    assert.ok(error instanceof CheckpointError);
    assert.equal(error.file, ws.dir);
    assert.ok(
      error.message.startsWith(`${ws.dir}: holds only PyTorch pickle weights (extra.pt, pytorch_model.bin)`),
    );
    assert.match(error.message, /can execute arbitrary code/);
    assert.match(error.message, /from transformers import AutoModel/);
    assert.match(
      error.message,
      /AutoModel\.from_pretrained\(d\)\.save_pretrained\(d, safe_serialization=True\)/,
    );
    return true;
  });
});

test('an empty or missing folder says what is expected', async (t) => {
  const ws = tempWorkspace(t);
  await assert.rejects(
    readSafetensorsCheckpoint(ws.dir),
    /no model\.safetensors or model\.safetensors\.index\.json/,
  );
  ws.write('adapter.safetensors', serializeSafetensors({}));
  await assert.rejects(readSafetensorsCheckpoint(ws.dir), /It has adapter\.safetensors; rename/);
  await assert.rejects(readSafetensorsCheckpoint(ws.path('missing')), /does not exist or cannot be read/);
});
