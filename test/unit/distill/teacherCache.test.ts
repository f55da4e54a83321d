// The teacher cache on its own: rows stored from one batch and served regrouped (other rows beside them, another
// padded length) give every loss exactly what a fresh teacher pass gives; the feature budget falls back to logits
// with the numbers in the message; masked-LM stages never store or serve; hits and misses are counted per stage.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend/backend';
import { loadModel } from '../../../src/trainer/checkpoint/modelCheckpoint';
import {
  attentionLoss,
  featureMapLoss,
  hiddenLoss,
  softLabelLoss,
} from '../../../src/trainer/distill/losses';
import { TeacherCache, type RowKey } from '../../../src/trainer/distill/teacherCache';
import { tfjsTeacher } from '../../../src/trainer/distill/teacherRunner';
import { SeedStream } from '../../../src/trainer/models/nn';
import { disposeBatch, makeBatch, type EncodedExample } from '../../../src/trainer/train/dataset';
import {
  disposeTeacherOutput,
  type TeacherNeeds,
  type TeacherOutput,
} from '../../../src/trainer/train/distillStep';

before(async () => {
  await initBackend('cpu');
});

const NEEDS: TeacherNeeds = {
  logits: true,
  maskedLm: false,
  hiddenLayers: [0, 2],
  attentionLayers: [1, 2],
  attentionKind: 'probs',
};

function rows(count: number, seed: number): EncodedExample[] {
  const random = new SeedStream(seed);
  return Array.from({ length: count }, (_, i) => {
    const n = 3 + Math.floor(random.nextUnit() * 18);
    const inputIds = Array.from({ length: n }, (_, j) =>
      j === 0 ? 2 : j === n - 1 ? 3 : 5 + Math.floor(random.nextUnit() * 90),
    );
    return { inputIds, tokenTypeIds: inputIds.map(() => 0), label: i % 3 };
  });
}

const keys = (examples: readonly EncodedExample[], indices: readonly number[]): RowKey[] =>
  indices.map((index) => ({ pool: 'labelled', index, length: examples[index]?.inputIds.length ?? 0 }));

const scalar = (t: tf.Scalar): number => {
  const v = t.dataSync()[0] ?? NaN;
  t.dispose();
  return v;
};

/** Every loss a distillation stage computes from these teacher outputs, against a fixed random "student". */
function losses(out: TeacherOutput, mask: tf.Tensor2D, seed: number): number[] {
  const [b, t] = mask.shape;
  const values: number[] = [];
  const studentLogits = tf.randomNormal([b, 3], 0, 1, 'float32', seed) as tf.Tensor2D;
  values.push(scalar(softLabelLoss(studentLogits, out.logits as tf.Tensor2D, 2)));
  studentLogits.dispose();
  for (const [layer, teacher] of out.hidden) {
    const student = tf.randomNormal([b, t, teacher.shape[2]], 0, 1, 'float32', seed + layer) as tf.Tensor3D;
    values.push(scalar(hiddenLoss(student, teacher, mask)));
    values.push(scalar(hiddenLoss(student, teacher, mask, 'cosine')));
    values.push(scalar(featureMapLoss(student, teacher, mask)));
    student.dispose();
  }
  for (const [layer, teacher] of out.attention) {
    const student = tf.tidy(() =>
      tf.softmax(tf.randomNormal([b, 2, t, t], 0, 1, 'float32', seed + 10 * layer)),
    ) as tf.Tensor4D;
    values.push(scalar(attentionLoss(student, teacher, mask, 'kl', 'group')));
    values.push(scalar(attentionLoss(student, teacher, mask, 'mse', 'group')));
    student.dispose();
  }
  return values;
}

