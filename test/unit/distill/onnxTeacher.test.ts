// The ONNX teacher runner against the TensorFlow.js one on the same weights and batch: logits, every hidden state
// and attention map (and masked-LM logits at gathered positions) within 1e-4, on padded batches with text pairs,
// also through files that fix the sequence length or the batch size; and the clear errors for a file exported without
// --with-hidden, for mse-scores attention, and for a batch longer than a fixed-length file.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend/backend';
import { loadModel } from '../../../src/trainer/checkpoint/modelCheckpoint';
import { UserError } from '../../../src/trainer/cliErrors';
import { openOnnxTeacher } from '../../../src/trainer/distill/onnxTeacher';
import { tfjsTeacher, type TeacherRunner } from '../../../src/trainer/distill/teacherRunner';
import type { TransformerModel } from '../../../src/trainer/models/createModel';
import { SeedStream } from '../../../src/trainer/models/nn';
import { exportOnnxBytes } from '../../../src/trainer/onnx/exportGraph';
import { decodeModel, encodeModel } from '../../../src/trainer/onnx/onnxProto';
import { disposeBatch, makeBatch, type Batch, type EncodedExample } from '../../../src/trainer/train/dataset';
import {
  disposeTeacherOutput,
  type TeacherNeeds,
  type TeacherOutput,
} from '../../../src/trainer/train/distillStep';

const TOLERANCE = 1e-4;

before(async () => {
  await initBackend('cpu');
});

/** Rows of different lengths (so the batch pads), every other one a text pair. */
function rows(count: number, vocab: number, seed: number, maxLength: number): EncodedExample[] {
  const random = new SeedStream(seed);
  return Array.from({ length: count }, (_, i) => {
    const n = 3 + Math.floor(random.nextUnit() * (maxLength - 3));
    const inputIds = Array.from({ length: n }, (_, j) =>
      j === 0 ? 2 : j === n - 1 ? 3 : 5 + Math.floor(random.nextUnit() * (vocab - 5)),
    );
    const split = Math.floor(n / 2);
    const tokenTypeIds = inputIds.map((_, j) => (i % 2 === 1 && j >= split ? 1 : 0));
    return { inputIds, tokenTypeIds, label: i % 3 };
  });
}

function allNeeds(layers: number, logits: boolean): TeacherNeeds {
  return {
    logits,
    maskedLm: false,
    hiddenLayers: Array.from({ length: layers + 1 }, (_, i) => i),
    attentionLayers: Array.from({ length: layers }, (_, i) => i + 1),
    attentionKind: 'probs',
  };
}

function maxDiff(a: tf.Tensor | undefined, b: tf.Tensor | undefined, what: string): number {
  assert.ok(a !== undefined && b !== undefined, `${what} missing`);
  assert.deepEqual(a.shape, b.shape, `${what} shape`);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Infinity);
}

/** Compares every output both runners gave; returns how many tensors were compared. */
function assertSameOutputs(onnx: TeacherOutput, tfjs: TeacherOutput, needs: TeacherNeeds): number {
  let compared = 0;
  if (needs.logits) {
    assert.ok(maxDiff(onnx.logits, tfjs.logits, 'logits') < TOLERANCE, 'logits');
    compared++;
  }
  for (const layer of needs.hiddenLayers) {
    const d = maxDiff(onnx.hidden.get(layer), tfjs.hidden.get(layer), `hidden_states.${layer}`);
    assert.ok(d < TOLERANCE, `hidden_states.${layer}: ${d}`);
    compared++;
  }
  for (const layer of needs.attentionLayers) {
    const d = maxDiff(onnx.attention.get(layer), tfjs.attention.get(layer), `attentions.${layer - 1}`);
    assert.ok(d < TOLERANCE, `attentions.${layer - 1}: ${d}`);
    compared++;
  }
  return compared;
}

async function compareOn(
  onnx: TeacherRunner,
  model: TransformerModel,
  batch: Batch,
  needs: TeacherNeeds,
): Promise<number> {
  const a = await onnx.run(batch, needs);
  const b = await tfjsTeacher(model).run(batch, needs);
  try {
    return assertSameOutputs(a, b, needs);
  } finally {
    disposeTeacherOutput(a);
    disposeTeacherOutput(b);
  }
}

