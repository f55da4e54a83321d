// Deterministic model inputs for verification and benchmarks: random token ids, padded rows of differing length
// and text pairs with token types, from a seeded generator so every run checks the same numbers.
import type { SeedStream } from '../models/nn';

/** One batch as flat row-major [batch, length] arrays. */
export interface InputBatch {
  batch: number;
  length: number;
  /** Some rows shorter than `length`, padded with id 0 and mask 0. */
  padded: boolean;
  /** Rows are two segments, the second with token type 1. */
  pairs: boolean;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
}

export interface InputSpec {
  batch: number;
  length: number;
  padded: boolean;
  pairs: boolean;
}

/** Builds one batch; row 0 always fills `length`, so the batch is exactly that long. */
export function makeBatch(
  spec: InputSpec,
  vocabSize: number,
  typeVocabSize: number,
  seeds: SeedStream,
): InputBatch {
  const { batch, length } = spec;
  const size = batch * length;
  const inputIds = new Int32Array(size);
  const attentionMask = new Int32Array(size);
  const tokenTypeIds = new Int32Array(size);
  const pairs = spec.pairs && typeVocabSize > 1;
  const below = (n: number): number => seeds.next() % n;
  for (let b = 0; b < batch; b++) {
    const real = spec.padded && b > 0 ? 1 + below(length) : length;
    const split = pairs && real > 1 ? 1 + below(real - 1) : real;
    for (let t = 0; t < real; t++) {
      const i = b * length + t;
      inputIds[i] = vocabSize > 1 ? 1 + below(vocabSize - 1) : 0;
      attentionMask[i] = 1;
      tokenTypeIds[i] = t >= split ? 1 : 0;
    }
  }
  return { ...spec, pairs, inputIds, attentionMask, tokenTypeIds };
}

/**
 * The verification set: single tokens, short unpadded rows, the longest allowed input with padding and pairs, a
 * padded mid-length batch and a wide batch of 64 rows whose predictions are compared and counted per class.
 */
export function verificationSpecs(maxLength: number): InputSpec[] {
  const upTo = (n: number): number => Math.min(maxLength, n);
  return [
    { batch: 1, length: 1, padded: false, pairs: false },
    { batch: 1, length: upTo(8), padded: false, pairs: false },
    { batch: 2, length: maxLength, padded: true, pairs: true },
    { batch: 4, length: upTo(32), padded: true, pairs: false },
    { batch: 64, length: upTo(24), padded: true, pairs: true },
  ];
}
