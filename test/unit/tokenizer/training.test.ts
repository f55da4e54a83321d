// WordPiece training: special tokens first, the size asked for, deterministic, the vocabulary committed in the
// fixture (which BertTokenizerFast loads and tokenizes as we do), HF's own trainer's vocabulary when replaying its
// run, and a save/load round trip.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { saveBertTokenizer } from '../../../src/trainer/tokenizer/saveTokenizer';
import { loadBertTokenizer } from '../../../src/trainer/tokenizer/tokenizerFiles';
import { learnMerges } from '../../../src/trainer/tokenizer/learnMerges';
import { countWords, TRAINING_DEFAULTS, trainWordPiece } from '../../../src/trainer/tokenizer/trainWordPiece';

const FIXTURES = 'test/fixtures/tokenizer';
const corpus = readFileSync(`${FIXTURES}/corpus.txt`, 'utf8').split('\n');

interface TrainedFixture {
  lowercase: boolean;
  vocabSize: number;
  minFrequency: number;
  limitAlphabet: number;
  encodings: Array<{ text: string; input_ids: number[] }>;
  hfTrainedVocab: string[];
}
const trained = JSON.parse(readFileSync(`${FIXTURES}/trained.json`, 'utf8')) as Record<
  string,
  TrainedFixture
>;

