// Each loss against values computed by hand (or by a plain loop written independently of TF.js).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend/backend';
import {
  attentionLoss,
  featureMapLoss,
  hardLabelLoss,
  hiddenLoss,
  mapHeads,
  maskedLmLoss,
  softLabelLoss,
} from '../../../src/trainer/distill/losses';

before(async () => {
  await initBackend('cpu');
});

const close = (actual: tf.Scalar, expected: number, tolerance = 1e-5): void => {
  const value = actual.dataSync()[0] ?? NaN;
  assert.ok(Math.abs(value - expected) < tolerance, `${value} != ${expected}`);
};

function softmax(row: number[], t = 1): number[] {
  const scaled = row.map((x) => x / t);
  const max = Math.max(...scaled);
  const e = scaled.map((x) => Math.exp(x - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

test('soft labels: KL(teacher_T || student_T) * T^2, batch mean', () => {
  const student = [
    [1, 2, 0],
    [0.5, -1, 2],
  ];
  const teacher = [
    [2, 1, 0],
    [0, 0, 3],
  ];
  const T = 2;
  let expected = 0;
  student.forEach((row, i) => {
    const p = softmax(teacher[i] ?? [], T);
    const q = softmax(row, T);
    expected += p.reduce((a, pi, j) => a + pi * Math.log(pi / (q[j] ?? 1)), 0) * T * T;
  });
  expected /= student.length;
  close(softLabelLoss(tf.tensor2d(student), tf.tensor2d(teacher), T), expected);
  // Identical logits: zero loss at any temperature.
  close(softLabelLoss(tf.tensor2d(teacher), tf.tensor2d(teacher), 5), 0);
  // MSE alternative: mean of squared logit differences.
  close(softLabelLoss(tf.tensor2d([[1, 2]]), tf.tensor2d([[0, 4]]), 1, 'mse'), (1 + 4) / 2);
  // Row weights select which rows count (here only the first).
  close(
    softLabelLoss(tf.tensor2d(student), tf.tensor2d(teacher), T, 'kl', tf.tensor1d([1, 0])),
    (() => {
      const p = softmax(teacher[0] ?? [], T);
      const q = softmax(student[0] ?? [], T);
      return p.reduce((a, pi, j) => a + pi * Math.log(pi / (q[j] ?? 1)), 0) * T * T;
    })(),
  );
});

test('hard labels: cross-entropy, unlabelled rows (weight 0) excluded', () => {
  const logits = [
    [2, 0],
    [0, 1],
    [5, 5],
  ];
  const p0 = softmax(logits[0] ?? []);
  const p1 = softmax(logits[1] ?? []);
  const expected = (-Math.log(p0[0] ?? 1) - Math.log(p1[1] ?? 1)) / 2;
  close(
    hardLabelLoss(tf.tensor2d(logits), tf.tensor1d([0, 1, 0], 'int32'), tf.tensor1d([1, 1, 0])),
    expected,
  );
});

test('hidden MSE ignores padding and uses the projection', () => {
  const student = tf.tensor3d([
    [
      [1, 2],
      [3, 4],
      [100, 100],
    ],
  ]); // third position is padding
  const teacher = tf.tensor3d([
    [
      [1, 0],
      [3, 3],
      [0, 0],
    ],
  ]);
  const mask = tf.tensor2d([[1, 1, 0]], undefined, 'int32');
  close(hiddenLoss(student, teacher, mask), (0 + 4 + 0 + 1) / (2 * 2));
  // Projection [Dt=3, Ds=2]: student [1,2] -> [1, 2, 3]
  const projection = tf.tensor2d([
    [1, 0],
    [0, 1],
    [1, 1],
  ]);
  const t3 = tf.tensor3d([[[1, 2, 3]]]);
  close(
    hiddenLoss(tf.tensor3d([[[1, 2]]]), t3, tf.tensor2d([[1]], undefined, 'int32'), 'mse', projection),
    0,
  );
  // Cosine: orthogonal vectors -> 1, parallel -> 0.
  close(
    hiddenLoss(
      tf.tensor3d([
        [
          [1, 0],
          [2, 2],
        ],
      ]),
      tf.tensor3d([
        [
          [0, 1],
          [1, 1],
        ],
      ]),
      tf.tensor2d([[1, 1]], undefined, 'int32'),
      'cosine',
    ),
    0.5,
  );
});

test('head mapping: group averages consecutive teacher heads, mean averages all', () => {
  const teacher = tf.tensor4d([1, 3, 5, 7], [1, 4, 1, 1]);
  const student = tf.tensor4d([0, 0], [1, 2, 1, 1]);
  const [, grouped] = mapHeads(student, teacher, 'group');
  assert.deepEqual(Array.from(grouped.dataSync()), [2, 6]);
  const [s, t] = mapHeads(student, teacher, 'mean');
  assert.deepEqual([Array.from(s.dataSync()), Array.from(t.dataSync())], [[0], [4]]);
  assert.throws(() => mapHeads(student, teacher, 'none'), /need a headMapping/);
  assert.throws(() => mapHeads(tf.zeros([1, 3, 1, 1]) as tf.Tensor4D, teacher, 'group'), /not a multiple/);
});

test('attention MSE and KL count only valid query rows and keys', () => {
  // B=1, H=1, T=2 with the second token padded: only entry (0,0) counts.
  const mask = tf.tensor2d([[1, 0]], undefined, 'int32');
  const s = tf.tensor4d([
    [
      [
        [0.5, 0.5],
        [0.9, 0.1],
      ],
    ],
  ]);
  const t = tf.tensor4d([
    [
      [
        [1.0, 0.0],
        [0.1, 0.9],
      ],
    ],
  ]);
  close(attentionLoss(s, t, mask, 'mse'), 0.25);
  close(attentionLoss(s, t, mask, 'kl'), 1.0 * Math.log(1.0 / 0.5), 1e-4);
  // Scores: the masked-score sentinel in padded keys must not leak into the loss.
  const scoresS = tf.tensor4d([
    [
      [
        [2, -1e9],
        [0, -1e9],
      ],
    ],
  ]);
  const scoresT = tf.tensor4d([
    [
      [
        [1, -1e9],
        [5, -1e9],
      ],
    ],
  ]);
  close(attentionLoss(scoresS, scoresT, mask, 'mse-scores'), 1);
  const full = tf.tensor2d([[1, 1]], undefined, 'int32');
  close(attentionLoss(s, t, full, 'mse'), (0.25 + 0.25 + 0.64 + 0.64) / 4);
});

test('feature-map statistics transfer compares per-position mean and variance', () => {
  const s = tf.tensor3d([[[1, 3]]]); // mean 2, var 1
  const t = tf.tensor3d([[[0, 0]]]); // mean 0, var 0
  close(featureMapLoss(s, t, tf.tensor2d([[1]], undefined, 'int32')), 4 + 1);
});

test('masked-LM distillation: soft KL at masked positions plus optional hard CE', () => {
  const s = tf.tensor2d([[1, 0, 0]]);
  const t = tf.tensor2d([[0, 1, 0]]);
  const soft = softLabelLoss(s, t, 1).dataSync()[0] ?? NaN;
  close(maskedLmLoss(s, t, 1), soft);
  const hard = -Math.log(softmax([1, 0, 0])[1] ?? 1);
  close(maskedLmLoss(s, t, 1, tf.tensor1d([1], 'int32'), 0.5), soft + 0.5 * hard);
});
