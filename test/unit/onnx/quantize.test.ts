// Reduced-precision exports: the float16 and int8 number formats, the graph patterns (Casts around LayerNorm and
// Softmax in fp16; DynamicQuantizeLinear + MatMulInteger in int8), and accuracy on every fixture. Bounds measured
// on the fixtures (verification set, 72 classified rows / ~1000 masked-LM tokens each):
//   fp16: max |logit diff| <= 1.3e-2 and <= 3.1e-3 x the largest |logit|; argmax agreement >= 99.9%
//   int8: max |logit diff| <= 0.17 x the largest |logit| (MobileBERT with NoNorm is the worst); agreement >= 94.4%
// The asserted bounds below leave a margin over those.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { initBackend } from '../../../src/trainer/backend/backend';
import { loadModel } from '../../../src/trainer/checkpoint/modelCheckpoint';
import { exportOnnxBytes } from '../../../src/trainer/onnx/exportGraph';
import { collapseWarning } from '../../../src/trainer/onnx/exportModel';
import { INT8_WEIGHT_RANGE } from '../../../src/trainer/onnx/layers';
import { DataType, decodeModel } from '../../../src/trainer/onnx/onnxProto';
import {
  float16Bits,
  fromFloat16Bits,
  quantizePerColumn,
  toFloat16,
} from '../../../src/trainer/onnx/quantize';
import {
  compareWithReference,
  computeReference,
  predictionsCollapsed,
  type VerifyReport,
} from '../../../src/trainer/onnx/verify';
import { MODEL_FIXTURES, modelFixtures } from './onnxFixtures';

before(async () => {
  await initBackend('cpu');
});