for (const [name, fixture] of Object.entries(trained)) {
  const settings = {
    lowercase: fixture.lowercase,
    vocabSize: fixture.vocabSize,
    minFrequency: fixture.minFrequency,
    limitAlphabet: fixture.limitAlphabet,
  };

  test(`${name}: training reproduces the committed vocabulary, which BertTokenizerFast tokenizes as we do`, async () => {
    const tokenizer = trainWordPiece(corpus, settings);
    const committed = await loadBertTokenizer(`${FIXTURES}/${name}`);
    assert.deepEqual(tokenizer.vocab, committed.vocab);
    for (const { text, input_ids: ids } of fixture.encodings)
      assert.deepEqual(tokenizer.encode(text).inputIds, ids, text);
  });

  test(`${name}: replaying HF's run, our merges give BertWordPieceTokenizer.train's vocabulary id for id`, () => {
    // HF adds the "##" forms in hash-map order, which varies from run to run and decides how ties between equally
    // frequent pairs break. Start from that run's specials, alphabet and "##" forms, then merge as trainWordPiece does.
    const hf = fixture.hfTrainedVocab;
    const firstMerge = hf.findIndex((t, i) => i >= 5 && Array.from(t.replace(/^##/, '')).length > 1);
    const tokens = hf.slice(0, firstMerge);
    const ids = new Map(tokens.map((t, i) => [t, i]));
    const vocab = {
      tokens,
      add(token: string): number {
        const id = ids.get(token) ?? tokens.push(token) - 1;
        ids.set(token, id);
        return id;
      },
    };
    const counts = countWords(corpus, { ...TRAINING_DEFAULTS, lowercase: fixture.lowercase });
    const words = [...counts].map(([word, count]) => ({
      symbols: Array.from(word)
        .map((c, i) => ids.get(i > 0 ? `##${c}` : c))
        .filter((id) => id !== undefined),
      count,
    }));
    learnMerges(words, vocab, { ...TRAINING_DEFAULTS, ...settings });
    assert.deepEqual(tokens, hf);
    // Our own order of the "##" forms (by code point) is one of the orders HF may draw: the vocabularies agree.
    const ours = new Set(trainWordPiece(corpus, settings).vocab);
    const shared = hf.filter((t) => ours.has(t)).length;
    assert.ok(shared >= 0.97 * hf.length, `${shared} of ${hf.length} tokens shared with HF`);
  });
}

test('special tokens come first as in BertWordPieceTokenizer, then characters, "##" forms and merges', () => {
  const tokenizer = trainWordPiece(corpus, { vocabSize: 300 });
  assert.deepEqual(tokenizer.vocab.slice(0, 5), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  const single = (t: string): boolean => [...t.replace(/^##/, '')].length === 1;
  const firstContinuation = tokenizer.vocab.findIndex((t) => t.startsWith('##'));
  const firstMerge = tokenizer.vocab.findIndex((t, i) => i >= 5 && !single(t));
  assert.ok(tokenizer.vocab.slice(5, firstContinuation).every((t) => single(t) && !t.startsWith('##')));
  assert.ok(
    tokenizer.vocab.slice(firstContinuation, firstMerge).every((t) => single(t) && t.startsWith('##')),
  );
  assert.ok(firstMerge > firstContinuation && firstMerge < 300);
  // Uncased Korean trains on jamo (NFD), as the uncased BERT normaliser sees it.
  assert.ok(tokenizer.vocab.includes('ᄒ') && !tokenizer.vocab.includes('한'));
  assert.equal(tokenizer.encode('[CLS]').inputIds[1], 2);
});

test('training respects vocabSize, stops at minFrequency, and does not depend on line order', () => {
  for (const vocabSize of [200, 250, 400]) {
    const a = trainWordPiece(corpus, { vocabSize });
    assert.equal(a.vocabSize, vocabSize);
    assert.deepEqual(trainWordPiece(corpus, { vocabSize }).vocab, a.vocab);
    assert.deepEqual(trainWordPiece([...corpus].reverse(), { vocabSize }).vocab, a.vocab);
  }
  // With room to spare, fewer pairs qualify as minFrequency rises; none is as frequent as the corpus is long.
  const sizes = [2, 5, 20, corpus.length * 100].map(
    (f) => trainWordPiece(corpus, { vocabSize: 1e5, minFrequency: f }).vocabSize,
  );
  assert.deepEqual(
    sizes,
    [...new Set(sizes)].sort((x, y) => y - x),
    `sizes fall: ${sizes.join(' > ')}`,
  );
  const alphabetOnly = trainWordPiece(corpus, { vocabSize: 1e5, minFrequency: corpus.length * 100 }).vocab;
  assert.ok(alphabetOnly.every((t, i) => i < 5 || [...t.replace(/^##/, '')].length === 1));
});

test('a vocabSize smaller than the alphabet is an error that says how to fix it', () => {
  assert.throws(
    () => trainWordPiece(corpus, { vocabSize: 50, lowercase: false }),
    /vocabSize 50 is smaller than the \d+ tokens .* Raise vocabSize, or lower limitAlphabet/,
  );
  const limited = trainWordPiece(corpus, { vocabSize: 80, limitAlphabet: 30 });
  assert.ok(limited.vocabSize <= 80);
});

test('Korean cased training keeps syllables and tokenizes unseen text with [UNK] only where needed', () => {
  const tokenizer = trainWordPiece(corpus, { vocabSize: 700, lowercase: false });
  assert.ok(tokenizer.vocab.includes('실망') && tokenizer.vocab.includes('##송'));
  const { tokens, offsets } = tokenizer.encode('배송은 실망 😀');
  assert.deepEqual(tokens, ['[CLS]', '배', '##송', '##은', '실망', '[UNK]', '[SEP]']);
  assert.deepEqual(offsets, [
    [0, 0],
    [0, 1],
    [1, 2],
    [2, 3],
    [4, 6],
    [7, 8],
    [0, 0],
  ]);
});

test('save writes files that load back into the same tokenizer', async (t) => {
  const workspace = tempWorkspace(t);
  const tokenizer = trainWordPiece(corpus, { vocabSize: 700, lowercase: false, modelMaxLength: 128 });
  const files = await saveBertTokenizer(tokenizer, workspace.path('tok'));
  assert.deepEqual(
    files.map((f) => f.slice(workspace.path('tok').length + 1)),
    ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'],
  );
  const fromDir = await loadBertTokenizer(workspace.path('tok'));
  const fromVocab = await loadBertTokenizer(workspace.path('tok/vocab.txt'));
  for (const loaded of [fromDir, fromVocab]) {
    assert.deepEqual(loaded.vocab, tokenizer.vocab);
    assert.deepEqual(loaded.options, tokenizer.options);
    for (const line of corpus.slice(0, 30)) assert.deepEqual(loaded.encode(line), tokenizer.encode(line));
  }
  const json = JSON.parse(readFileSync(workspace.path('tok/tokenizer.json'), 'utf8')) as {
    model: { vocab: Record<string, number> };
    normalizer: { lowercase: boolean };
  };
  assert.equal(Object.keys(json.model.vocab).length, 700);
  assert.equal(json.normalizer.lowercase, false);
});
