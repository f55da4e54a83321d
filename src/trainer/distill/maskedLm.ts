// Masked-LM pieces of pre-training distillation: BERT's input corruption (Devlin et al. 2019; Google's
// create_pretraining_data.py), gathering the selected positions' hidden states before the vocabulary projection
// (so [B, T, V] logits are never built), and the masked-token metrics reported at evaluation.
import * as tf from '@tensorflow/tfjs';
import { embeddingLookup, type SeedStream } from '../models/nn';

export interface MaskingOptions {
  /** Share of each sequence's non-special tokens selected for prediction (at least one is). */
  probability: number;
  maskTokenId: number;
  vocabSize: number;
  /** [CLS], [SEP], [PAD], [UNK], [MASK]: never selected, never drawn as the random replacement. */
  specialIds: ReadonlySet<number>;
}

export interface MaskedRows {
  /** The corrupted rows, same lengths as the input rows. */
  inputIds: number[][];
  /** Selected positions as [row, column], rows in order, columns ascending within a row. */
  selected: [number, number][];
  /** The original token at each selected position. */
  targets: number[];
}

/**
 * Selects round(probability * n) (at least 1) of each row's n non-special tokens, as BERT's data script does
 * (a fixed count per sequence rather than a coin per token, so short sequences always teach something), and
 * replaces 80% of them with [MASK], 10% with a random non-special token and leaves 10% unchanged. Every draw comes
 * from `rng`, so the same stream state gives the same masking; the caller saves the state for exact resumes.
 */
export function maskTokens(
  rows: readonly (readonly number[])[],
  rng: SeedStream,
  options: MaskingOptions,
): MaskedRows {
  const inputIds: number[][] = [];
  const selected: [number, number][] = [];
  const targets: number[] = [];
  rows.forEach((row, r) => {
    const out = [...row];
    const candidates: number[] = [];
    row.forEach((id, c) => {
      if (!options.specialIds.has(id)) candidates.push(c);
    });
    const count =
      candidates.length === 0 ? 0 : Math.max(1, Math.round(options.probability * candidates.length));
    // Partial Fisher-Yates: the first `count` entries become a uniform sample without replacement.
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(rng.nextUnit() * (candidates.length - i));
      [candidates[i], candidates[j]] = [candidates[j] as number, candidates[i] as number];
    }
    const picked = candidates.slice(0, count).sort((a, b) => a - b);
    for (const c of picked) {
      const original = row[c] as number;
      const u = rng.nextUnit();
      if (u < 0.8) out[c] = options.maskTokenId;
      else if (u < 0.9) out[c] = randomToken(rng, options);
      selected.push([r, c]);
      targets.push(original);
    }
    inputIds.push(out);
  });
  return { inputIds, selected, targets };
}

/** A uniformly drawn non-special token id (rejection sampling: the special tokens are a handful). */
function randomToken(rng: SeedStream, options: MaskingOptions): number {
  for (;;) {
    const id = Math.floor(rng.nextUnit() * options.vocabSize);
    if (!options.specialIds.has(id)) return id;
  }
}

/** [row, column] pairs -> indices into the batch's rows flattened to [B * T]. */
export function flatPositions(selected: readonly [number, number][], length: number): number[] {
  return selected.map(([r, c]) => r * length + c);
}

/**
 * The hidden states at `positions` (flat indices into [B * T]): [B, T, D] -> [N, D]. The gather's gradient is a
 * scatter-add that works on every backend (nn.embeddingLookup), so the student's gathered states train on wasm.
 */
export function gatherPositions(hidden: tf.Tensor3D, positions: tf.Tensor1D): tf.Tensor2D {
  const [b, t, d] = hidden.shape;
  return embeddingLookup(hidden.reshape([b * t, d]) as tf.Tensor2D, positions) as tf.Tensor2D; // [B*T, D] -> [N, D]
}

/** Counts behind MaskedLmMetrics, for one batch: top-1 agreement and accuracy against the original tokens. */
export function maskedLmCounts(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  targets: tf.Tensor1D,
): { agree: number; studentCorrect: number; teacherCorrect: number; n: number } {
  return tf.tidy(() => {
    const s = tf.argMax(studentLogits, -1); // [N, V] -> [N]
    const t = tf.argMax(teacherLogits, -1);
    const y = tf.cast(targets, 'int32');
    const count = (a: tf.Tensor, b: tf.Tensor): number =>
      tf.sum(tf.cast(tf.equal(a, b), 'int32')).dataSync()[0] ?? 0;
    return {
      agree: count(s, t),
      studentCorrect: count(s, y),
      teacherCorrect: count(t, y),
      n: targets.shape[0],
    };
  });
}