test('float32 -> float16 rounds to nearest even and handles overflow, subnormals and NaN', () => {
  assert.equal(float16Bits(1), 0x3c00);
  assert.equal(float16Bits(-2), 0xc000);
  assert.equal(float16Bits(0.1), 0x2e66);
  assert.equal(float16Bits(65504), 0x7bff);
  assert.equal(float16Bits(65520), 0x7c00); // halfway to the next binade rounds up to Infinity
  assert.equal(float16Bits(-1e6), 0xfc00);
  assert.equal(float16Bits(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(float16Bits(1e-8), 0x0000);
  assert.equal(float16Bits(1 + 2 ** -11), 0x3c00); // tie -> even
  assert.equal(float16Bits(1 + 3 * 2 ** -11), 0x3c02); // tie -> even (up)
  assert.ok(Number.isNaN(fromFloat16Bits(float16Bits(NaN))));
  const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 10 ** ((i % 9) - 4));
  const bits = toFloat16(values);
  values.forEach((v, i) => {
    const back = fromFloat16Bits(bits[i] ?? 0);
    assert.ok(Math.abs(back - v) <= Math.max(Math.abs(v) * 2 ** -11, 2 ** -25), `${v} -> ${back}`);
  });
});

test('per-column int8 weights stay in range and reconstruct within half a step', () => {
  const rows = 5;
  const cols = 3;
  const weight = Float32Array.from({ length: rows * cols }, (_, i) =>
    i % cols === 2 ? 0 : Math.cos(i) * (1 + (i % cols) * 9),
  );
  const { values, scales } = quantizePerColumn(weight, rows, cols, INT8_WEIGHT_RANGE);
  assert.equal(scales[2], 1, 'an all-zero column gets scale 1');
  for (let k = 0; k < rows; k++) {
    for (let n = 0; n < cols; n++) {
      const q = values[k * cols + n] ?? 0;
      assert.ok(Math.abs(q) <= INT8_WEIGHT_RANGE);
      const error = Math.abs(q * (scales[n] ?? 0) - (weight[k * cols + n] ?? 0));
      assert.ok(error <= (scales[n] ?? 0) / 2 + 1e-7);
    }
  }
  // Each column's largest |w| maps to the range end.
  assert.ok(
    [0, 1].every((n) =>
      Array.from({ length: rows }, (_, k) => Math.abs(values[k * cols + n] ?? 0)).includes(INT8_WEIGHT_RANGE),
    ),
  );
});

test('fp16 graphs keep float32 interfaces and run LayerNorm and Softmax in float32; int8 graphs quantize every Linear', async () => {
  const { model } = await loadModel(join(MODEL_FIXTURES, 'bert-cls'));
  const fp32 = decodeModel(exportOnnxBytes(model));
  const fp16 = decodeModel(exportOnnxBytes(model, { precision: 'fp16', withHidden: true }));
  const int8 = decodeModel(exportOnnxBytes(model, { precision: 'int8' }));
  model.params.dispose();
  for (const output of fp16.graph.output) assert.equal(output.type.tensor_type.elem_type, DataType.FLOAT);
  const producers = new Map(fp16.graph.node.flatMap((n) => n.output.map((o) => [o, n] as const)));
  for (const node of fp16.graph.node.filter(
    (n) => n.op_type === 'LayerNormalization' || n.op_type === 'Softmax',
  )) {
    const input = producers.get(node.input[0] ?? '');
    // Softmax's input is Add(scores in float32, mask); LayerNormalization's is a Cast to float32.
    assert.ok(
      input?.op_type === 'Cast' || input?.op_type === 'Add',
      `${node.name} input from ${input?.op_type}`,
    );
  }
  const layerNormParams = new Set(
    fp16.graph.node.filter((n) => n.op_type === 'LayerNormalization').flatMap((n) => n.input.slice(1)),
  );
  for (const t of fp16.graph.initializer.filter(
    (i) => i.data_type === DataType.FLOAT || i.data_type === DataType.FLOAT16,
  )) {
    const expected =
      layerNormParams.has(t.name) || t.name.startsWith('const.f32') ? DataType.FLOAT : DataType.FLOAT16;
    assert.equal(t.data_type, expected, t.name);
  }
  const linears = fp32.graph.node.filter(
    (n) => n.op_type === 'MatMul' && n.input[1]?.endsWith('.weight.T'),
  ).length;
  assert.equal(int8.graph.node.filter((n) => n.op_type === 'MatMulInteger').length, linears);
  assert.ok(int8.graph.node.some((n) => n.op_type === 'DynamicQuantizeLinear'));
  assert.equal(
    int8.graph.node.filter((n) => n.op_type === 'MatMul' && n.input[1]?.endsWith('.weight.T')).length,
    0,
  );
  // Per channel: every int8 weight [in, out] has its own float32 scale per output column, and the scales differ.
  const byName = new Map(int8.graph.initializer.map((i) => [i.name, i]));
  for (const node of int8.graph.node.filter((n) => n.op_type === 'MatMulInteger')) {
    const weight = byName.get(node.input[1] ?? '');
    const scale = byName.get((node.input[1] ?? '').replace(/\.int8$/, '.scale'));
    assert.equal(weight?.data_type, DataType.INT8, node.name);
    assert.equal(scale?.data_type, DataType.FLOAT, node.name);
    assert.deepEqual(scale?.dims, [weight?.dims[1]], `${node.name}: one scale per output column`);
    const raw = scale?.raw_data ?? new Uint8Array();
    const scales = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    assert.ok(new Set(scales).size > 1, `${node.name}: per-channel scales differ`);
  }
  for (const t of int8.graph.initializer.filter((i) => i.data_type === DataType.INT8)) {
    const raw = t.raw_data ?? new Uint8Array();
    const values = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    assert.ok(
      values.every((v) => Math.abs(v) <= INT8_WEIGHT_RANGE),
      t.name,
    );
  }
});

for (const name of modelFixtures()) {
  test(`${name}: fp16 and int8 exports stay close to the float32 model`, async () => {
    const { model } = await loadModel(join(MODEL_FIXTURES, name));
    try {
      const reference = computeReference(model, model.config.max_position_embeddings, false);
      const fp32Bytes = exportOnnxBytes(model).length;
      const results: Record<string, VerifyReport> = {};
      for (const precision of ['fp16', 'int8'] as const) {
        const bytes = exportOnnxBytes(model, { precision });
        results[precision] = await compareWithReference(bytes, reference, {
          tolerance: undefined,
          gateHidden: false,
        });
        assert.ok(
          bytes.length < fp32Bytes * (precision === 'fp16' ? 0.75 : 0.95),
          `${precision} file size ${bytes.length} vs ${fp32Bytes}`,
        );
      }
      const fp16 = results['fp16'];
      const int8 = results['int8'];
      assert.ok(fp16 && int8);
      assert.ok(
        fp16.maxAbsDiff <= 3e-2 && fp16.maxAbsDiff <= 6e-3 * fp16.referenceScale,
        `fp16: ${fp16.maxAbsDiff}`,
      );
      assert.ok(
        int8.maxAbsDiff <= 0.25 * int8.referenceScale,
        `int8: ${int8.maxAbsDiff} (largest |logit| ${int8.referenceScale})`,
      );
      if (model.head !== 'encoder') {
        assert.ok((fp16.agreement?.rate ?? 0) >= 0.99, `fp16 agreement ${fp16.agreement?.rate}`);
        assert.ok((int8.agreement?.rate ?? 0) >= 0.9, `int8 agreement ${int8.agreement?.rate}`);
      }
      assert.equal(int8.collapsed, false);
    } finally {
      model.params.dispose();
    }
  });
}

test('a model that predicts one class where the original predicts several is reported loudly, with numbers', () => {
  assert.equal(predictionsCollapsed([30, 34], [64, 0]), true);
  assert.equal(predictionsCollapsed([30, 34], [20, 44]), false);
  assert.equal(predictionsCollapsed([64, 0], [64, 0]), false, 'the original itself predicts one class');
  const report: VerifyReport = {
    output: 'logits',
    cases: [],
    maxAbsDiff: 2.5,
    referenceScale: 3,
    agreement: { agree: 30, total: 64, rate: 30 / 64 },
    classCounts: { reference: [30, 34], onnx: [64, 0] },
    collapsed: true,
    tolerance: undefined,
    passed: true,
  };
  const warning = collapseWarning('int8', report) ?? '';
  assert.match(warning, /^PREDICTIONS COLLAPSED: the int8 model predicts one class/);
  assert.match(
    warning,
    /class counts 0:64 1:0\) where the original predicts several \(0:30 1:34\); agreement 46\.9%/,
  );
  assert.equal(collapseWarning('int8', { ...report, collapsed: false }), undefined);
});
