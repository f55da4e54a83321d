// BertNormalizer and BertPreTokenizer agree with the Rust `tokenizers` crate on the ~700 code points where its
// Unicode tables and JavaScript's \p{..} classes disagree (fixture unicode.json from generate.py), and on offsets.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  isChineseChar,
  isPunctuation,
  isRemovedByCleanText,
} from '../../../src/trainer/tokenizer/charClasses';
import { fromCodePoints, normalizeBert, normalizeString } from '../../../src/trainer/tokenizer/normalizer';
import { preTokenize } from '../../../src/trainer/tokenizer/preTokenizer';

interface UnicodeCase {
  text: string;
  lower: string;
  cased: string;
  words: string[];
}

const cases = JSON.parse(readFileSync('test/fixtures/tokenizer/unicode.json', 'utf8')) as UnicodeCase[];
const options = { cleanText: true, handleChineseChars: true, stripAccents: undefined };

test(`normalisation equals the crate's on ${cases.length} chunks of tricky code points`, () => {
  for (const c of cases) {
    assert.equal(normalizeString(c.text, { ...options, lowercase: true }), c.lower, JSON.stringify(c.text));
    assert.equal(normalizeString(c.text, { ...options, lowercase: false }), c.cased, JSON.stringify(c.text));
  }
});

test("pre-tokenisation equals the crate's on the same chunks", () => {
  for (const c of cases) {
    const chars = Array.from(c.cased, (ch) => ch.codePointAt(0) ?? 0);
    const words = preTokenize(chars).map((w) => fromCodePoints(chars, w.start, w.end));
    assert.deepEqual(words, c.words, JSON.stringify(c.text));
  }
});

test('the character classes follow BERT: Hangul and kana are not CJK, $ and ^ are punctuation', () => {
  assert.ok(isChineseChar(0x4e2d)); // 中
  assert.ok(isChineseChar(0x20000)); // CJK Extension B, outside the BMP
  assert.ok(!isChineseChar(0xd55c)); // 한
  assert.ok(!isChineseChar(0x3053)); // こ
  for (const c of '$+<=>^`|~!-.') assert.ok(isPunctuation(c.codePointAt(0) ?? 0), c);
  assert.ok(!isPunctuation(0x61));
  assert.ok(isRemovedByCleanText(0x200b) && isRemovedByCleanText(0xad) && !isRemovedByCleanText(0x09));
});

test('every normalised character points back at the original characters it came from', () => {
  const text = 'Ⅻ İ 한 中 e\u0301';
  const chars = Array.from(text, (ch) => ch.codePointAt(0) ?? 0);
  const out = normalizeBert(chars, 10, { ...options, lowercase: true });
  const spans = out.chars.map((cp, i) => [String.fromCodePoint(cp), out.starts[i], out.ends[i]]);
  assert.deepEqual(spans, [
    ['ⅻ', 10, 11],
    [' ', 11, 12],
    ['i', 12, 13], // İ -> I + combining dot (dropped) -> i
    [' ', 13, 14],
    ['ᄒ', 14, 15], // Hangul decomposes into jamo under NFD; all three point at 한
    ['ᅡ', 14, 15],
    ['ᆫ', 14, 15],
    [' ', 15, 16],
    [' ', 16, 17], // the spaces put around 中 point at 中
    ['中', 16, 17],
    [' ', 16, 17],
    [' ', 17, 18],
    ['e', 18, 19], // the combining acute accent is dropped with its span, as the crate does
  ]);
});

test('Korean stays in syllables when cased, and in jamo (NFD) when lowercased with accent stripping', () => {
  assert.equal(normalizeString('한국어 리뷰', { ...options, lowercase: false }), '한국어 리뷰');
  assert.equal(
    normalizeString('한국어 리뷰', { ...options, lowercase: true }),
    '한국어 리뷰'.normalize('NFD'),
  );
  assert.equal(
    normalizeString('한국어 Café', { ...options, lowercase: true, stripAccents: false }),
    '한국어 café',
  );
});
