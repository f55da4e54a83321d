// Teacher outputs kept per example across epochs (`training.cacheTeacher`). Rows are keyed by teacher, data pool
// and example index, never by batch position, so shuffled batch orders and the labelled/unlabelled mix meet the
// same values however they regroup the rows. Each row is stored at its own length; a batch is rebuilt zero-padded
// to its longest row. That equals a fresh teacher pass for every loss, because the losses weight padded positions
// and keys by 0 (and the teacher gives padded keys exactly 0 attention). Masked-LM inputs change every time they
// are drawn, so masking stages never cache.
import * as tf from '@tensorflow/tfjs';
import type { TeacherNeeds, TeacherOutput } from '../train/distillStep';

export type CacheMode = 'none' | 'logits' | 'features';

/** Where a batch row comes from. */
export interface RowKey {
  pool: 'labelled' | 'unlabelled';
  index: number;
  /** Unpadded token count. */
  length: number;
}

interface CachedRow {
  logits?: Float32Array;
  hidden: Map<number, Float32Array>;
  attention: Map<number, Float32Array>;
}

/** What one stage keeps, decided when it starts. */
export interface CachePlan {
  logits: boolean;
  features: boolean;
  /** Estimated bytes of the stage's features over every row it reads. */
  featureBytes: number;
}

/** Lookups of the current stage that the plan could serve: `hits` came from the cache, `misses` ran the teacher. */
export interface CacheStats {
  hits: number;
  misses: number;
}

export interface TeacherShape {
  hiddenSize: number;
  heads: number;
}

/** MiB for messages: one decimal below 10 MiB, so a small need does not read as "0 MiB". */
export function formatMib(bytes: number): string {
  const mib = bytes / 2 ** 20;
  return mib < 10 ? mib.toFixed(1) : mib.toFixed(0);
}

/** Bytes of one row's features at `length` tokens: [T, D] per hidden layer, [H, T, T] per attention layer. */
export function rowFeatureBytes(length: number, needs: TeacherNeeds, shape: TeacherShape): number {
  return (
    4 *
    (needs.hiddenLayers.length * length * shape.hiddenSize +
      needs.attentionLayers.length * shape.heads * length * length)
  );
}

export class TeacherCache {
  private readonly rows = new Map<string, CachedRow>();
  private teacher = '';
  private featureKey = '';
  private plan: CachePlan = { logits: false, features: false, featureBytes: 0 };
  private counts: CacheStats = { hits: 0, misses: 0 };

  constructor(
    private readonly mode: CacheMode,
    private readonly budgetBytes: number,
  ) {}

  /**
   * Decides what a stage caches. `lengths` are the lengths of every row the stage reads. Features left from a
   * stage that needed other layers (or another teacher) are dropped, so the cache holds one stage's need at most.
   * Returns the plan and, when the features do not fit the budget, the message saying so.
   */
  beginStage(
    teacher: string,
    needs: TeacherNeeds,
    masked: boolean,
    lengths: readonly number[],
    shape: TeacherShape,
  ): { plan: CachePlan; message?: string } {
    if (teacher !== this.teacher) {
      this.rows.clear();
      this.teacher = teacher;
    }
    const wantsFeatures = needs.hiddenLayers.length > 0 || needs.attentionLayers.length > 0;
    const featureKey = `${needs.attentionKind}|${needs.hiddenLayers.join(',')}|${needs.attentionLayers.join(',')}`;
    if (featureKey !== this.featureKey) {
      for (const row of this.rows.values()) {
        row.hidden.clear();
        row.attention.clear();
      }
      this.featureKey = featureKey;
    }
    this.counts = { hits: 0, misses: 0 };
    const featureBytes = lengths.reduce((sum, n) => sum + rowFeatureBytes(n, needs, shape), 0);
    const on = this.mode !== 'none' && !masked;
    const fits = featureBytes <= this.budgetBytes;
    this.plan = {
      logits: on && needs.logits,
      features: on && this.mode === 'features' && wantsFeatures && fits,
      featureBytes,
    };
    const message =
      on && this.mode === 'features' && wantsFeatures && !fits
        ? `teacher features of this stage need about ${formatMib(featureBytes)} MiB, more than training.cacheMemoryMb (${formatMib(this.budgetBytes)} MiB): caching ${needs.logits ? 'logits only (the teacher still runs every step for the hidden states and attention maps)' : 'nothing'}. Raise "training.cacheMemoryMb" to ${Math.ceil(featureBytes / 2 ** 20)} to cache them.`
        : undefined;
    return { plan: this.plan, ...(message !== undefined ? { message } : {}) };
  }

  private key(row: RowKey): string {
    return `${row.pool}:${row.index}`;
  }

