// Parity with transformers' BertTokenizerFast on every case in test/fixtures/tokenizer/cases.json (written by
// generate.py): ids, type ids, attention mask, tokens, offsets, word ids, decode, and the same errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { BertTokenizer } from '../../../src/trainer/tokenizer/bertTokenizer';
import type { EncodeOptions, Encoding } from '../../../src/trainer/tokenizer/encoding';
import { loadBertTokenizer } from '../../../src/trainer/tokenizer/tokenizerFiles';

const FIXTURES = 'test/fixtures/tokenizer';

interface Expected {
  input_ids: number[];
  token_type_ids: number[];
  attention_mask: number[];
  tokens: string[];
  offset_mapping: Array<[number, number]>;
  word_ids: Array<number | null>;
}

interface Case {
  text?: string;
  pair?: string;
  batch?: string[];
  batchPairs?: string[];
  options?: EncodeOptions;
  expected:
    (Expected & { decoded?: string; decoded_skip?: string }) | { error: string } | { encodings: Expected[] };
}

interface CasesFile {
  transformers: string;
  variants: Record<string, Case[]>;
  decodes: Array<{ ids: number[]; decoded: string; decoded_skip: string }>;
  truncationGrid: { special: string; plain: string };
}

const fixture = JSON.parse(readFileSync(`${FIXTURES}/cases.json`, 'utf8')) as CasesFile;

function asHf(e: Encoding): Expected {
  return {
    input_ids: e.inputIds,
    token_type_ids: e.tokenTypeIds,
    attention_mask: e.attentionMask,
    tokens: e.tokens,
    offset_mapping: e.offsets,
    word_ids: e.wordIds,
  };
}

function label(c: Case): string {
  return (
    JSON.stringify(c.batch ?? [c.text, c.pair]).slice(0, 60) +
    (c.options ? ` ${JSON.stringify(c.options)}` : '')
  );
}

function check(tokenizer: BertTokenizer, c: Case): void {
  const run = (): Encoding[] =>
    c.batch !== undefined
      ? tokenizer.encodeBatch(c.batch, c.batchPairs, c.options)
      : [tokenizer.encode(c.text ?? '', c.pair, c.options)];
  const expected = c.expected;
  if ('error' in expected) {
    assert.throws(run, Error, `${label(c)} should fail like HF: ${expected.error}`);
    return;
  }
  const got = run().map(asHf);
  if ('encodings' in expected) {
    assert.deepEqual(got, expected.encodings, label(c));
    return;
  }
  const { decoded, decoded_skip: decodedSkip, ...encoding } = expected;
  assert.deepEqual(got[0], encoding, label(c));
  if (decoded !== undefined)
    assert.equal(tokenizer.decode(encoding.input_ids), decoded, `decode ${label(c)}`);
  if (decodedSkip !== undefined)
    assert.equal(
      tokenizer.decode(encoding.input_ids, { skipSpecialTokens: true }),
      decodedSkip,
      `decode ${label(c)}`,
    );
}

for (const [variant, cases] of Object.entries(fixture.variants)) {
  test(`${variant}: ${cases.length} cases equal BertTokenizerFast (transformers ${fixture.transformers})`, async () => {
    const tokenizer = await loadBertTokenizer(`${FIXTURES}/${variant}`);
    for (const c of cases) check(tokenizer, c);
  });
}

test('the tokenizer.json folder (as save_pretrained writes it) encodes like the vocab.txt folder', async () => {
  const fromJson = await loadBertTokenizer(`${FIXTURES}/json`);
  const fromVocab = await loadBertTokenizer(`${FIXTURES}/uncased`);
  assert.deepEqual(fromJson.vocab, fromVocab.vocab);
  for (const c of fixture.variants.uncased ?? [])
    if (c.batch === undefined && !('error' in c.expected)) check(fromJson, c);
});

test('decode equals BertTokenizerFast.decode, with and without special tokens', async () => {
  const tokenizer = await loadBertTokenizer(`${FIXTURES}/uncased`);
  for (const d of fixture.decodes) {
    assert.equal(tokenizer.decode(d.ids), d.decoded);
    assert.equal(tokenizer.decode(d.ids, { skipSpecialTokens: true }), d.decoded_skip);
  }
});

test('utf16 offsets slice the JavaScript string; code point offsets count like Python', async () => {
  const tokenizer = await loadBertTokenizer(`${FIXTURES}/uncased`);
  const text = 'emoji 😀👍 and 🥰 ok';
  const points = tokenizer.encode(text);
  const units = tokenizer.encode(text, undefined, { offsetUnit: 'utf16' });
  assert.deepEqual(units.inputIds, points.inputIds);
  const love = points.tokens.indexOf('🥰');
  assert.deepEqual(points.offsets[love], [13, 14]);
  assert.deepEqual(units.offsets[love], [15, 17]);
  const pieces = units.offsets.map(([start, end]) => text.slice(start, end));
  assert.deepEqual(pieces, ['', 'e', 'm', 'o', 'j', 'i', '😀', '👍', 'and', '🥰', 'o', 'k', '']);
  const pair = tokenizer.encode('😀 hello', '👍 world', { offsetUnit: 'utf16' });
  assert.deepEqual(pair.offsets, [
    [0, 0],
    [0, 2],
    [3, 8],
    [0, 0],
    [0, 2],
    [3, 8],
    [0, 0],
  ]);
});

test('longest_first keeps the same lengths as tokenizers 0.23.2 for every pair of lengths up to 8', async () => {
  const tokenizer = await loadBertTokenizer(`${FIXTURES}/uncased`);
  for (const [grid, special] of [
    [fixture.truncationGrid.special, true],
    [fixture.truncationGrid.plain, false],
  ] as const) {
    let cell = 0;
    for (let x = 0; x < 9; x++)
      for (let y = 0; y < 9; y++)
        for (let m = special ? 3 : 0; m < (special ? 12 : 9); m++, cell++) {
          const e = tokenizer.encode('hello '.repeat(x), 'world '.repeat(y), {
            maxLength: m,
            truncation: 'longest_first',
            addSpecialTokens: special,
          });
          const kept = `${e.tokens.filter((t) => t === 'hello').length}${e.tokens.filter((t) => t === 'world').length}`;
          assert.equal(kept, grid.slice(2 * cell, 2 * cell + 2), `lengths ${x}+${y}, maxLength ${m}`);
        }
  }
});

test('maxLength below the special tokens is an error that says the least that works', async () => {
  const tokenizer = await loadBertTokenizer(`${FIXTURES}/uncased`);
  assert.throws(
    () => tokenizer.encode('hello', 'world', { maxLength: 2 }),
    /3 special tokens of a pair; use maxLength 4/,
  );
  assert.throws(() => tokenizer.encode('hello', undefined, { maxLength: 1 }), /use maxLength 3/);
  assert.throws(() => tokenizer.encode('hello', undefined, { maxLength: 1.5 }), /whole number/);
});
