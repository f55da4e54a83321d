// The merge loop of the `tokenizers` crate's BPE trainer (models/bpe/trainer.rs, do_train steps 4-5), which its
// WordPiece trainer reuses: count adjacent pairs weighted by word frequency, then repeatedly merge the most frequent
// pair into a new token ("##" dropped from the right part), updating only the words that hold it.
import { MergeQueue, mergeWord, pairKey, pairOf, type PairKey } from './mergeQueue';

/** A distinct corpus word as symbol ids, and how often it occurs. */
export interface TrainingWord {
  symbols: number[];
  count: number;
}

/** The growing vocabulary: tokens by id, and `add`, which returns a token's id, adding it if new. */
export interface GrowingVocabulary {
  readonly tokens: readonly string[];
  add(token: string): number;
}

export interface MergeLimits {
  vocabSize: number;
  minFrequency: number;
  continuingSubwordPrefix: string;
}

/** Merges pairs in `words` (in place), adding each new token to `vocab`, until it is full or no pair qualifies. */
export function learnMerges(
  words: readonly TrainingWord[],
  vocab: GrowingVocabulary,
  limits: MergeLimits,
): void {
  const prefix = limits.continuingSubwordPrefix;
  const pairCounts = new Map<PairKey, number>();
  const seenIn = new Map<PairKey, Set<number>>();
  words.forEach(({ symbols, count }, w) => {
    symbols.forEach((left, i) => {
      const right = symbols[i + 1];
      if (right === undefined) return;
      const key = pairKey(left, right);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + count);
      seenIn.set(key, (seenIn.get(key) ?? new Set()).add(w));
    });
  });
  const queue = new MergeQueue();
  const enqueue = (where: Map<PairKey, Set<number>>): void => {
    for (const [pair, inWords] of where) {
      const count = pairCounts.get(pair) ?? 0;
      if (count > 0) queue.push({ pair, count, words: inWords });
    }
  };
  enqueue(seenIn);

  while (vocab.tokens.length < limits.vocabSize) {
    const top = queue.pop();
    if (top === undefined) break;
    const current = pairCounts.get(top.pair) ?? 0;
    if (top.count !== current) {
      // A stale entry: requeue it with today's count (the crate's lazy update).
      queue.push({ ...top, count: current });
      continue;
    }
    if (top.count < 1 || top.count < limits.minFrequency) break;
    const [a, b] = pairOf(top.pair);
    const left = vocab.tokens[a] ?? '';
    const right = vocab.tokens[b] ?? '';
    const merged = vocab.add(left + (right.startsWith(prefix) ? right.slice(prefix.length) : right));
    // The merged pair's own count is never lowered (as in the crate); it has left the queue, which is what counts.
    const where = new Map<PairKey, Set<number>>();
    for (const w of top.words) {
      const word = words[w];
      if (word === undefined) continue;
      for (const [pair, change] of mergeWord(word.symbols, a, b, merged)) {
        pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + change * word.count);
        if (change > 0) where.set(pair, (where.get(pair) ?? new Set()).add(w));
      }
    }
    enqueue(where);
  }
}
