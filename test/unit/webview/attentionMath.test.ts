// Attention tab transforms: head selection, averaging and grouping (as the trainer's head mapping), the difference
// and its diverging normalisation, token windows, and the distances behind the per-layer bars (hand values).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  alignHeads,
  attentionDistance,
  cropMap,
  difference,
  groupHeads,
  klRows,
  maxAbs,
  mse,
  normalizeDiff,
  probeText,
  selectHead,
  tokenWindow,
} from '../../../webview/src/attention/attentionMath';

// 4 heads over 2 tokens: head h has every cell = h + 1.
const four = {
  heads: 4,
  size: 2,
  values: Float32Array.from({ length: 16 }, (_, i) => Math.floor(i / 4) + 1),
};

test('one head, or the mean of all heads', () => {
  assert.deepEqual([...selectHead(four, 2)], [3, 3, 3, 3]);
  assert.deepEqual([...selectHead(four, 'mean')], [2.5, 2.5, 2.5, 2.5]);
  assert.throws(() => selectHead(four, 4), RangeError);
});

test('grouping contiguous heads, as headMapping "group" does', () => {
  const g = groupHeads(four, 2);
  assert.equal(g.heads, 2);
  assert.deepEqual([...g.values], [1.5, 1.5, 1.5, 1.5, 3.5, 3.5, 3.5, 3.5]);
  assert.throws(() => groupHeads(four, 3), RangeError);
});

test('teacher and student are brought to one head count', () => {
  const student = { heads: 2, size: 2, values: new Float32Array(8) };
  assert.equal(alignHeads(four, student).mode, 'group');
  assert.equal(alignHeads(four, student).teacher.heads, 2);
  const three = { heads: 3, size: 2, values: new Float32Array(12) };
  const a = alignHeads(four, three);
  assert.equal(a.mode, 'mean');
  assert.equal(a.teacher.heads, 1);
  assert.equal(a.student.heads, 1);
  assert.equal(alignHeads(four, four).mode, 'same');
});

test('the difference is student - teacher; normalisation keeps 0 and the sign and saturates at a fixed scale', () => {
  const d = difference(Float32Array.of(0.5, 0.2, 0.3), Float32Array.of(0.25, 0.4, 0.3));
  assert.deepEqual(
    [...d].map((x) => Math.round(x * 100) / 100),
    [0.25, -0.2, 0],
  );
  const scale = maxAbs(d);
  assert.equal(normalizeDiff(0.25, scale), 1);
  assert.ok(Math.abs(normalizeDiff(-0.2, scale) + 0.8) < 1e-6);
  assert.equal(normalizeDiff(0, scale), 0);
  assert.equal(normalizeDiff(0.5, 0.1), 1);
  assert.equal(normalizeDiff(-0.5, 0.1), -1);
  assert.equal(normalizeDiff(0.3, 0), 0);
});

test('long inputs: a clamped token window and the cropped block', () => {
  assert.deepEqual(tokenWindow(200, 190, 48), { start: 152, end: 200 });
  assert.deepEqual(tokenWindow(200, -5, 48), { start: 0, end: 48 });
  assert.deepEqual(tokenWindow(10, 3, 48), { start: 0, end: 10 });
  const map = Float32Array.from({ length: 16 }, (_, i) => i); // 4 x 4
  assert.deepEqual([...cropMap(map, 4, 1, 3)], [5, 6, 9, 10]);
});

test('distances: MSE over cells, KL(teacher || student) summed per row and averaged', () => {
  const teacher = Float32Array.of(0.5, 0.5, 1, 0);
  const student = Float32Array.of(0.25, 0.75, 0.5, 0.5);
  assert.ok(Math.abs(mse(teacher, student) - (0.0625 + 0.0625 + 0.25 + 0.25) / 4) < 1e-9);
  const kl = (0.5 * Math.log(0.5 / 0.25) + 0.5 * Math.log(0.5 / 0.75) + Math.log(1 / 0.5)) / 2;
  assert.ok(Math.abs(klRows(teacher, student, 2) - kl) < 1e-6);
  assert.equal(klRows(teacher, teacher, 2), 0);
  const t2 = { heads: 1, size: 2, values: teacher };
  assert.ok(Math.abs(attentionDistance(t2, { heads: 1, size: 2, values: student }, 'kl') - kl) < 1e-6);
});

test('probe text joins WordPiece pieces and drops special tokens', () => {
  assert.equal(probeText(['[CLS]', '정말', '재미', '##있', '##어요', '[SEP]']), '정말 재미있어요');
});