/** Every input's batch and/or sequence axis fixed, as static-shape exporters write them. */
function fixDims(bytes: Uint8Array, dims: { batch?: number; length?: number }): Uint8Array {
  const model = decodeModel(bytes);
  const input = model.graph.input.map((i) => {
    const [batch, length] = i.type.tensor_type.shape.dim;
    return {
      ...i,
      type: {
        tensor_type: {
          ...i.type.tensor_type,
          shape: {
            dim: [
              dims.batch !== undefined ? { dim_value: dims.batch } : (batch ?? { dim_param: 'batch' }),
              dims.length !== undefined ? { dim_value: dims.length } : (length ?? { dim_param: 'sequence' }),
            ],
          },
        },
      },
    };
  });
  return encodeModel({ ...model, graph: { ...model.graph, input } });
}

test('ONNX and TensorFlow.js teacher runners agree on logits, hidden states and attentions (padded, pairs)', async () => {
  const { model } = await loadModel('test/fixtures/models/bert-cls');
  const layers = model.config.num_hidden_layers;
  const onnx = await openOnnxTeacher(exportOnnxBytes(model, { withHidden: true }), model.config, {
    threads: 1,
    weights: model,
    label: 'teacher.onnx',
  });
  try {
    assert.equal(onnx.kind, 'onnx');
    assert.equal(onnx.fixedLength, undefined);
    assert.ok(onnx.classifies);
    for (const [count, seed] of [
      [1, 1],
      [7, 2],
      [16, 3],
    ] as const) {
      const examples = rows(count, model.config.vocab_size, seed, 24);
      const batch = makeBatch(examples);
      const lengths = new Set(examples.map((e) => e.inputIds.length));
      if (count > 1) assert.ok(lengths.size > 1, 'the batch pads');
      const compared = await compareOn(onnx, model, batch, allNeeds(layers, true));
      assert.equal(compared, 1 + (layers + 1) + layers);
      // Only what a stage asks for: one hidden layer, one attention layer, no logits.
      const some: TeacherNeeds = { ...allNeeds(layers, false), hiddenLayers: [layers], attentionLayers: [1] };
      const out = await onnx.run(batch, some);
      assert.equal(out.logits, undefined);
      assert.deepEqual([...out.hidden.keys()], [layers]);
      assert.deepEqual([...out.attention.keys()], [1]);
      disposeTeacherOutput(out);
      disposeBatch(batch);
    }
  } finally {
    await onnx.dispose();
    model.params.dispose();
  }
});

test('a fixed-length ONNX teacher runs padded and cut back to the batch length; a longer batch is a UserError', async () => {
  const { model } = await loadModel('test/fixtures/models/bert-cls');
  const layers = model.config.num_hidden_layers;
  const bytes = fixDims(exportOnnxBytes(model, { withHidden: true }), { length: 20 });
  const onnx = await openOnnxTeacher(bytes, model.config, { threads: 1, label: 'fixed.onnx' });
  try {
    assert.equal(onnx.fixedLength, 20);
    const batch = makeBatch(rows(5, model.config.vocab_size, 9, 15));
    assert.ok(batch.inputIds.shape[1] < 20, 'shorter than the fixed length');
    await compareOn(onnx, model, batch, allNeeds(layers, true));
    disposeBatch(batch);
    const long = makeBatch(rows(3, model.config.vocab_size, 4, 40).map((e) => ({ ...e })));
    if (long.inputIds.shape[1] <= 20) throw new Error('fixture rows too short for this case');
    await assert.rejects(onnx.run(long, allNeeds(layers, true)), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /takes exactly 20 tokens/);
      assert.match(e.message, /"data\.maxLength" to at most 20/);
      return true;
    });
    disposeBatch(long);
  } finally {
    await onnx.dispose();
    model.params.dispose();
  }
});