  /**
   * The teacher outputs of a batch of `rows`, padded to `length`, when every row has every output the stage needs
   * cached; undefined otherwise (then the teacher runs and `store` fills the cache).
   */
  lookup(
    rows: readonly RowKey[],
    needs: TeacherNeeds,
    length: number,
    shape: TeacherShape,
  ): TeacherOutput | undefined {
    if (needs.maskedLm || (!this.plan.logits && !this.plan.features)) return undefined;
    // A stage whose features are not kept (mode logits, or over the budget) still stores its logits for a later
    // stage of the same teacher, but must run the teacher for every batch of its own: those count as misses.
    const cacheable =
      (needs.logits ? this.plan.logits : true) && (this.wantsFeatures(needs) ? this.plan.features : true);
    if (!cacheable || (!needs.logits && !this.wantsFeatures(needs))) {
      this.counts.misses++;
      return undefined;
    }
    const found: CachedRow[] = [];
    for (const row of rows) {
      const cached = this.rows.get(this.key(row));
      if (
        cached === undefined ||
        (needs.logits && cached.logits === undefined) ||
        needs.hiddenLayers.some((l) => !cached.hidden.has(l)) ||
        needs.attentionLayers.some((l) => !cached.attention.has(l))
      ) {
        this.counts.misses++;
        return undefined;
      }
      found.push(cached);
    }
    this.counts.hits++;
    const b = rows.length;
    const out: TeacherOutput = { hidden: new Map(), attention: new Map() };
    if (needs.logits) {
      const width = found[0]?.logits?.length ?? 0;
      const data = new Float32Array(b * width);
      found.forEach((r, i) => data.set(r.logits as Float32Array, i * width));
      out.logits = tf.tensor2d(data, [b, width]);
    }
    const d = shape.hiddenSize;
    for (const layer of needs.hiddenLayers) {
      const data = new Float32Array(b * length * d);
      found.forEach((r, i) => data.set(r.hidden.get(layer) as Float32Array, i * length * d));
      out.hidden.set(layer, tf.tensor3d(data, [b, length, d]));
    }
    const h = shape.heads;
    for (const layer of needs.attentionLayers) {
      const data = new Float32Array(b * h * length * length);
      found.forEach((r, i) => {
        const n = rows[i]?.length ?? 0;
        const row = r.attention.get(layer) as Float32Array; // [H, n, n]
        for (let head = 0; head < h; head++)
          for (let q = 0; q < n; q++)
            data.set(
              row.subarray((head * n + q) * n, (head * n + q + 1) * n),
              ((i * h + head) * length + q) * length,
            );
      });
      out.attention.set(layer, tf.tensor4d(data, [b, h, length, length]));
    }
    return out;
  }

  private wantsFeatures(needs: TeacherNeeds): boolean {
    return needs.hiddenLayers.length > 0 || needs.attentionLayers.length > 0;
  }

  /** Keeps what the stage's plan caches from a fresh teacher pass over `rows` (padded to the batch length). */
  store(rows: readonly RowKey[], out: TeacherOutput, needs: TeacherNeeds): void {
    const features = this.plan.features && this.wantsFeatures(needs);
    if (!this.plan.logits && !features) return;
    const entry = (row: RowKey): CachedRow => {
      const key = this.key(row);
      let cached = this.rows.get(key);
      if (cached === undefined) {
        cached = { hidden: new Map(), attention: new Map() };
        this.rows.set(key, cached);
      }
      return cached;
    };
    if (this.plan.logits && out.logits !== undefined) {
      const [, width] = out.logits.shape;
      const data = out.logits.dataSync() as Float32Array;
      rows.forEach((row, i) => (entry(row).logits = data.slice(i * width, (i + 1) * width)));
    }
    if (!features) return;
    for (const [layer, tensor] of out.hidden) {
      const [, length, d] = tensor.shape;
      const data = tensor.dataSync() as Float32Array;
      rows.forEach((row, i) =>
        entry(row).hidden.set(layer, data.slice(i * length * d, (i * length + row.length) * d)),
      );
    }
    for (const [layer, tensor] of out.attention) {
      const [, h, length] = tensor.shape;
      const data = tensor.dataSync() as Float32Array;
      rows.forEach((row, i) => {
        const n = row.length;
        const kept = new Float32Array(h * n * n);
        for (let head = 0; head < h; head++)
          for (let q = 0; q < n; q++) {
            const from = ((i * h + head) * length + q) * length;
            kept.set(data.subarray(from, from + n), (head * n + q) * n);
          }
        entry(row).attention.set(layer, kept);
      });
    }
  }

  /** Hits and misses since the current stage began (both stay 0 when the stage caches nothing, e.g. masked-LM). */
  get stats(): Readonly<CacheStats> {
    return this.counts;
  }

  /** Drops everything (the teacher changed, e.g. after a stage trained it). */
  clear(): void {
    this.rows.clear();
    this.teacher = '';
  }
}
