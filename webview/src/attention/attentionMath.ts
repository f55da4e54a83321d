// Attention maps as the Attention tab shows them: [heads][T][T] row-major Float32Arrays (row = query token,
// column = key token). Head selection and averaging, bringing teacher and student to a common head count the way
// the trainer's head mapping does (src/trainer/distill/losses.ts mapHeads), the student - teacher difference and
// its colour normalisation, the token window for long inputs, and the per-layer distance for the bar chart.

export interface HeadMaps {
  heads: number;
  /** Token axis length T. */
  size: number;
  /** heads * size * size values. */
  values: Float32Array;
}

/** One head, or the mean of all heads when `head` is 'mean'. Returns size * size values. */
export function selectHead(m: HeadMaps, head: number | 'mean'): Float32Array {
  const cells = m.size * m.size;
  if (head !== 'mean') {
    if (head < 0 || head >= m.heads) throw new RangeError(`head ${head} of ${m.heads}`);
    return m.values.slice(head * cells, (head + 1) * cells);
  }
  const out = new Float32Array(cells);
  for (let h = 0; h < m.heads; h++) {
    const base = h * cells;
    for (let i = 0; i < cells; i++) out[i] = (out[i] ?? 0) + (m.values[base + i] ?? 0);
  }
  for (let i = 0; i < cells; i++) out[i] = (out[i] ?? 0) / m.heads;
  return out;
}

/** Means over contiguous groups of heads: `groups` must divide `heads` (the trainer's "group" head mapping). */
export function groupHeads(m: HeadMaps, groups: number): HeadMaps {
  if (groups <= 0 || m.heads % groups !== 0)
    throw new RangeError(`${m.heads} heads cannot be grouped into ${groups} groups`);
  const per = m.heads / groups;
  const cells = m.size * m.size;
  const out = new Float32Array(groups * cells);
  for (let h = 0; h < m.heads; h++) {
    const g = Math.floor(h / per);
    for (let i = 0; i < cells; i++)
      out[g * cells + i] = (out[g * cells + i] ?? 0) + (m.values[h * cells + i] ?? 0) / per;
  }
  return { heads: groups, size: m.size, values: out };
}

export type HeadAlignment = 'same' | 'group' | 'mean';

/**
 * Teacher and student with the same head count. The trainer records maps after its head mapping, so they usually
 * match already; maps from elsewhere are grouped when the teacher's count is a multiple of the student's, else both
 * are averaged to one head.
 */
export function alignHeads(
  teacher: HeadMaps,
  student: HeadMaps,
): { teacher: HeadMaps; student: HeadMaps; mode: HeadAlignment } {
  if (teacher.heads === student.heads) return { teacher, student, mode: 'same' };
  if (teacher.heads % student.heads === 0)
    return { teacher: groupHeads(teacher, student.heads), student, mode: 'group' };
  const mean = (m: HeadMaps): HeadMaps => ({ heads: 1, size: m.size, values: selectHead(m, 'mean') });
  return { teacher: mean(teacher), student: mean(student), mode: 'mean' };
}

/** student - teacher, cell by cell. */
export function difference(student: Float32Array, teacher: Float32Array): Float32Array {
  if (student.length !== teacher.length) throw new RangeError('maps of different sizes');
  const out = new Float32Array(student.length);
  for (let i = 0; i < out.length; i++) out[i] = (student[i] ?? 0) - (teacher[i] ?? 0);
  return out;
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i] ?? 0));
  return m;
}

/**
 * A difference mapped to [-1, 1] for the diverging colour scale: 0 stays 0 (the neutral colour), the sign is
 * kept, and `scale` (the largest |difference| of the map, or a fixed value so colours mean the same across
 * snapshots) maps to the ends; values beyond a fixed scale saturate.
 */
export function normalizeDiff(value: number, scale: number): number {
  if (!(scale > 0) || !Number.isFinite(value)) return 0;
  return Math.max(-1, Math.min(1, value / scale));
}

/** The token window [start, end) of `size` tokens at `offset`, clamped into [0, total). */
export function tokenWindow(total: number, offset: number, size: number): { start: number; end: number } {
  const width = Math.max(1, Math.min(total, Math.floor(size)));
  const start = Math.max(0, Math.min(total - width, Math.floor(offset)));
  return { start, end: start + width };
}

/** The [start, end) x [start, end) block of a size x size map. */
export function cropMap(values: Float32Array, size: number, start: number, end: number): Float32Array {
  const w = end - start;
  const out = new Float32Array(w * w);
  for (let r = 0; r < w; r++)
    out.set(values.subarray((start + r) * size + start, (start + r) * size + end), r * w);
  return out;
}

export type Distance = 'mse' | 'kl';

/** Mean squared difference over all heads, rows and keys. */
export function mse(teacher: Float32Array, student: Float32Array): number {
  if (teacher.length !== student.length || teacher.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < teacher.length; i++) {
    const d = (student[i] ?? 0) - (teacher[i] ?? 0);
    s += d * d;
  }
  return s / teacher.length;
}

/**
 * KL(teacher || student) per query row (summed over keys), averaged over rows and heads: MobileBERT's attention
 * transfer. Probabilities are clamped at 1e-12 so a zero in the student does not give Infinity.
 */
export function klRows(teacher: Float32Array, student: Float32Array, size: number): number {
  if (teacher.length !== student.length || size <= 0 || teacher.length % size !== 0) return NaN;
  const rows = teacher.length / size;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let kl = 0;
    for (let k = 0; k < size; k++) {
      const p = teacher[r * size + k] ?? 0;
      if (p <= 0) continue;
      kl += p * (Math.log(p) - Math.log(Math.max(student[r * size + k] ?? 0, 1e-12)));
    }
    total += kl;
  }
  return total / rows;
}

/** The distance between aligned maps (all heads). */
export function attentionDistance(teacher: HeadMaps, student: HeadMaps, distance: Distance): number {
  const a = alignHeads(teacher, student);
  return distance === 'kl'
    ? klRows(a.teacher.values, a.student.values, a.teacher.size)
    : mse(a.teacher.values, a.student.values);
}

/** Readable text of a probe from its WordPiece tokens. */
export function probeText(tokens: readonly string[]): string {
  const words = tokens.filter((tok) => tok !== '[CLS]' && tok !== '[SEP]' && tok !== '[PAD]');
  return words
    .map((w) => (w.startsWith('##') ? w.slice(2) : ` ${w}`))
    .join('')
    .trim();
}
