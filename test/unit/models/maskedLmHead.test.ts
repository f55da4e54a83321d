// The masked-LM head beside a classification head (pre-training distillation, then task stages on one encoder):
// loaded from *ForMaskedLM checkpoints, gathered positions give exactly the full head's logits there, saving picks
// one Hugging Face class's tensors, fresh heads are tied like transformers ties them, and adding the head leaves
// the other parameters' initialisation unchanged.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend/backend';
import { loadModel, saveModel } from '../../../src/trainer/checkpoint/modelCheckpoint';
import { readSafetensors } from '../../../src/trainer/checkpoint/safetensors';
import { gatherPositions } from '../../../src/trainer/distill/maskedLm';
import { createModel } from '../../../src/trainer/models/createModel';
import { completeConfig } from '../../../src/trainer/models/modelConfig';

before(async () => {
  await initBackend('cpu');
});

const FIXTURES = 'test/fixtures/models';
const ids = tf.tensor2d(
  [
    [2, 5, 6, 7, 8, 3],
    [2, 9, 10, 11, 3, 0],
  ],
  undefined,
  'int32',
);
const mask = tf.tensor2d(
  [
    [1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 0],
  ],
  undefined,
  'int32',
);

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Infinity;
}

for (const name of ['bert-mlm', 'mobilebert-mlm']) {
  test(`${name}: the head on gathered positions equals the full masked-LM logits there; no head weight is re-initialised`, async () => {
    const full = await loadModel(join(FIXTURES, name));
    assert.equal(full.model.head, 'masked-lm');
    const both = await loadModel(join(FIXTURES, name), {
      head: 'sequence-classification',
      labels: ['a', 'b'],
      maskedLmHead: true,
    });
    assert.ok(both.model.hasMaskedLmHead);
    assert.deepEqual(
      both.report.initialised.filter((n) => n.startsWith('cls.')),
      [],
      'the masked-LM head loads from the checkpoint',
    );
    const logits = full.model.forward({ inputIds: ids, attentionMask: mask }).logits as tf.Tensor3D; // [B, T, V]
    const positions = tf.tensor1d([1, 3, 8, 9], 'int32'); // (0,1) (0,3) (1,2) (1,3)
    const hidden = both.model.forward(
      { inputIds: ids, attentionMask: mask },
      { outputLogits: false },
    ).lastHiddenState;
    const gathered = both.model.maskedLmLogits(gatherPositions(hidden, positions)); // [4, V]
    const expected = tf.gather(logits.reshape([12, -1]), positions);
    assert.ok(maxDiff(gathered, expected) < 1e-6, `max diff ${maxDiff(gathered, expected)}`);
    full.model.params.dispose();
    both.model.params.dispose();
  });
}

test('saving picks one class: the task model without cls.*, the masked-LM model without classifier and pooler', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mlm-head-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { model } = await loadModel(join(FIXTURES, 'mobilebert-mlm'), {
    head: 'sequence-classification',
    labels: ['a', 'b'],
    maskedLmHead: true,
  });
  await saveModel(model, join(dir, 'task'));
  await saveModel(model, join(dir, 'mlm'), 'masked-lm');
  const names = async (sub: string): Promise<string[]> => [
    ...(await readSafetensors(join(dir, sub, 'model.safetensors'))).tensors.keys(),
  ];
  const task = await names('task');
  assert.ok(task.includes('classifier.weight') && !task.some((n) => n.startsWith('cls.')));
  const mlm = await names('mlm');
  assert.ok(mlm.includes('cls.predictions.dense.weight') && mlm.includes('cls.predictions.bias'));
  assert.ok(!mlm.some((n) => n.startsWith('classifier.') || n.includes('.pooler.')));
  const reloaded = await loadModel(join(dir, 'mlm'));
  assert.equal(reloaded.model.head, 'masked-lm');
  assert.deepEqual(reloaded.report.initialised, []);
  const a = model.maskedLmLogits(tf.ones([1, model.config.hidden_size]));
  const b = reloaded.model.maskedLmLogits(tf.ones([1, model.config.hidden_size]));
  assert.ok(maxDiff(a, b) === 0);
  model.params.dispose();
  reloaded.model.params.dispose();
});

test('a fresh MobileBERT head is tied as in transformers: decoder [E, V] from the embeddings plus dense [D - E, V]', () => {
  const config = completeConfig({
    model_type: 'mobilebert',
    vocab_size: 50,
    hidden_size: 24,
    embedding_size: 8,
    intra_bottleneck_size: 8,
    intermediate_size: 16,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    max_position_embeddings: 16,
    id2label: { '0': 'a', '1': 'b' },
  });
  const model = createModel(config, 'sequence-classification', 3, { maskedLmHead: true });
  assert.deepEqual(model.params.get('cls.predictions.dense.weight')?.shape, [16, 50]);
  // The tie: logits move when the word embeddings move.
  const before = model.maskedLmLogits(tf.ones([1, 24]));
  const words = model.params.get('mobilebert.embeddings.word_embeddings.weight') as tf.Variable;
  words.assign(tf.add(words, 1));
  assert.ok(maxDiff(before, model.maskedLmLogits(tf.ones([1, 24]))) > 0.1);
  // embedding_size == hidden_size: no extra dense rows, the decoder is the embedding table alone.
  const square = createModel({ ...config, embedding_size: 24 }, 'masked-lm', 3);
  assert.deepEqual(square.params.get('cls.predictions.dense.weight')?.shape, [0, 50]);
  assert.deepEqual(square.maskedLmLogits(tf.ones([2, 24])).shape, [2, 50]);
  // Adding the head draws its seeds after every other parameter: their initialisation is unchanged.
  const plain = createModel(config, 'sequence-classification', 3);
  const withHead = createModel(config, 'sequence-classification', 3, { maskedLmHead: true });
  for (const [name, v] of plain.params.entries())
    assert.equal(maxDiff(v, withHead.params.get(name) as tf.Variable), 0, name);
  for (const m of [model, square, plain, withHead]) m.params.dispose();
});
