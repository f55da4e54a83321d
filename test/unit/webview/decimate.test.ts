// Display decimation (M4): bounded points per pixel column, extremes kept, gaps kept, stored data untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decimate } from '../../../webview/src/training/decimate';
import { quantileSorted, visibleValues, yRange } from '../../../webview/src/training/scale';

const n = 100_000;
const xs = Float64Array.from({ length: n }, (_, i) => i + 1);
const ys = Float64Array.from(xs, (x) => 1 / Math.sqrt(x) + 0.01 * Math.sin(x));
ys[77_776] = 9; // a spike
ys[33_332] = -4; // a dip

test('100k points to at most 4 per pixel column, keeping the spike, the dip and both ends', () => {
  const copy = Float64Array.from(ys);
  const d = decimate(xs, ys, { xMin: 1, xMax: n, buckets: 800 });
  assert.ok(d.x.length <= 4 * 800 + 2, `${d.x.length} points`);
  assert.ok(d.x.length >= 800);
  assert.ok(d.y.includes(9) && d.y.includes(-4));
  assert.equal(d.x[0], 1);
  assert.equal(d.x[d.x.length - 1], n);
  for (let i = 1; i < d.x.length; i++) assert.ok((d.x[i] ?? 0) > (d.x[i - 1] ?? 0), 'ascending x');
  assert.deepEqual(ys, copy, 'the stored series is not touched');
});

test('a zoomed range is decimated from the full data, with one point beyond each edge', () => {
  const d = decimate(xs, ys, { xMin: 77_700, xMax: 77_800, buckets: 800 });
  assert.equal(d.x.length, 103, 'few points: drawn as they are');
  assert.equal(d.x[0], 77_699);
  assert.equal(d.x[d.x.length - 1], 77_801);
  assert.ok(d.y.includes(9));
});

test('NaN (a term that was off) breaks the line with one null; log y hides values <= 0 and counts them', () => {
  const x = Float64Array.of(1, 2, 3, 4, 5, 6);
  const y = Float64Array.of(1, 2, NaN, NaN, 0, 3);
  const d = decimate(x, y, { xMin: 1, xMax: 6, buckets: 100 });
  assert.deepEqual(d.y, [1, 2, null, 0, 3]);
  const log = decimate(x, y, { xMin: 1, xMax: 6, buckets: 100, logY: true });
  assert.deepEqual(log.y, [1, 2, null, 3]);
  assert.equal(log.hiddenByLog, 1);
});

test('with stage boundaries, missing values inside a stage are bridged and a term off across a boundary breaks', () => {
  // Alternating labelled and unlabelled batches: the hard-label term exists every other step.
  const x = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
  const y = Float64Array.of(0.7, NaN, 0.6, NaN, 0.5, NaN, NaN, NaN, 0.4, 0.3);
  const bridged = decimate(x, y, { xMin: 1, xMax: 10, buckets: 100, breaks: [] });
  assert.deepEqual(bridged.x, [1, 3, 5, 9, 10]);
  assert.deepEqual(bridged.y, [0.7, 0.6, 0.5, 0.4, 0.3]);
  // A stage ends after step 6: the values either side belong to different stages, so the line breaks once.
  const staged = decimate(x, y, { xMin: 1, xMax: 10, buckets: 100, breaks: [6] });
  assert.deepEqual(staged.y, [0.7, 0.6, 0.5, null, 0.4, 0.3]);
  assert.equal(staged.x[3], 6, 'the gap sits at the first missing step');
  // Without breaks (no stage information) every missing value is a gap, as before.
  const plain = decimate(x, y, { xMin: 1, xMax: 10, buckets: 100 });
  assert.equal(plain.y.filter((v) => v === null).length, 3);
});

test('ignoring outliers: the y range is the 1st-99th percentile of visible values, not hiding them', () => {
  const values = visibleValues([{ xs, ys }], 1, n, false);
  assert.equal(values.length, n);
  const full = yRange(values, { ignoreOutliers: false, log: false });
  const robust = yRange(values, { ignoreOutliers: true, log: false });
  assert.ok(full !== undefined && robust !== undefined);
  assert.ok(full[1] > 9 && full[0] < -4);
  assert.ok(robust[1] < 1 && robust[0] > -0.1, `robust ${robust}`);
  assert.equal(quantileSorted(Float64Array.of(1, 2, 3, 4, 5), 0.5), 3);
  const log = yRange(visibleValues([{ xs, ys }], 1, n, true), { ignoreOutliers: false, log: true });
  assert.ok(log !== undefined && log[0] > 0);
});
