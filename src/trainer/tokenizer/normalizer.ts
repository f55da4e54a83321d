// BERT's normaliser with alignments, as the `tokenizers` crate's BertNormalizer runs it: clean text, space out CJK
// ideographs, strip accents (NFD, drop Mn), lowercase. Every output code point remembers the original code points it
// came from, so token offsets can point into the text the user gave (like BertTokenizerFast's offset_mapping).
import { isChineseChar, isNonspacingMark, isRemovedByCleanText, isWhitespace } from './charClasses';

/** BertNormalizer's settings (tokenizer.json `normalizer`, or do_lower_case & co in tokenizer_config.json). */
export interface BertNormalizerOptions {
  /** Drop control characters and turn every whitespace character into a space. */
  cleanText: boolean;
  /** Put spaces around CJK ideographs so that each becomes its own word. */
  handleChineseChars: boolean;
  /** Strip accents (NFD, then drop nonspacing marks); `undefined` follows `lowercase`, as in the original BERT. */
  stripAccents: boolean | undefined;
  lowercase: boolean;
}

/** Normalised code points; `chars[i]` came from original code points `[starts[i], ends[i])`. */
export interface AlignedText {
  chars: number[];
  starts: number[];
  ends: number[];
}

const SPACE = 0x20;
const decompositions = new Map<number, readonly number[]>();
const lowercases = new Map<number, readonly number[]>();

/** The code points of `text` (what Python's str indexes, and so what offset_mapping counts). */
export function codePoints(text: string): number[] {
  return Array.from(text, (c) => c.codePointAt(0) ?? 0);
}

/** `String.fromCodePoint` over a slice, in chunks (spreading a long array would overflow the call stack). */
export function fromCodePoints(chars: readonly number[], start = 0, end = chars.length): string {
  let out = '';
  for (let i = start; i < end; i += 4096)
    out += String.fromCodePoint(...chars.slice(i, Math.min(end, i + 4096)));
  return out;
}

/** Canonical decomposition of one code point. Latin-1 below U+00C0 and ASCII have none. */
function nfd(cp: number): readonly number[] {
  if (cp < 0xc0) return [cp];
  let found = decompositions.get(cp);
  if (found === undefined) {
    found = codePoints(String.fromCodePoint(cp).normalize('NFD'));
    decompositions.set(cp, found);
  }
  return found;
}

/**
 * Lowercase one code point at a time, like Rust's `char::to_lowercase`: String#toLowerCase on a whole string applies
 * context rules (a final Σ becomes ς), which the crate does not.
 */
function lower(cp: number): readonly number[] {
  if (cp < 0x80) return [cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp];
  let found = lowercases.get(cp);
  if (found === undefined) {
    found = codePoints(String.fromCodePoint(cp).toLowerCase());
    lowercases.set(cp, found);
  }
  return found;
}

/** Replaces each code point by zero or more; all of them inherit the replaced code point's original span. */
function expand(text: AlignedText, map: (cp: number) => readonly number[]): AlignedText {
  const out: AlignedText = { chars: [], starts: [], ends: [] };
  text.chars.forEach((source, i) => {
    for (const cp of map(source)) {
      out.chars.push(cp);
      out.starts.push(text.starts[i] ?? 0);
      out.ends.push(text.ends[i] ?? 0);
    }
  });
  return out;
}

const cleanText = (cp: number): readonly number[] =>
  cp === 0 || cp === 0xfffd || isRemovedByCleanText(cp) ? [] : [isWhitespace(cp) ? SPACE : cp];
const spaceChinese = (cp: number): readonly number[] => (isChineseChar(cp) ? [SPACE, cp, SPACE] : [cp]);
const stripAccents = (cp: number): readonly number[] => nfd(cp).filter((d) => !isNonspacingMark(d));

/**
 * Normalises `chars` (code points of the original text starting at code point `offset`). The steps run in the
 * crate's order: clean, CJK, accents, lowercase (the Python BertTokenizer lowercases before stripping accents; the
 * results agree).
 */
export function normalizeBert(
  chars: readonly number[],
  offset: number,
  options: BertNormalizerOptions,
): AlignedText {
  let text: AlignedText = {
    chars: [...chars],
    starts: chars.map((_, i) => offset + i),
    ends: chars.map((_, i) => offset + i + 1),
  };
  if (options.cleanText) text = expand(text, cleanText);
  if (options.handleChineseChars) text = expand(text, spaceChinese);
  if (options.stripAccents ?? options.lowercase) text = expand(text, stripAccents);
  if (options.lowercase) text = expand(text, lower);
  return text;
}

/** The normalised string alone (for vocabulary training and debugging). */
export function normalizeString(text: string, options: BertNormalizerOptions): string {
  return fromCodePoints(normalizeBert(codePoints(text), 0, options).chars);
}
