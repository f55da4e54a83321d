// Loading tokenizers from files: the errors say which file and how to fix it, and the settings resolve as
// BertTokenizerFast.from_pretrained resolves them (expected values measured with transformers 5.18).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { BertTokenizer } from '../../../src/trainer/tokenizer/bertTokenizer';
import { tokenizerJson } from '../../../src/trainer/tokenizer/saveTokenizer';
import { loadBertTokenizer } from '../../../src/trainer/tokenizer/tokenizerFiles';

const SPECIALS = '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n';

test('a missing vocabulary file is named, with how to fix it', async (t) => {
  const workspace = tempWorkspace(t);
  const file = workspace.path('nope/vocab.txt');
  await assert.rejects(loadBertTokenizer(file), (error: Error) => {
    assert.ok(error.message.includes(`"${file}" does not exist`), error.message);
    assert.match(
      error.message,
      /Point at a BERT checkpoint folder .* or train a vocabulary with trainWordPiece/,
    );
    return true;
  });
});

test('an empty vocabulary file is named, with how to fix it', async (t) => {
  const workspace = tempWorkspace(t);
  for (const content of ['', '\n\n', '  \r\n']) {
    const file = workspace.write('empty/vocab.txt', content);
    await assert.rejects(loadBertTokenizer(file), (error: Error) => {
      assert.ok(error.message.includes(`Vocabulary file "${file}" is empty`), error.message);
      assert.match(error.message, /one token per line .* Copy vocab.txt from the teacher checkpoint/);
      return true;
    });
  }
  assert.throws(() => new BertTokenizer([]), /vocabulary is empty/);
});

test('a folder without tokenizer files, a non-WordPiece tokenizer.json and broken JSON are explained', async (t) => {
  const workspace = tempWorkspace(t);
  workspace.write('bare/config.json', '{}');
  await assert.rejects(loadBertTokenizer(workspace.path('bare')), /has neither tokenizer.json nor vocab.txt/);
  const bpe = workspace.write(
    'bpe/tokenizer.json',
    JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 } } }),
  );
  await assert.rejects(loadBertTokenizer(bpe), /holds a BPE tokenizer; BERT and MobileBERT use WordPiece/);
  const broken = workspace.write('broken/tokenizer.json', '{"model": ');
  await assert.rejects(loadBertTokenizer(broken), (error: Error) =>
    error.message.includes(`"${broken}" is not valid JSON`),
  );
  const holes = workspace.write(
    'holes/tokenizer.json',
    JSON.stringify({ model: { type: 'WordPiece', vocab: { a: 0, b: 2 } } }),
  );
  await assert.rejects(loadBertTokenizer(holes), /no token with id 1/);
  workspace.write('badcfg/vocab.txt', SPECIALS);
  workspace.write('badcfg/tokenizer_config.json', '{"do_lower_case": "yes"}');
  await assert.rejects(loadBertTokenizer(workspace.path('badcfg')), /"do_lower_case" must be true or false/);
});

test('vocab.txt lines lose trailing whitespace and CR; a blank line is still an id', async (t) => {
  const workspace = tempWorkspace(t);
  const file = workspace.write(
    'v/vocab.txt',
    '[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\nhello \r\nworld\r\n\r\nfoo\n',
  );
  const tokenizer = await loadBertTokenizer(file);
  assert.deepEqual(tokenizer.encode('hello world foo').inputIds, [2, 5, 6, 8, 3]);
  assert.equal(tokenizer.idToToken(7), '');
});

test('special tokens missing from the vocabulary are appended in transformers order', async (t) => {
  const workspace = tempWorkspace(t);
  const tokenizer = await loadBertTokenizer(workspace.write('m/vocab.txt', '[UNK]\n[CLS]\n[SEP]\nhello\n'));
  const e = tokenizer.encode('hello [MASK] [PAD]', 'x', { padding: 'max_length', maxLength: 12 });
  assert.deepEqual(e.tokens.slice(0, 7), ['[CLS]', 'hello', '[MASK]', '[PAD]', '[SEP]', '[UNK]', '[SEP]']);
  assert.deepEqual(e.inputIds, [1, 3, 5, 4, 2, 0, 2, 4, 4, 4, 4, 4]);
  assert.equal(tokenizer.decode(e.inputIds, { skipSpecialTokens: true }), 'hello');
});

test("tokenizer_config.json wins over tokenizer.json's normaliser, with BERT defaults, like from_pretrained", async (t) => {
  const workspace = tempWorkspace(t);
  const cased = new BertTokenizer(SPECIALS.trim().split('\n').concat(['Hello', 'hello', 'cafe', 'Café']), {
    lowercase: false,
    stripAccents: true,
  });
  const json = JSON.stringify(tokenizerJson(cased));
  // No config: transformers rebuilds the normaliser from its defaults (lowercase), ignoring the file's.
  workspace.write('a/tokenizer.json', json);
  assert.deepEqual((await loadBertTokenizer(workspace.path('a'))).tokenize('Hello Café'), ['hello', 'cafe']);
  // A config that says cased is obeyed; model_max_length comes from it too.
  workspace.write('b/tokenizer.json', json);
  workspace.write('b/tokenizer_config.json', JSON.stringify({ do_lower_case: false, model_max_length: 7 }));
  const b = await loadBertTokenizer(workspace.path('b/tokenizer.json'));
  assert.deepEqual(b.tokenize('Hello Café'), ['Hello', 'Café']);
  assert.equal(b.options.modelMaxLength, 7);
  assert.equal(b.encode('Hello '.repeat(20), undefined, { truncation: 'longest_first' }).inputIds.length, 7);
  // Explicit overrides win over both.
  assert.deepEqual((await loadBertTokenizer(workspace.path('b'), { lowercase: true })).tokenize('Hello'), [
    'hello',
  ]);
});

test('a tokenizer.json that adds tokens beyond the special ones is refused, saying why', async (t) => {
  const workspace = tempWorkspace(t);
  const base = tokenizerJson(new BertTokenizer(SPECIALS.trim().split('\n').concat(['hello'])));
  const added = [...(base.added_tokens as unknown[]), { id: 6, content: '<new>', special: false }];
  const file = workspace.write('x/tokenizer.json', JSON.stringify({ ...base, added_tokens: added }));
  await assert.rejects(loadBertTokenizer(file), /adds tokens beyond BERT's special tokens \(<new>\)/);
});
