// The exported ONNX graph computes what the TensorFlow.js model computes: for every model fixture, on batches of
// 1..64 rows, lengths 1..64, padding and text pairs, logits (or the last hidden state), every hidden state and every
// attention map agree within 1e-4 on onnxruntime. Also: the file's interface (names, types, dynamic axes, metadata),
// the other opsets, and agreement with PyTorch's own ONNX export where the fixture has one.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { initBackend } from '../../../src/trainer/backend/backend';
import { loadModel } from '../../../src/trainer/checkpoint/modelCheckpoint';
import { labelNames } from '../../../src/trainer/models/modelConfig';
import { SeedStream } from '../../../src/trainer/models/nn';
import { exportOnnxBytes } from '../../../src/trainer/onnx/exportGraph';
import { DataType, decodeModel } from '../../../src/trainer/onnx/onnxProto';
import { compareWithReference, computeReference } from '../../../src/trainer/onnx/verify';
import { makeBatch } from '../../../src/trainer/onnx/verifyInputs';
import { MODEL_FIXTURES, modelFixtures } from './onnxFixtures';

const TOLERANCE = 1e-4;

before(async () => {
  await initBackend('cpu');
});

for (const name of modelFixtures()) {
  test(`${name}: ONNX matches TensorFlow.js within ${TOLERANCE} (outputs, hidden states, attentions)`, async () => {
    const { model, config } = await loadModel(join(MODEL_FIXTURES, name));
    try {
      const bytes = exportOnnxBytes(model, { withHidden: true });
      const reference = computeReference(model, config.max_position_embeddings, true);
      const report = await compareWithReference(bytes, reference, { tolerance: TOLERANCE, gateHidden: true });
      assert.ok(report.passed, JSON.stringify(report.cases));
      assert.ok(report.maxAbsDiff < TOLERANCE, `${report.output}: ${report.maxAbsDiff}`);
      assert.ok(
        (report.hiddenMaxAbsDiff ?? Infinity) < TOLERANCE,
        `hidden states: ${report.hiddenMaxAbsDiff}`,
      );
      assert.ok(
        (report.attentionsMaxAbsDiff ?? Infinity) < TOLERANCE,
        `attentions: ${report.attentionsMaxAbsDiff}`,
      );
      if (model.head !== 'encoder') assert.equal(report.agreement?.rate, 1);
      // The cases cover single tokens, the full length, several batch sizes, padding and pairs.
      const lengths = report.cases.map((c) => c.length);
      assert.ok(lengths.includes(1) && lengths.includes(config.max_position_embeddings));
      assert.deepEqual(new Set(report.cases.map((c) => c.batch)), new Set([1, 2, 4, 64]));
      assert.ok(report.cases.some((c) => c.padded && c.pairs));

      // The interface inference/onnxModel.ts and other runtimes rely on.
      const proto = decodeModel(bytes);
      assert.equal(proto.ir_version, 8);
      assert.deepEqual(
        proto.opset_import.map((o) => [o.domain ?? '', o.version]),
        [['', 17]],
      );
      assert.ok(
        proto.graph.node.every((n) => (n.domain ?? '') === ''),
        'only default-domain ops',
      );
      for (const input of proto.graph.input) {
        assert.equal(input.type.tensor_type.elem_type, DataType.INT64);
        assert.deepEqual(input.type.tensor_type.shape.dim, [
          { dim_param: 'batch_size' },
          { dim_param: 'sequence_length' },
        ]);
      }
      assert.deepEqual(
        proto.graph.input.map((i) => i.name),
        ['input_ids', 'attention_mask', 'token_type_ids'],
      );
      const layers = config.num_hidden_layers;
      assert.deepEqual(
        proto.graph.output.map((o) => o.name),
        [
          model.head === 'encoder' ? 'last_hidden_state' : 'logits',
          ...Array.from({ length: layers + 1 }, (_, i) => `hidden_states.${i}`),
          ...Array.from({ length: layers }, (_, i) => `attentions.${i}`),
        ],
      );
      const metadata = Object.fromEntries(proto.metadata_props.map((p) => [p.key, p.value]));
      assert.equal(metadata['model_type'], config.model_type);
      assert.equal(metadata['max_length'], String(config.max_position_embeddings));
      assert.equal(
        metadata['distill-studio'],
        (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version,
      );
      assert.equal(metadata['parameter_count'], String(model.params.count()));
      if (model.head === 'sequence-classification') {
        const labels = JSON.parse(metadata['labels'] ?? '{}') as Record<string, string>;
        assert.deepEqual(Object.values(labels), labelNames(config));
      }
      assert.ok(
        proto.graph.initializer.every((t) => (t.raw_data?.byteLength ?? 0) > 0 || t.dims.includes(0)),
      );
    } finally {
      model.params.dispose();
    }
  });
}

test('without --with-hidden only the main output exists; the masked-LM decoder reuses the word embeddings', async () => {
  for (const name of ['bert-mlm', 'mobilebert-mlm']) {
    const { model } = await loadModel(join(MODEL_FIXTURES, name));
    const proto = decodeModel(exportOnnxBytes(model));
    assert.deepEqual(
      proto.graph.output.map((o) => o.name),
      ['logits'],
    );
    const dims = proto.graph.output[0]?.type.tensor_type.shape.dim;
    assert.deepEqual(dims, [
      { dim_param: 'batch_size' },
      { dim_param: 'sequence_length' },
      { dim_value: model.config.vocab_size },
    ]);
    const tables = proto.graph.initializer.filter((t) => t.name.includes('word_embeddings'));
    assert.equal(tables.length, 1, `${name}: one word-embedding table, tied to the decoder`);
    model.params.dispose();
  }
});

const OPSET_CASES: [number, string[]][] = [
  [13, ['bert-cls', 'mobilebert-mlm']],
  [21, ['mobilebert-plain']],
];

for (const [opset, names] of OPSET_CASES) {
  test(`opset ${opset} (LayerNormalization ${opset < 17 ? 'decomposed' : 'native'}) matches within ${TOLERANCE}`, async () => {
    for (const name of names) {
      const { model } = await loadModel(join(MODEL_FIXTURES, name));
      const bytes = exportOnnxBytes(model, { opset, withHidden: true });
      const proto = decodeModel(bytes);
      assert.equal(proto.ir_version, opset === 13 ? 7 : 10);
      assert.equal(
        proto.graph.node.some((n) => n.op_type === 'LayerNormalization'),
        opset >= 17,
      );
      const report = await compareWithReference(bytes, computeReference(model, 64, true), {
        tolerance: TOLERANCE,
        gateHidden: true,
      });
      assert.ok(
        report.passed,
        `${name} opset ${opset}: ${report.maxAbsDiff}, hidden ${report.hiddenMaxAbsDiff}`,
      );
      model.params.dispose();
    }
  });
}

test('--max-length is recorded and validated against the position embeddings', async () => {
  const { model } = await loadModel(join(MODEL_FIXTURES, 'bert-cls'));
  const proto = decodeModel(exportOnnxBytes(model, { maxLength: 16, metadata: { do_lower_case: 'true' } }));
  const metadata = Object.fromEntries(proto.metadata_props.map((p) => [p.key, p.value]));
  assert.equal(metadata['max_length'], '16');
  assert.equal(metadata['do_lower_case'], 'true');
  assert.throws(() => exportOnnxBytes(model, { maxLength: 65 }), /max_position_embeddings/);
  assert.throws(() => exportOnnxBytes(model, { opset: 12 }), /opset 12/);
  model.params.dispose();
});

test("our export agrees with PyTorch's ONNX export of the same checkpoint", async (t) => {
  for (const name of ['bert-cls', 'mobilebert-cls']) {
    const torchFile = join('test/fixtures/onnx', name, 'model.onnx');
    if (!existsSync(torchFile)) {
      t.diagnostic(`${torchFile} is absent; skipped`);
      continue;
    }
    const { model } = await loadModel(join(MODEL_FIXTURES, name));
    const ours = await ort.InferenceSession.create(exportOnnxBytes(model));
    const theirs = await ort.InferenceSession.create(torchFile);
    const b = makeBatch(
      { batch: 5, length: 20, padded: true, pairs: true },
      model.config.vocab_size,
      2,
      new SeedStream(9),
    );
    const int64 = (data: Int32Array): ort.Tensor =>
      new ort.Tensor(
        'int64',
        BigInt64Array.from(data, (v) => BigInt(v)),
        [5, 20],
      );
    const feeds = {
      input_ids: int64(b.inputIds),
      attention_mask: int64(b.attentionMask),
      token_type_ids: int64(b.tokenTypeIds),
    };
    const a = (await ours.run(feeds))['logits']?.data as Float32Array;
    const p = (await theirs.run(feeds))['logits']?.data as Float32Array;
    assert.equal(a.length, p.length);
    const worst = Math.max(...Array.from(a, (v, i) => Math.abs(v - (p[i] ?? NaN))));
    assert.ok(worst < TOLERANCE, `${name}: max |ours - PyTorch| ${worst}`);
    await ours.release();
    await theirs.release();
    model.params.dispose();
  }
});
