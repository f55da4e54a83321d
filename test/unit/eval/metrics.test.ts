import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argmax, classificationMetrics, softmaxRow } from '../../../src/trainer/eval/metrics';

test('metrics match hand-computed values', () => {
  // gold:      a a a b b c
  // predicted: a a b b c c
  const m = classificationMetrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ['a', 'b', 'c']);
  assert.equal(m.n, 6);
  assert.equal(m.accuracy, 4 / 6);
  assert.deepEqual(m.confusion, [
    [2, 1, 0],
    [0, 1, 1],
    [0, 0, 1],
  ]);
  const [a, b, c] = m.perClass;
  assert.deepEqual([a?.precision, a?.recall, a?.support], [1, 2 / 3, 3]);
  assert.deepEqual([b?.precision, b?.recall], [0.5, 0.5]);
  assert.deepEqual([c?.precision, c?.recall], [0.5, 1]);
  const f1 = (p: number, r: number): number => (2 * p * r) / (p + r);
  assert.ok(Math.abs(m.macroF1 - (f1(1, 2 / 3) + 0.5 + f1(0.5, 1)) / 3) < 1e-12);
});

test('a class never predicted has precision 0 and counts in macro-F1', () => {
  const m = classificationMetrics([0, 1], [0, 0], ['x', 'y']);
  assert.deepEqual(
    m.perClass.map((c) => c.f1),
    [2 / 3, 0],
  );
  assert.equal(m.macroF1, 1 / 3);
});

test('softmax is stable for large logits and argmax picks the first maximum', () => {
  const p = softmaxRow([1000, 1000, 998]);
  assert.ok(Math.abs((p[0] ?? 0) - (p[1] ?? 0)) < 1e-12);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.equal(argmax([1, 3, 3]), 1);
});
