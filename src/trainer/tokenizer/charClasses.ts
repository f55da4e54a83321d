// Character classes of BERT's basic tokenizer, as the Rust `tokenizers` crate behind BertTokenizerFast defines them
// (normalizers/bert.rs, pre_tokenizers/bert.rs). Whitespace and CJK are fixed lists; the rest come from the crate's
// own Unicode tables (unicodeTables.ts), because JavaScript's \p{..} follows a newer Unicode and differs.
import { NONSPACING_MARK_RANGES, PUNCTUATION_RANGES, REMOVED_RANGES } from './unicodeTables';

/** Sorted, non-overlapping inclusive ranges, flattened: [start0, end0, start1, end1, ...]. */
type RangeTable = Int32Array;

function decodeRanges(encoded: string): RangeTable {
  const items = encoded.split(',');
  const table = new Int32Array(items.length * 2);
  let previousEnd = 0;
  items.forEach((item, i) => {
    const [gap, extra] = item.split('+');
    const start = previousEnd + parseInt(gap ?? '0', 36);
    previousEnd = start + (extra === undefined ? 0 : parseInt(extra, 36));
    table[2 * i] = start;
    table[2 * i + 1] = previousEnd;
  });
  return table;
}

function inTable(table: RangeTable, cp: number): boolean {
  let lo = 0;
  let hi = table.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < (table[2 * mid] ?? 0)) hi = mid - 1;
    else if (cp > (table[2 * mid + 1] ?? 0)) lo = mid + 1;
    else return true;
  }
  return false;
}

const removed = decodeRanges(REMOVED_RANGES);
const punctuation = decodeRanges(PUNCTUATION_RANGES);
const nonspacingMarks = decodeRanges(NONSPACING_MARK_RANGES);

/** Rust's `char::is_whitespace` (the Unicode White_Space property), which both BERT stages use. */
export function isWhitespace(cp: number): boolean {
  if (cp <= 0x20) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  if (cp < 0x85) return false;
  return (
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** Dropped by clean_text: NUL, U+FFFD and control/format/private-use characters other than tab, LF, CR. */
export function isRemovedByCleanText(cp: number): boolean {
  if (cp >= 0x20 && cp < 0x7f) return false;
  return inTable(removed, cp);
}

/** BERT's `_is_punctuation`: ASCII 33-47, 58-64, 91-96, 123-126, plus every Unicode P* category. */
export function isPunctuation(cp: number): boolean {
  if (cp < 0x80)
    return (
      (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)
    );
  return inTable(punctuation, cp);
}

/** Unicode category Mn, which accent stripping removes after NFD. */
export function isNonspacingMark(cp: number): boolean {
  return cp >= 0x300 && inTable(nonspacingMarks, cp);
}

/**
 * BERT's `_is_chinese_char`: the CJK Unified Ideographs blocks only. Hangul, Hiragana and Katakana are NOT in it:
 * those scripts separate words with spaces, so BERT treats them like Latin letters.
 */
export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}
