// Number formats for the reduced-precision exports: float32 -> IEEE float16 bits (round to nearest even), and
// symmetric per-output-channel int8 weights for dynamic quantization (scale = max |w| over the column / range).
// The graph patterns that use them live in layers.ts.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** One float32 value as float16 bits: round to nearest even, overflow to +-Infinity, subnormals kept. */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0); // Infinity, NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // too large: Infinity
  if (e <= 0) {
    // A float16 subnormal (m * 2^-24), or zero.
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half += 1; // a carry may round up to Infinity
  return sign | half;
}

export function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16Bits(values[i] ?? 0);
  return out;
}

/** float16 bits back to a number (for tests and reports). */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

export interface QuantizedWeight {
  /** [K, N] row-major, like the float weight it replaces. */
  values: Int8Array;
  /** [N]: w[k, n] ~ values[k, n] * scales[n]. */
  scales: Float32Array;
}

/**
 * Symmetric per-column quantization of a [K, N] weight to integers in [-range, range]. Per column (one scale per
 * output feature) because transformer weight columns differ in magnitude by 10x and more; one scale for the whole
 * matrix would spend most of the 8 bits on the few largest columns.
 */
export function quantizePerColumn(
  weight: Float32Array,
  rows: number,
  cols: number,
  range: number,
): QuantizedWeight {
  const scales = new Float32Array(cols);
  for (let k = 0; k < rows; k++) {
    for (let n = 0; n < cols; n++) scales[n] = Math.max(scales[n] ?? 0, Math.abs(weight[k * cols + n] ?? 0));
  }
  for (let n = 0; n < cols; n++) scales[n] = (scales[n] ?? 0) > 0 ? (scales[n] ?? 0) / range : 1;
  const values = new Int8Array(rows * cols);
  for (let k = 0; k < rows; k++) {
    for (let n = 0; n < cols; n++) {
      const q = Math.round((weight[k * cols + n] ?? 0) / (scales[n] ?? 1));
      values[k * cols + n] = Math.max(-range, Math.min(range, q));
    }
  }
  return { values, scales };
}
