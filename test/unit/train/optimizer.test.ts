import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend/backend';
import { AdamW, clipByGlobalNorm, decays, learningRateAt } from '../../../src/trainer/train/optimizer';

before(async () => {
  await initBackend('cpu');
});

test('AdamW matches a step-by-step reference: bias-corrected moments, decoupled decay', () => {
  const options = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };
  const weight = tf.variable(tf.tensor1d([1, -2]));
  const bias = tf.variable(tf.tensor1d([0.5]));
  const params = new Map([
    ['layer.weight', weight],
    ['layer.bias', bias],
  ]);
  const optimizer = new AdamW(options);
  const gradients = [
    [0.5, -1],
    [0.25, 2],
  ];
  // Reference, written out by hand for the weight (decayed) and the bias (not decayed).
  let p = [1, -2];
  let b = 0.5;
  let m = [0, 0];
  let v = [0, 0];
  let mb = 0;
  let vb = 0;
  const lr = 0.1;
  gradients.forEach((g, k) => {
    const t = k + 1;
    m = m.map((mi, i) => 0.9 * mi + 0.1 * (g[i] ?? 0));
    v = v.map((vi, i) => 0.999 * vi + 0.001 * (g[i] ?? 0) ** 2);
    p = p.map(
      (pi, i) =>
        pi * (1 - lr * 0.01) -
        (lr * ((m[i] ?? 0) / (1 - 0.9 ** t))) / (Math.sqrt((v[i] ?? 0) / (1 - 0.999 ** t)) + 1e-8),
    );
    mb = 0.9 * mb + 0.1 * 0.3;
    vb = 0.999 * vb + 0.001 * 0.09;
    b = b - (lr * (mb / (1 - 0.9 ** t))) / (Math.sqrt(vb / (1 - 0.999 ** t)) + 1e-8);
    optimizer.apply(
      params,
      new Map([
        ['layer.weight', tf.tensor1d(g)],
        ['layer.bias', tf.tensor1d([0.3])],
      ]),
      lr,
    );
  });
  Array.from(weight.dataSync()).forEach((x, i) =>
    assert.ok(Math.abs(x - (p[i] ?? NaN)) < 1e-6, `${x} vs ${p[i]}`),
  );
  assert.ok(Math.abs((bias.dataSync()[0] ?? NaN) - b) < 1e-6);
  assert.equal(optimizer.step, 2);
});

test('biases and LayerNorm weights are not decayed', () => {
  assert.equal(decays('bert.encoder.layer.0.attention.self.query.weight'), true);
  assert.equal(decays('bert.encoder.layer.0.attention.self.query.bias'), false);
  assert.equal(decays('bert.embeddings.LayerNorm.weight'), false);
});

test('global-norm clipping scales every gradient by the same factor', () => {
  const grads = new Map<string, tf.Tensor>([
    ['a', tf.tensor1d([3, 0])],
    ['b', tf.tensor1d([4])],
  ]);
  const norm = clipByGlobalNorm(grads, 1);
  assert.equal(norm, 5);
  assert.ok(Math.abs((grads.get('a')?.dataSync()[0] ?? 0) - 0.6) < 1e-5);
  assert.ok(Math.abs((grads.get('b')?.dataSync()[0] ?? 0) - 0.8) < 1e-5);
  const small = new Map<string, tf.Tensor>([['a', tf.tensor1d([0.1])]]);
  clipByGlobalNorm(small, 1);
  assert.ok(Math.abs((small.get('a')?.dataSync()[0] ?? 0) - 0.1) < 1e-7);
});

test('warmup then linear, cosine or constant decay', () => {
  const s = { kind: 'linear' as const, warmupSteps: 10, totalSteps: 110, peak: 1 };
  assert.equal(learningRateAt(0, s), 0.1);
  assert.equal(learningRateAt(9, s), 1);
  assert.equal(learningRateAt(10, s), 1);
  assert.equal(learningRateAt(60, s), 0.5);
  assert.equal(learningRateAt(110, s), 0);
  assert.ok(Math.abs(learningRateAt(60, { ...s, kind: 'cosine' }) - 0.5) < 1e-12);
  assert.equal(learningRateAt(100, { ...s, kind: 'constant' }), 1);
});
