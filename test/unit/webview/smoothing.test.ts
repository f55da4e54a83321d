// Smoothing of the Training tab: debiased at the start, and independent of how densely a run is logged (its window
// is in steps), unlike TensorBoard's point-count EMA; incremental extension equals a full pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  emptyEmaState,
  halfLifeSteps,
  pointEma,
  smooth,
  smoothInto,
  tauForWeight,
} from '../../../webview/src/training/smoothing';

const range = (n: number, every = 1): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => (i + 1) * every);

test('debiased: a constant series smooths to itself from the first point, the first point is its own value', () => {
  const xs = range(50);
  const ys = new Float64Array(50).fill(3.5);
  for (const v of smooth(xs, ys, tauForWeight(0.99))) assert.ok(Math.abs(v - 3.5) < 1e-12);
  const step = Float64Array.from(xs, (x) => (x <= 1 ? 10 : 0));
  const out = smooth(xs, step, tauForWeight(0.9));
  assert.equal(out[0], 10);
  // An EMA started at 0 (not debiased) would give 1.0 here: (1 - 0.9) * 10.
  assert.ok((out[0] ?? 0) > 1.5);
});

test('one point per step: exactly TensorBoard’s debiased EMA at the same weight', () => {
  const xs = range(200);
  const ys = Float64Array.from(xs, (x) => Math.sin(x / 7) + 0.1 * Math.cos(x * 3.1));
  const ours = smooth(xs, ys, tauForWeight(0.8));
  const tb = pointEma(ys, 0.8);
  for (let i = 1; i < ys.length; i++) assert.ok(Math.abs((ours[i] ?? 0) - (tb[i] ?? 0)) < 1e-9, `row ${i}`);
});

test('density independence: logged every step or every 10 steps, the curves agree; point-count EMA does not', () => {
  const f = (x: number): number => Math.exp(-x / 300) + 0.2 * Math.sin(x / 40);
  const dense = range(2000);
  const sparse = range(200, 10);
  const tau = tauForWeight(0.98); // ~50 steps
  const d = smooth(dense, Float64Array.from(dense, f), tau);
  const s = smooth(sparse, Float64Array.from(sparse, f), tau);
  const tbDense = pointEma(Float64Array.from(dense, f), 0.98);
  const tbSparse = pointEma(Float64Array.from(sparse, f), 0.98);
  let ours = 0;
  let theirs = 0;
  for (let i = 20; i < sparse.length; i++) {
    const row = (sparse[i] ?? 0) - 1; // index of the same step in the dense series
    ours = Math.max(ours, Math.abs((s[i] ?? 0) - (d[row] ?? 0)));
    theirs = Math.max(theirs, Math.abs((tbSparse[i] ?? 0) - (tbDense[row] ?? 0)));
  }
  assert.ok(ours < 0.02, `ours differ by ${ours}`);
  assert.ok(theirs > 5 * ours, `TensorBoard's differ by ${theirs}, ours by ${ours}`);
});

test('incremental smoothing equals a full pass; NaN rows stay NaN and are skipped', () => {
  const xs = range(300);
  const ys = Float64Array.from(xs, (x) => (x > 100 && x <= 150 ? NaN : Math.log(x)));
  const tau = tauForWeight(0.95);
  const full = smooth(xs, ys, tau);
  const out = new Float64Array(300);
  let state = emptyEmaState();
  for (const end of [1, 2, 77, 120, 151, 300])
    state = smoothInto(xs.subarray(0, end), ys.subarray(0, end), tau, out, state);
  for (let i = 0; i < 300; i++) {
    if (Number.isNaN(full[i])) assert.ok(Number.isNaN(out[i]), `row ${i}`);
    else assert.ok(Math.abs((out[i] ?? 0) - (full[i] ?? 0)) < 1e-12, `row ${i}`);
  }
  assert.ok(Number.isNaN(full[120]));
});

test('weight 0 is off, and the half-life is tau ln 2 steps', () => {
  const xs = range(5);
  const ys = Float64Array.of(1, 5, 2, 8, 3);
  assert.deepEqual([...smooth(xs, ys, tauForWeight(0))], [...ys]);
  assert.ok(Math.abs(halfLifeSteps(0.5) - 1) < 1e-12);
  assert.equal(tauForWeight(0), 0);
});