test('rows served regrouped at another padded length give every loss what a fresh teacher pass gives', async () => {
  const { model } = await loadModel('test/fixtures/models/bert-cls');
  const teacher = tfjsTeacher(model);
  const shape = { hiddenSize: model.config.hidden_size, heads: model.config.num_attention_heads };
  const examples = rows(12, 1);
  const cache = new TeacherCache('features', 2 ** 30);
  const { plan } = cache.beginStage(
    'task',
    NEEDS,
    false,
    examples.map((e) => e.inputIds.length),
    shape,
  );
  assert.ok(plan.logits && plan.features);
  // Epoch 1: two batches in order.
  for (const part of [
    [0, 1, 2, 3, 4, 5],
    [6, 7, 8, 9, 10, 11],
  ]) {
    const batch = makeBatch(part.map((i) => examples[i] as EncodedExample));
    assert.equal(cache.lookup(keys(examples, part), NEEDS, batch.inputIds.shape[1], shape), undefined);
    const out = await teacher.run(batch, NEEDS);
    cache.store(keys(examples, part), out, NEEDS);
    disposeTeacherOutput(out);
    disposeBatch(batch);
  }
  assert.deepEqual(cache.stats, { hits: 0, misses: 2 });
  // Epoch 2: shuffled rows from both batches, padded to this batch's own longest row.
  for (const part of [
    [9, 2, 5, 11],
    [0, 7, 3],
  ]) {
    const batch = makeBatch(part.map((i) => examples[i] as EncodedExample));
    const length = batch.inputIds.shape[1];
    const cached = cache.lookup(keys(examples, part), NEEDS, length, shape);
    assert.ok(cached !== undefined, 'every row was cached');
    const fresh = await teacher.run(batch, NEEDS);
    const mask = tf.cast(batch.attentionMask, 'float32') as tf.Tensor2D;
    assert.deepEqual(cached.hidden.get(2)?.shape, fresh.hidden.get(2)?.shape);
    assert.deepEqual(cached.attention.get(1)?.shape, fresh.attention.get(1)?.shape);
    const a = losses(cached, mask, 5);
    const b = losses(fresh, mask, 5);
    assert.equal(a.length, 1 + 3 * 2 + 2 * 2);
    a.forEach((v, i) =>
      assert.ok(Math.abs(v - (b[i] ?? NaN)) < 1e-5, `loss ${i}: cached ${v}, fresh ${b[i]}`),
    );
    mask.dispose();
    disposeTeacherOutput(cached);
    disposeTeacherOutput(fresh);
    disposeBatch(batch);
  }
  // One row never stored: the whole batch is a miss.
  const unseen: RowKey[] = [...keys(examples, [1]), { pool: 'unlabelled', index: 1, length: 5 }];
  assert.equal(cache.lookup(unseen, NEEDS, 20, shape), undefined);
  assert.deepEqual(cache.stats, { hits: 2, misses: 3 });
  // Another stage of the same teacher that needs other layers: logits stay, features are dropped.
  const other: TeacherNeeds = { ...NEEDS, hiddenLayers: [1] };
  cache.beginStage('task', other, false, [10], shape);
  assert.deepEqual(cache.stats, { hits: 0, misses: 0 }, 'counts are per stage');
  assert.equal(cache.lookup(keys(examples, [0]), other, 10, shape), undefined);
  const logitsOnly: TeacherNeeds = { ...NEEDS, hiddenLayers: [], attentionLayers: [] };
  cache.beginStage('task', logitsOnly, false, [10], shape);
  assert.ok(cache.lookup(keys(examples, [0, 4]), logitsOnly, 10, shape)?.logits !== undefined);
  // Another teacher: nothing carries over.
  cache.beginStage('pretrain', logitsOnly, false, [10], shape);
  assert.equal(cache.lookup(keys(examples, [0]), logitsOnly, 10, shape), undefined);
  model.params.dispose();
});

