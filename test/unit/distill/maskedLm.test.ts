// Masked-LM distillation pieces: BERT's 80/10/10 masking with a fixed count per sequence and a resumable
// generator, gathering positions before the vocabulary projection (values and gradient), the masked-token counts,
// and the masked-LM loss against hand-computed values.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend/backend';
import { maskedLmLoss } from '../../../src/trainer/distill/losses';
import {
  flatPositions,
  gatherPositions,
  maskedLmCounts,
  maskTokens,
  type MaskingOptions,
} from '../../../src/trainer/distill/maskedLm';
import { SeedStream } from '../../../src/trainer/models/nn';

before(async () => {
  await initBackend('cpu');
});

const SPECIAL = new Set([0, 1, 2, 3, 4]); // [PAD] [UNK] [CLS] [SEP] [MASK]
const OPTIONS: MaskingOptions = { probability: 0.15, maskTokenId: 4, vocabSize: 1000, specialIds: SPECIAL };

/** [CLS] w... [SEP] with n word ids drawn from 5..999. */
function row(n: number, random: SeedStream): number[] {
  return [2, ...Array.from({ length: n }, () => 5 + Math.floor(random.nextUnit() * 995)), 3];
}

function close(actual: number, expected: number, tolerance = 1e-6): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} != ${expected}`);
}

test('masking selects round(15%) of the non-special tokens per row, at least one, and never a special token', () => {
  const random = new SeedStream(1);
  const rows = [row(20, random), row(3, random), [2, 3], [2, 1, 1, 3], row(40, random)];
  const masked = maskTokens(rows, new SeedStream(5), OPTIONS);
  const perRow = rows.map((_, r) => masked.selected.filter(([i]) => i === r).length);
  // 20 -> 3, 3 -> round(0.45) = 0 -> at least 1, only specials -> 0 ([UNK] is special), 40 -> 6
  assert.deepEqual(perRow, [3, 1, 0, 0, 6]);
  masked.selected.forEach(([r, c], k) => {
    const original = rows[r]?.[c] as number;
    assert.equal(SPECIAL.has(original), false, 'a special token was selected');
    assert.equal(masked.targets[k], original, 'targets are the original tokens');
  });
  rows.forEach((ids, r) =>
    ids.forEach((id, c) => {
      const chosen = masked.selected.some(([i, j]) => i === r && j === c);
      if (!chosen) assert.equal(masked.inputIds[r]?.[c], id, 'unselected tokens stay');
    }),
  );
  // Within a row, selected columns ascend (the gather order of the targets).
  for (let k = 1; k < masked.selected.length; k++) {
    const [r0, c0] = masked.selected[k - 1] as [number, number];
    const [r1, c1] = masked.selected[k] as [number, number];
    assert.ok(r1 > r0 || (r1 === r0 && c1 > c0));
  }
});

test('selected tokens become [MASK] 80%, a random non-special token 10%, and stay 10% of the time', () => {
  const random = new SeedStream(2);
  const rows = Array.from({ length: 2000 }, () => row(40, random));
  const masked = maskTokens(rows, new SeedStream(9), OPTIONS);
  let mask = 0;
  let same = 0;
  let other = 0;
  masked.selected.forEach(([r, c], k) => {
    const now = masked.inputIds[r]?.[c] as number;
    if (now === 4) mask++;
    else if (now === masked.targets[k]) same++;
    else {
      other++;
      assert.equal(SPECIAL.has(now), false, 'random replacements are never special tokens');
    }
  });
  const n = masked.selected.length;
  assert.equal(n, 2000 * 6);
  // 12,000 draws: the binomial sd of a 10% share is 0.27 points, so +-1.5 points is > 5 sd.
  close(mask / n, 0.8, 0.015);
  close(same / n, 0.1, 0.015);
  close(other / n, 0.1, 0.015);
});

test('masking is a function of the generator state: a restored snapshot continues exactly', () => {
  const random = new SeedStream(3);
  const a = [row(30, random), row(12, random)];
  const b = [row(25, random), row(9, random)];
  const stream = new SeedStream(77);
  const first = maskTokens(a, stream, OPTIONS);
  const saved = stream.snapshot();
  const second = maskTokens(b, stream, OPTIONS);
  assert.deepEqual(maskTokens(a, new SeedStream(77), OPTIONS), first, 'same seed, same masks');
  assert.deepEqual(maskTokens(b, new SeedStream(saved), OPTIONS), second, 'resumed from the snapshot');
  assert.notDeepEqual(maskTokens(b, new SeedStream(78), OPTIONS).selected, second.selected);
});

test('gathering positions picks [B*T] rows before the projection, and its gradient scatters back (duplicates add)', () => {
  const hidden = tf.tensor3d(
    Array.from({ length: 12 }, (_, i) => i),
    [2, 3, 2],
  );
  assert.deepEqual(
    flatPositions(
      [
        [0, 1],
        [1, 2],
      ],
      3,
    ),
    [1, 5],
  );
  const gathered = gatherPositions(hidden, tf.tensor1d([1, 5], 'int32'));
  assert.deepEqual(gathered.arraySync(), [
    [2, 3],
    [10, 11],
  ]);
  const weights = tf.tensor2d([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const grad = tf.grad((h: tf.Tensor) =>
    tf.sum(tf.mul(gatherPositions(h as tf.Tensor3D, tf.tensor1d([1, 1, 4], 'int32')), weights)),
  )(hidden);
  assert.deepEqual(grad.arraySync(), [
    [
      [0, 0],
      [4, 6],
      [0, 0],
    ],
    [
      [0, 0],
      [5, 6],
      [0, 0],
    ],
  ]);
});

test('masked-token counts: top-1 agreement with the teacher and accuracy against the original tokens', () => {
  const student = tf.tensor2d([
    [0.1, 0.9, 0],
    [0.8, 0.1, 0.1],
    [0, 0, 1],
  ]);
  const teacher = tf.tensor2d([
    [0, 1, 0],
    [0, 1, 0],
    [0, 0.2, 0.9],
  ]);
  const counts = maskedLmCounts(student, teacher, tf.tensor1d([1, 1, 0], 'int32'));
  assert.deepEqual(counts, { agree: 2, studentCorrect: 1, teacherCorrect: 2, n: 3 });
});

test('masked-LM loss against hand-computed values: KL * T^2 at the masked positions, plus hard CE', () => {
  const e = Math.E;
  const s = tf.tensor2d([[1, 0, 0]]);
  const t = tf.tensor2d([[0, 1, 0]]);
  // T = 1: p_t = (1, e, 1) / (e + 2); log p_t - log p_s = (-1, 1, 0), so KL = (e - 1) / (e + 2) = 0.3641753.
  close(maskedLmLoss(s, t, 1).dataSync()[0] ?? NaN, (e - 1) / (e + 2));
  close(maskedLmLoss(s, t, 1).dataSync()[0] ?? NaN, 0.3641753, 1e-6);
  // T = 2: KL of the halved logits is (1/2)(sqrt(e) - 1) / (sqrt(e) + 2); times T^2 = 4: 0.3555880.
  close(maskedLmLoss(s, t, 2).dataSync()[0] ?? NaN, 0.355588, 1e-6);
  // Hard CE against token 1 under the student: ln(e + 2) = 1.5514447; with hardWeight 0.5: 0.3641753 + 0.7757224.
  close(maskedLmLoss(s, t, 1, tf.tensor1d([1], 'int32'), 0.5).dataSync()[0] ?? NaN, 1.1398977, 1e-6);
  // Averaged over masked positions: a second position where student and teacher agree adds KL 0.
  const s2 = tf.tensor2d([
    [1, 0, 0],
    [3, 1, 2],
  ]);
  const t2 = tf.tensor2d([
    [0, 1, 0],
    [3, 1, 2],
  ]);
  close(maskedLmLoss(s2, t2, 1).dataSync()[0] ?? NaN, 0.3641753 / 2, 1e-6);
});