test('a fixed-batch ONNX teacher (also with a fixed length) runs in chunks; a short last chunk is dropped', async () => {
  const { model } = await loadModel('test/fixtures/models/bert-cls');
  const layers = model.config.num_hidden_layers;
  const plain = exportOnnxBytes(model, { withHidden: true });
  try {
    for (const dims of [{ batch: 1 }, { batch: 3 }, { batch: 4, length: 24 }]) {
      const onnx = await openOnnxTeacher(fixDims(plain, dims), model.config, {
        threads: 1,
        label: 'fixed.onnx',
      });
      try {
        for (const count of [1, 7]) {
          const batch = makeBatch(rows(count, model.config.vocab_size, 11 + count, 20));
          assert.equal(
            await compareOn(onnx, model, batch, allNeeds(layers, true)),
            1 + (layers + 1) + layers,
          );
          disposeBatch(batch);
        }
      } finally {
        await onnx.dispose();
      }
    }
  } finally {
    model.params.dispose();
  }
});

test('masked-LM logits at gathered positions agree between the ONNX encoder (+ TF.js head) and TensorFlow.js', async () => {
  const { model } = await loadModel('test/fixtures/models/bert-mlm', { head: 'masked-lm' });
  assert.ok(model.hasMaskedLmHead);
  const encoder = Object.assign(
    Object.create(Object.getPrototypeOf(model) as object) as TransformerModel,
    model,
    {
      head: 'encoder' as const,
    },
  );
  const onnx = await openOnnxTeacher(exportOnnxBytes(encoder, { withHidden: true }), model.config, {
    threads: 1,
    weights: model,
    label: 'mlm.onnx',
  });
  try {
    assert.equal(onnx.classifies, false);
    const batch = makeBatch(rows(6, model.config.vocab_size, 5, 20));
    const positions = tf.tensor1d(
      [1, 2, batch.inputIds.shape[1] + 1, 3 * batch.inputIds.shape[1] + 2],
      'int32',
    );
    const needs: TeacherNeeds = {
      ...allNeeds(0, false),
      hiddenLayers: [],
      attentionLayers: [],
      maskedLm: true,
    };
    const a = await onnx.run(batch, needs, positions);
    const b = await tfjsTeacher(model).run(batch, needs, positions);
    const d = maxDiff(a.maskedLmLogits, b.maskedLmLogits, 'masked-LM logits');
    assert.ok(d < TOLERANCE, `masked-LM logits: ${d}`);
    assert.equal(a.maskedLmLogits?.shape[1], model.config.vocab_size);
    disposeTeacherOutput(a);
    disposeTeacherOutput(b);
    positions.dispose();
    disposeBatch(batch);
  } finally {
    await onnx.dispose();
    model.params.dispose();
  }
});

test('a file exported without --with-hidden names the missing output and how to re-export; mse-scores is refused', async () => {
  const { model } = await loadModel('test/fixtures/models/bert-cls');
  const onnx = await openOnnxTeacher(exportOnnxBytes(model), model.config, {
    threads: 1,
    label: 'teacher.onnx (plain.onnx)',
  });
  const batch = makeBatch(rows(4, model.config.vocab_size, 6, 12));
  try {
    assert.deepEqual(onnx.outputNames, ['logits']);
    // Soft labels alone need only the logits, which it has.
    const logitsOnly = await onnx.run(batch, { ...allNeeds(0, true), hiddenLayers: [], attentionLayers: [] });
    assert.ok(logitsOnly.logits !== undefined);
    disposeTeacherOutput(logitsOnly);
    await assert.rejects(
      onnx.run(batch, { ...allNeeds(0, true), hiddenLayers: [2], attentionLayers: [] }),
      (e: unknown) => {
        assert.ok(e instanceof UserError, String(e));
        assert.match(e.message, /teacher\.onnx \(plain\.onnx\) has no output "hidden_states\.2"/);
        assert.match(e.message, /its outputs are logits/);
        assert.match(e.message, /distill-studio export --model .* --with-hidden/);
        return true;
      },
    );
    await assert.rejects(
      onnx.run(batch, { ...allNeeds(0, true), hiddenLayers: [], attentionLayers: [1] }),
      /has no output "attentions\.0"/,
    );
    await assert.rejects(
      onnx.run(batch, {
        ...allNeeds(0, false),
        hiddenLayers: [],
        attentionLayers: [1],
        attentionKind: 'scores',
      }),
      (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.match(e.message, /"mse-scores" needs pre-softmax scores/);
        assert.match(e.message, /Use "kind": "mse" or "kl", or "teacher\.runtime": "tfjs"/);
        return true;
      },
    );
  } finally {
    disposeBatch(batch);
    await onnx.dispose();
    model.params.dispose();
  }
});
