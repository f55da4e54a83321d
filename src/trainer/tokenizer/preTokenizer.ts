// BERT's pre-tokeniser (the crate's BertPreTokenizer): split the normalised text on whitespace, which is dropped,
// and around every punctuation character, which becomes a word of its own.
import { isPunctuation, isWhitespace } from './charClasses';

/** A word as a half-open range of normalised code point indices. */
export interface WordSpan {
  start: number;
  end: number;
}

export function preTokenize(chars: readonly number[]): WordSpan[] {
  const words: WordSpan[] = [];
  let start = -1;
  for (const [i, cp] of chars.entries()) {
    if (isWhitespace(cp)) {
      if (start >= 0) words.push({ start, end: i });
      start = -1;
    } else if (isPunctuation(cp)) {
      if (start >= 0) words.push({ start, end: i });
      words.push({ start: i, end: i + 1 });
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) words.push({ start, end: chars.length });
  return words;
}
