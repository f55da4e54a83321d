// The data structures of BPE-style merge training (the `tokenizers` crate's models/bpe/trainer.rs and word.rs):
// words as symbol-id sequences that report how their pair counts change when a pair merges, and a max-heap of
// candidate merges ordered by count, then by the smaller pair of ids (what makes training deterministic).

/** A pair of symbol ids packed into one number (ids stay far below 2^26). */
export type PairKey = number;

const SHIFT = 2 ** 26;
export const pairKey = (a: number, b: number): PairKey => a * SHIFT + b;
export const pairOf = (key: PairKey): [number, number] => [Math.floor(key / SHIFT), key % SHIFT];

/**
 * Merges every non-overlapping (a, b), left to right, into `merged`, in place. Returns the pair count changes, as
 * word.rs does: neighbours' old pairs -1, new pairs +1; the merged pair's own count is left to the caller.
 */
export function mergeWord(symbols: number[], a: number, b: number, merged: number): Array<[PairKey, number]> {
  const changes: Array<[PairKey, number]> = [];
  let i = 0;
  while (i < symbols.length) {
    if (symbols[i] === a && i + 1 < symbols.length && symbols[i + 1] === b) {
      const before = symbols[i - 1];
      if (before !== undefined) {
        changes.push([pairKey(before, a), -1]);
        changes.push([pairKey(before, merged), 1]);
      }
      symbols.splice(i, 2, merged);
      const after = symbols[i + 1];
      if (after !== undefined) {
        changes.push([pairKey(b, after), -1]);
        changes.push([pairKey(merged, after), 1]);
      }
    }
    i++;
  }
  return changes;
}

/** A candidate merge: its count when queued, and the words (indices) it was seen in. */
export interface Merge {
  pair: PairKey;
  count: number;
  words: Set<number>;
}

export class MergeQueue {
  private readonly heap: Merge[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** Higher count first; on a tie the smaller pair (first id, then second) first. */
  private before(i: number, j: number): boolean {
    const x = this.heap[i];
    const y = this.heap[j];
    if (x === undefined || y === undefined) return false;
    return x.count !== y.count ? x.count > y.count : x.pair < y.pair;
  }

  private swap(i: number, j: number): void {
    const x = this.heap[i];
    const y = this.heap[j];
    if (x === undefined || y === undefined) return;
    this.heap[i] = y;
    this.heap[j] = x;
  }

  push(merge: Merge): void {
    let i = this.heap.push(merge) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): Merge | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined || this.heap.length === 0) return top;
    this.heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      let best = i;
      if (this.before(left, best)) best = left;
      if (this.before(left + 1, best)) best = left + 1;
      if (best === i) return top;
      this.swap(i, best);
      i = best;
    }
  }
}
