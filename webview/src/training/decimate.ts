// Display decimation of long series: M4 aggregation (Jugel et al., "M4: A Visualization-Oriented Time Series Data
// Aggregation", VLDB 2014). For each pixel column it keeps the first, minimum, maximum and last point, which is
// exactly what a line drawn through all points would light up in that column, so spikes and dips survive (an
// average or every-k-th sample would hide a loss spike). Only the drawn copy is reduced; the stored series, the
// smoothing and the hover readouts use every point. NaN is a step without a value: within a stage (an unlabelled
// batch has no hard-label term) the line runs on to the next value; where a term was off across a stage boundary
// the line breaks (a null gap), as it does at points a log axis cannot show.

export interface Decimated {
  x: number[];
  /** null: a gap (the line breaks). */
  y: (number | null)[];
  /** Points that a log y axis could not show (<= 0). */
  hiddenByLog: number;
}

export interface DecimateOptions {
  /** Visible x range; points just outside it are kept so lines enter and leave the plot. */
  xMin: number;
  xMax: number;
  /** Pixel columns. */
  buckets: number;
  logX?: boolean;
  logY?: boolean;
  /**
   * Stage boundaries (x, ascending). Missing values (NaN) between two values with no boundary between them are
   * bridged; without `breaks` every missing value is a gap.
   */
  breaks?: readonly number[];
}

/** Index of the first x >= value in ascending `xs`. */
function lowerBound(xs: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] ?? NaN) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function decimate(xs: ArrayLike<number>, ys: ArrayLike<number>, o: DecimateOptions): Decimated {
  const n = Math.min(xs.length, ys.length);
  const out: Decimated = { x: [], y: [], hiddenByLog: 0 };
  if (n === 0) return out;
  let i0 = Math.max(0, lowerBound(xs, o.xMin) - 1);
  // The first point past xMax (lowerBound of the next representable value), so the line leaves the plot.
  const i1 = Math.min(
    n - 1,
    lowerBound(xs, o.xMax + Math.max(Number.MIN_VALUE, Math.abs(o.xMax) * Number.EPSILON)),
  );
  if (o.logX === true) while (i0 <= i1 && !((xs[i0] ?? 0) > 0)) i0++;
  if (i0 > i1) return out;
  const f = o.logX === true ? Math.log10 : (v: number): number => v;
  const lo = f(o.logX === true ? Math.max(o.xMin, Number.MIN_VALUE) : o.xMin);
  const span = f(o.xMax) - lo;
  const buckets = Math.max(1, Math.floor(o.buckets));
  const bucketOf = (x: number): number =>
    span > 0 ? Math.min(buckets - 1, Math.max(-1, Math.floor(((f(x) - lo) / span) * buckets))) : 0;
  const raw = i1 - i0 + 1 <= 4 * buckets;

  const breaks = o.breaks;
  /** Whether the line may run on from the last finite point over missing values to index `i`. */
  const bridged = (from: number, i: number): boolean => {
    if (breaks === undefined || from < 0) return false;
    const a = xs[from] ?? NaN;
    const b = xs[i] ?? NaN;
    return !breaks.some((x) => x >= a && x < b);
  };
  let lastFinite = -1;
  let pendingGap: number | undefined;

  let gapOpen = false;
  const gap = (x: number): void => {
    if (gapOpen || out.x.length === 0) return;
    out.x.push(x);
    out.y.push(null);
    gapOpen = true;
  };
  const emit = (i: number): void => {
    out.x.push(xs[i] ?? NaN);
    out.y.push(ys[i] ?? NaN);
    gapOpen = false;
  };

  // Current bucket: indices of its first, min, max and last valid points.
  let bucket = NaN;
  let first = -1;
  let min = -1;
  let max = -1;
  let last = -1;
  const flush = (): void => {
    if (first < 0) return;
    const picks = [first, min, max, last].sort((a, b) => a - b);
    let previous = -1;
    for (const i of picks) if (i !== previous) emit((previous = i));
    first = min = max = last = -1;
  };

  for (let i = i0; i <= i1; i++) {
    const x = xs[i] ?? NaN;
    let y = ys[i] ?? NaN;
    if (o.logY === true && y <= 0) {
      out.hiddenByLog++;
      y = NaN;
    }
    if (!Number.isFinite(x)) continue;
    if (!Number.isFinite(y)) {
      // A point a log axis cannot show always breaks the line; a missing value waits for the next value.
      if (o.logY === true && (ys[i] ?? NaN) <= 0) {
        flush();
        gap(x);
        lastFinite = -1;
      } else pendingGap ??= x;
      continue;
    }
    if (pendingGap !== undefined) {
      if (!bridged(lastFinite, i)) {
        flush();
        gap(pendingGap);
      }
      pendingGap = undefined;
    }
    lastFinite = i;
    if (raw) {
      emit(i);
      continue;
    }
    const b = bucketOf(x);
    if (b !== bucket) {
      flush();
      bucket = b;
    }
    if (first < 0) {
      first = min = max = last = i;
      continue;
    }
    if (y < (ys[min] ?? Infinity)) min = i;
    if (y > (ys[max] ?? -Infinity)) max = i;
    last = i;
  }
  flush();
  // A trailing gap draws nothing and only lengthens the data.
  while (out.y.length > 0 && out.y[out.y.length - 1] === null) {
    out.x.pop();
    out.y.pop();
  }
  return out;
}
