// y-axis ranges: the full extent of what is visible, or with outliers ignored, the 1st to 99th percentile of the
// visible raw values (TensorBoard's "ignore outliers in chart scaling"). The data is never hidden: points beyond
// the range are drawn and clipped at the plot edge, and the hover readout still shows them. Log axes take the
// percentiles of log10 values.

export interface RangeOptions {
  ignoreOutliers: boolean;
  log: boolean;
  /** Percentiles kept when ignoring outliers. */
  low?: number;
  high?: number;
}

/** Nearest-rank percentile of ascending values (p in 0..1). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))));
  return sorted[rank] ?? NaN;
}

/** Collects the finite values of `ys` whose x lies in [xMin, xMax] (positive only for log axes). */
export function visibleValues(
  series: readonly { xs: ArrayLike<number>; ys: ArrayLike<number> }[],
  xMin: number,
  xMax: number,
  log: boolean,
): Float64Array {
  let total = 0;
  for (const s of series) total += Math.min(s.xs.length, s.ys.length);
  const values = new Float64Array(total);
  let k = 0;
  for (const { xs, ys } of series) {
    const n = Math.min(xs.length, ys.length);
    for (let i = 0; i < n; i++) {
      const x = xs[i] ?? NaN;
      const y = ys[i] ?? NaN;
      if (x < xMin || x > xMax || !Number.isFinite(y) || (log && y <= 0)) continue;
      values[k++] = log ? Math.log10(y) : y;
    }
  }
  return values.subarray(0, k);
}

/** [min, max] for the y axis, padded by 5% (in log10 space for log axes); undefined when nothing is visible. */
export function yRange(values: Float64Array, o: RangeOptions): [number, number] | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const lo = o.ignoreOutliers ? quantileSorted(sorted, o.low ?? 0.01) : (sorted[0] ?? NaN);
  const hi = o.ignoreOutliers ? quantileSorted(sorted, o.high ?? 0.99) : (sorted[sorted.length - 1] ?? NaN);
  let span = hi - lo;
  if (!(span > 0)) span = Math.abs(hi) > 0 ? Math.abs(hi) * 0.1 : 1;
  const a = lo - span * 0.05;
  const b = hi + span * 0.05;
  return o.log ? [10 ** a, 10 ** b] : [a, b];
}