test('features over the budget fall back to logits with the needed and allowed MiB in the message', () => {
  const shape = { hiddenSize: 768, heads: 12 };
  const needs: TeacherNeeds = {
    logits: true,
    maskedLm: false,
    hiddenLayers: [0, 3, 6, 9, 12],
    attentionLayers: [3, 6, 9, 12],
    attentionKind: 'probs',
  };
  const lengths = Array.from({ length: 4000 }, (_, i) => 16 + (i % 113));
  // Bytes by hand: float32 [T, 768] per hidden layer, [12, T, T] per attention layer.
  let bytes = 0;
  for (const t of lengths) bytes += 4 * (5 * t * 768 + 4 * 12 * t * t);
  const budget = 1024 * 2 ** 20;
  assert.ok(bytes > budget, 'the case is over budget');
  const cache = new TeacherCache('features', budget);
  const { plan, message } = cache.beginStage('task', needs, false, lengths, shape);
  assert.equal(plan.featureBytes, bytes);
  assert.equal(plan.features, false);
  assert.equal(plan.logits, true);
  assert.ok(message !== undefined);
  assert.ok(
    message.includes(
      `need about ${(bytes / 2 ** 20).toFixed(0)} MiB, more than training.cacheMemoryMb (1024 MiB)`,
    ),
    message,
  );
  assert.match(message, /caching logits only \(the teacher still runs every step/);
  assert.ok(message.includes(`Raise "training.cacheMemoryMb" to ${Math.ceil(bytes / 2 ** 20)}`), message);
  // Within the budget: no message, features kept.
  const roomy = new TeacherCache('features', bytes);
  const fits = roomy.beginStage('task', needs, false, lengths, shape);
  assert.equal(fits.message, undefined);
  assert.ok(fits.plan.features);
  // A stage without soft labels caches nothing when its features do not fit, and says so.
  const none = new TeacherCache('features', 0).beginStage(
    'task',
    { ...needs, logits: false },
    false,
    [20],
    shape,
  );
  assert.match(none.message ?? '', /more than training\.cacheMemoryMb \(0\.0 MiB\): caching nothing\./);
  // Mode "logits" never plans features, and has nothing to say about them.
  const logits = new TeacherCache('logits', 0).beginStage('task', needs, false, lengths, shape);
  assert.deepEqual([logits.plan.logits, logits.plan.features, logits.message], [true, false, undefined]);
});

test('over the budget, the stage still runs the teacher for every batch and counts the misses', () => {
  const shape = { hiddenSize: 4, heads: 2 };
  const needs: TeacherNeeds = { ...NEEDS, hiddenLayers: [1], attentionLayers: [1] };
  const cache = new TeacherCache('features', 0);
  cache.beginStage('task', needs, false, [3, 3], shape);
  const row: RowKey[] = [{ pool: 'labelled', index: 0, length: 3 }];
  const out: TeacherOutput = {
    logits: tf.tensor2d([[1, 2, 3]]),
    hidden: new Map([[1, tf.ones([1, 3, 4]) as tf.Tensor3D]]),
    attention: new Map([[1, tf.ones([1, 2, 3, 3]) as tf.Tensor4D]]),
  };
  cache.store(row, out, needs);
  assert.equal(cache.lookup(row, needs, 3, shape), undefined);
  assert.equal(cache.lookup(row, needs, 3, shape), undefined);
  assert.deepEqual(cache.stats, { hits: 0, misses: 2 });
  // The logits it kept serve a later soft-label-only stage of the same teacher.
  const soft: TeacherNeeds = { ...needs, hiddenLayers: [], attentionLayers: [] };
  cache.beginStage('task', soft, false, [3], shape);
  const served = cache.lookup(row, soft, 3, shape);
  assert.deepEqual(served?.logits?.arraySync(), [[1, 2, 3]]);
  if (served !== undefined) disposeTeacherOutput(served);
  disposeTeacherOutput(out);
});

test('masked-LM stages never cache: nothing is stored, nothing served, nothing counted', () => {
  const shape = { hiddenSize: 4, heads: 2 };
  const masked: TeacherNeeds = {
    ...NEEDS,
    logits: false,
    maskedLm: true,
    hiddenLayers: [1],
    attentionLayers: [],
  };
  const row: RowKey[] = [{ pool: 'unlabelled', index: 0, length: 3 }];
  for (const mode of ['logits', 'features'] as const) {
    const cache = new TeacherCache(mode, 2 ** 30);
    const { plan, message } = cache.beginStage('pretrain', masked, true, [3], shape);
    assert.deepEqual([plan.logits, plan.features, message], [false, false, undefined]);
    const out: TeacherOutput = {
      maskedLmLogits: tf.ones([2, 99]) as tf.Tensor2D,
      hidden: new Map([[1, tf.ones([1, 3, 4]) as tf.Tensor3D]]),
      attention: new Map(),
    };
    cache.store(row, out, masked);
    cache.store(row, out, masked);
    assert.equal(cache.lookup(row, masked, 3, shape), undefined);
    // Even a non-masking stage of the same teacher finds nothing the masked stage left.
    const later: TeacherNeeds = { ...masked, maskedLm: false };
    cache.beginStage('pretrain', later, false, [3], shape);
    assert.equal(cache.lookup(row, later, 3, shape), undefined);
    assert.deepEqual(cache.stats, { hits: 0, misses: mode === 'features' ? 1 : 0 });
    disposeTeacherOutput(out);
  }
});
