// predict and eval through the built CLI, on checkpoint folders (TF.js) and PyTorch-exported ONNX files, against
// what transformers' BertTokenizerFast and model produced for the same sentences (expected_predict.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { cli } from '../../helpers/builtCli';

interface Expected {
  texts: string[];
  input_ids: number[][];
  tokens: string[][];
  logits: number[][];
}

const expected = (name: string): Expected =>
  JSON.parse(readFileSync(join('test/fixtures/models', name, 'expected_predict.json'), 'utf8')) as Expected;

const models = [
  { name: 'bert-cls', path: 'test/fixtures/models/bert-cls' },
  { name: 'mobilebert-cls', path: 'test/fixtures/models/mobilebert-cls' },
  { name: 'bert-cls', path: 'test/fixtures/onnx/bert-cls/model.onnx' },
  { name: 'mobilebert-cls', path: 'test/fixtures/onnx/mobilebert-cls/model.onnx' },
];

for (const { name, path } of models) {
  test(`predict --json on ${path} matches transformers from text to logits`, () => {
    const e = expected(name);
    const args = ['predict', '--model', path, '--json', ...e.texts.flatMap((t) => ['--text', t])];
    const { code, stdout, stderr } = cli(args);
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout) as {
      input_ids: number[][];
      tokens: string[][];
      logits: number[][];
      probabilities: number[][];
      label: string[];
    };
    assert.deepEqual(out.input_ids, e.input_ids);
    assert.deepEqual(out.tokens, e.tokens);
    const worst = Math.max(
      ...out.logits.flatMap((row, i) => row.map((v, j) => Math.abs(v - (e.logits[i]?.[j] ?? NaN)))),
    );
    assert.ok(worst < 1e-4, `max |logit diff| ${worst}`);
    out.probabilities.forEach((p) => assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9));
    const config = JSON.parse(readFileSync(join('test/fixtures/models', name, 'config.json'), 'utf8')) as {
      id2label: Record<string, string>;
    };
    const argmax = (row: number[]): number => row.indexOf(Math.max(...row));
    assert.deepEqual(
      out.label,
      e.logits.map((row) => config.id2label[String(argmax(row))]),
    );
  });
}

test('predict --hidden returns every hidden state and attention map with the documented shapes', () => {
  const { code, stdout, stderr } = cli([
    'predict',
    '--model',
    'test/fixtures/models/mobilebert-cls',
    '--input-ids',
    '2,10,11,3',
    '--input-ids',
    '2,20,3',
    '--hidden',
    '--json',
  ]);
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout) as {
    input_ids: number[][];
    last_hidden_state: number[][][];
    hidden_states: number[][][][];
    attentions: number[][][][][];
  };
  assert.deepEqual(out.input_ids, [
    [2, 10, 11, 3],
    [2, 20, 3, 0],
  ]);
  const shape = (x: unknown): number[] => (Array.isArray(x) ? [x.length, ...shape(x[0])] : []);
  assert.deepEqual(shape(out.last_hidden_state), [2, 4, 32]);
  assert.deepEqual(shape(out.hidden_states), [3, 2, 4, 32]);
  assert.deepEqual(shape(out.attentions), [2, 2, 4, 4, 4]);
  // The padded key of the second row gets no attention.
  assert.equal(out.attentions[0]?.[1]?.[0]?.[0]?.[3], 0);
});

test('predict explains bad input without a stack trace', () => {
  const both = cli([
    'predict',
    '--model',
    'test/fixtures/models/bert-cls',
    '--text',
    'a',
    '--input-ids',
    '1,2',
  ]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /Give either --text .* or --input-ids/);
  const bad = cli(['predict', '--model', 'test/fixtures/models/bert-cls', '--input-ids', '2,x,3']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /"x" \(item 2 of "2,x,3"\) is not a non-negative integer/);
  const mismatch = cli([
    'predict',
    '--model',
    'test/fixtures/models/bert-cls',
    '--input-ids',
    '2,5,3',
    '--attention-mask',
    '1,1',
  ]);
  assert.match(mismatch.stderr, /--attention-mask row 1 has 2 values but --input-ids has 3/);
  const missing = cli(['predict', '--model', 'nowhere', '--text', 'a']);
  assert.match(missing.stderr, /Model "nowhere" does not exist/);
  for (const r of [both, bad, mismatch, missing]) assert.doesNotMatch(r.stderr, /\n\s+at /);
});

for (const path of ['test/fixtures/models/bert-cls', 'test/fixtures/onnx/bert-cls/model.onnx']) {
  test(`eval on ${path}: accuracy, macro-F1, per-class and confusion agree with the reference predictions`, (t) => {
    const ws = tempWorkspace(t);
    const e = expected('bert-cls');
    const names = ['negative', 'neutral', 'positive'];
    const predicted = e.logits.map((row) => names[row.indexOf(Math.max(...row))] ?? '');
    // Gold = the reference prediction for the first two rows, a different label for the third.
    const gold = [predicted[0], predicted[1], predicted[2] === 'negative' ? 'positive' : 'negative'];
    ws.write('data.tsv', `text\tlabel\n${e.texts.map((text, i) => `${text}\t${gold[i]}`).join('\n')}\n`);
    const { code, stdout, stderr } = cli(
      ['eval', '--model', resolve(path), '--data', 'data.tsv', '--json'],
      ws.dir,
    );
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as {
      n: number;
      accuracy: number;
      macroF1: number;
      confusion: number[][];
      perClass: { label: string; support: number }[];
      throughput: number;
    };
    assert.equal(report.n, 3);
    assert.equal(report.accuracy, 2 / 3);
    assert.equal(
      report.confusion.flat().reduce((a, b) => a + b, 0),
      3,
    );
    assert.deepEqual(
      report.perClass.map((c) => c.label),
      names,
    );
    assert.ok(report.throughput > 0);
    const text = cli(['eval', '--model', resolve(path), '--data', 'data.tsv'], ws.dir);
    assert.match(text.stdout, /n 3 {3}accuracy 66\.67% {3}macro-F1/);
  });
}

test('eval names the file and line of a label the model does not know', (t) => {
  const ws = tempWorkspace(t);
  ws.write('data.tsv', 'text\tlabel\ngood\tpositive\nbad\tawful\n');
  const { code, stderr } = cli(
    ['eval', '--model', resolve('test/fixtures/models/bert-cls'), '--data', 'data.tsv'],
    ws.dir,
  );
  assert.equal(code, 2);
  assert.match(
    stderr,
    /data\.tsv:3: label "awful" is not one the model predicts \(negative, neutral, positive\)/,
  );
});
