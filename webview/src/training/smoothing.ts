// Smoothing of loss curves: a debiased exponential moving average weighted by the steps each point covers.
//
// TensorBoard's smoother is an EMA over points, `s = w * s + (1 - w) * y`, debiased by dividing by `1 - w^n`.
// Its window is a number of *points*, so the same weight smooths a run logged every step ten times less (in steps)
// than one logged every ten steps, and a run whose logging rate changes gets a curve whose lag changes with it.
// Here each point holds its value over the steps since the previous point (a zero-order hold), and the decay is
// `exp(-Δsteps / τ)`: the curve is the continuous-time EMA of that held signal, so its window is τ *steps*
// whatever the density, and overlaid runs logged at different rates are smoothed alike. Debiasing divides by the
// accumulated weight, so the first point is its own value and early points are not pulled towards 0 (or towards
// the first value, as an EMA started at y0 would do). Smoothing is done in steps even when the x axis shows time:
// changing the axis must not change the values.
//
// The slider keeps TensorBoard's 0..0.999 "weight" w and maps it to τ = -1 / ln(w) steps, so at one point per step
// the two agree exactly; the label shows the resulting half-life (τ ln 2) in steps.

/** τ in steps for a TensorBoard-style weight in [0, 1). */
export function tauForWeight(weight: number): number {
  if (!(weight > 0)) return 0;
  if (weight >= 1) return Infinity;
  return -1 / Math.log(weight);
}

export function halfLifeSteps(weight: number): number {
  return tauForWeight(weight) * Math.LN2;
}

/** Running state, so appended points extend a smoothed series without recomputing it. */
export interface EmaState {
  /** Next index to smooth. */
  next: number;
  sum: number;
  weight: number;
  /** x of the last valid point. */
  lastX: number;
  /** Valid points so far. */
  count: number;
}

export function emptyEmaState(): EmaState {
  return { next: 0, sum: 0, weight: 0, lastX: NaN, count: 0 };
}

/**
 * Smooths `ys` (NaN = no value: kept as NaN and skipped) over `xs` (ascending) into `out`, from `state.next` on.
 * The first valid point is weighted as if it covered the same gap as the second one (that gap is known only
 * when the second point arrives, so its weight is set then; debiasing makes the choice invisible until then).
 */
export function smoothInto(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  tau: number,
  out: Float64Array,
  state: EmaState = emptyEmaState(),
): EmaState {
  const n = Math.min(xs.length, ys.length);
  const next = state.next;
  let { sum, weight, lastX, count } = state;
  if (tau <= 0) {
    for (let i = next; i < n; i++) out[i] = ys[i] ?? NaN;
    return { next: n, sum: 0, weight: 0, lastX: NaN, count };
  }
  for (let i = next; i < n; i++) {
    const y = ys[i] ?? NaN;
    const x = xs[i] ?? NaN;
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      out[i] = NaN;
      continue;
    }
    count++;
    if (count === 1) {
      sum = y;
      weight = 1;
      lastX = x;
      out[i] = y;
      continue;
    }
    const gap = Math.max(0, x - lastX);
    if (count === 2) {
      // The first point weighs as if it covered the same gap as this one.
      const a0 = 1 - Math.exp(-gap / tau);
      sum *= a0;
      weight = a0;
    }
    const decay = Math.exp(-gap / tau);
    sum = decay * sum + (1 - decay) * y;
    weight = decay * weight + (1 - decay);
    lastX = x;
    out[i] = weight > 0 ? sum / weight : y;
  }
  return { next: n, sum, weight, lastX, count };
}

/** Convenience: the whole series at once. */
export function smooth(xs: ArrayLike<number>, ys: ArrayLike<number>, tau: number): Float64Array {
  const out = new Float64Array(Math.min(xs.length, ys.length));
  smoothInto(xs, ys, tau, out);
  return out;
}

/** TensorBoard's smoother (debiased EMA over points), for comparison in tests and docs only. */
export function pointEma(ys: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(ys.length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i] ?? NaN;
    if (!Number.isFinite(y)) {
      out[i] = NaN;
      continue;
    }
    last = last * weight + (1 - weight) * y;
    count++;
    out[i] = weight === 1 ? y : last / (1 - weight ** count);
  }
  return out;
}
