// Numerical parity with Hugging Face transformers: fixtures written by test/fixtures/models/generate.py hold small
// random checkpoints and PyTorch's outputs; logits, every hidden state and every attention map match within 1e-4.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend/backend';
import { readSafetensors, toFloat32 } from '../../../src/trainer/checkpoint/safetensors';
import { loadModel } from '../../../src/trainer/checkpoint/modelCheckpoint';
import { MASKED_SCORE } from '../../../src/trainer/models/nn';

const FIXTURES = 'test/fixtures/models';
const TOLERANCE = 1e-4;

before(async () => {
  await initBackend('cpu');
});

function maxAbsDiff(actual: tf.Tensor, expected: Float32Array, shape: number[], what: string): number {
  assert.deepEqual(actual.shape, shape, `${what}: shape`);
  const a = actual.dataSync();
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (expected[i] ?? 0)));
  return max;
}

async function expectations(name: string): Promise<{
  get(key: string): { data: Float32Array; shape: number[] } | undefined;
  ints(key: string): tf.Tensor2D;
}> {
  const file = await readSafetensors(join(FIXTURES, name, 'expected.safetensors'));
  return {
    get(key) {
      const t = file.tensors.get(key);
      return t === undefined ? undefined : { data: toFloat32(t), shape: t.shape };
    },
    ints(key) {
      const t = file.tensors.get(key);
      if (t === undefined || t.dtype !== 'I64') throw new Error(`fixture ${name} lacks int64 ${key}`);
      return tf.tensor2d(
        Int32Array.from(t.data, (v) => Number(v)),
        t.shape as [number, number],
        'int32',
      );
    },
  };
}

for (const name of [
  'bert-cls',
  'bert-mlm',
  'bert-base-model',
  'mobilebert-cls',
  'mobilebert-mlm',
  'mobilebert-plain',
]) {
  test(`${name}: logits, hidden states and attentions match transformers within ${TOLERANCE}`, async () => {
    const { model, report } = await loadModel(join(FIXTURES, name));
    assert.deepEqual(report.initialised, [], 'every parameter comes from the checkpoint');
    const expected = await expectations(name);
    const inputs = {
      inputIds: expected.ints('input_ids'),
      attentionMask: expected.ints('attention_mask'),
      tokenTypeIds: expected.ints('token_type_ids'),
    };
    const out = model.forward(inputs, {
      outputHiddenStates: true,
      outputAttentions: true,
      outputAttentionScores: true,
    });
    const worst: Record<string, number> = {};
    const logits = expected.get('logits');
    if (logits !== undefined) {
      assert.ok(out.logits);
      worst['logits'] = maxAbsDiff(out.logits, logits.data, logits.shape, 'logits');
    } else {
      const last = expected.get('last_hidden_state');
      assert.ok(last);
      worst['last_hidden_state'] = maxAbsDiff(
        out.lastHiddenState,
        last.data,
        last.shape,
        'last_hidden_state',
      );
    }
    assert.equal(out.hiddenStates?.length, model.config.num_hidden_layers + 1);
    out.hiddenStates?.forEach((h, i) => {
      const e = expected.get(`hidden_states.${i}`);
      assert.ok(e, `hidden_states.${i}`);
      worst[`hidden_states.${i}`] = maxAbsDiff(h, e.data, e.shape, `hidden_states.${i}`);
    });
    out.attentions?.forEach((a, i) => {
      const e = expected.get(`attentions.${i}`);
      assert.ok(e, `attentions.${i}`);
      worst[`attentions.${i}`] = maxAbsDiff(a, e.data, e.shape, `attentions.${i}`);
    });
    for (const [what, diff] of Object.entries(worst))
      assert.ok(diff < TOLERANCE, `${what}: max |diff| ${diff}`);
    // Pre-softmax scores: masked keys hold exactly MASKED_SCORE and softmax(scores) gives the probabilities.
    const scores = out.attentionScores?.[0];
    assert.ok(scores);
    const mask = inputs.attentionMask.arraySync();
    const s = scores.arraySync();
    assert.equal(s[1]?.[0]?.[0]?.[8], MASKED_SCORE);
    assert.notEqual(s[1]?.[0]?.[0]?.[2], MASKED_SCORE);
    assert.equal(mask[1]?.[8], 0);
    const probsFromScores = tf.softmax(scores, -1);
    assert.ok(
      maxAbsDiff(
        probsFromScores,
        out.attentions?.[0]?.dataSync() as Float32Array,
        scores.shape,
        'softmax(scores)',
      ) < 1e-6,
    );
  });
}

test('extra outputs are not computed unless asked for', async () => {
  const { model } = await loadModel(join(FIXTURES, 'bert-cls'));
  const expected = await expectations('bert-cls');
  const out = model.forward({ inputIds: expected.ints('input_ids') });
  assert.equal(out.hiddenStates, undefined);
  assert.equal(out.attentions, undefined);
  assert.equal(out.attentionScores, undefined);
});
