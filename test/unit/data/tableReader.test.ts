import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeUtf8Lines, detectFormat, readTable } from '../../../src/data/tableReader';
import { tempWorkspace } from '../../helpers/tempWorkspace';

test('format is detected from the extension unless declared', () => {
  assert.equal(detectFormat('a/b.TSV'), 'tsv');
  assert.equal(detectFormat('b.csv'), 'csv');
  assert.equal(detectFormat('b.jsonl'), 'jsonl');
  assert.equal(detectFormat('b.txt'), undefined);
  assert.equal(detectFormat('b.txt', 'csv'), 'csv');
});

test('TSV keeps quotes literally (GLUE style) and remembers line numbers', async (t) => {
  const ws = tempWorkspace(t);
  const file = ws.write('a.tsv', '\uFEFFtext\tlabel\nhe said "wow\t1\n\nit\'s fine\t0\r\n');
  const table = await readTable(file, 'tsv');
  assert.deepEqual(table.columns, ['text', 'label']);
  assert.deepEqual(
    table.rows.map((r) => [r.line, r.values['text']]),
    [
      [2, 'he said "wow'],
      [4, "it's fine"],
    ],
  );
  assert.deepEqual(table.problems, []);
});

test('CSV handles quoted commas, escaped quotes and embedded newlines', async (t) => {
  const ws = tempWorkspace(t);
  const file = ws.write('a.csv', 'text,label\n"a, b",1\n"say ""hi""",0\n"two\nlines",1\n');
  const table = await readTable(file, 'csv');
  assert.deepEqual(
    table.rows.map((r) => r.values['text']),
    ['a, b', 'say "hi"', 'two\nlines'],
  );
});

test('unterminated CSV quotes become a problem with a line, not an exception', async (t) => {
  const ws = tempWorkspace(t);
  const file = ws.write('a.csv', 'text,label\n"open,1\n');
  const table = await readTable(file, 'csv');
  assert.equal(table.problems.length, 1);
  assert.match(table.problems[0]?.message ?? '', /cannot be parsed as CSV/);
});

test('invalid UTF-8 is located by line and the rest still decodes', () => {
  const bytes = Buffer.concat([
    Buffer.from('ok\n한국어\nb'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('d\nend\n'),
  ]);
  const { text, badLines } = decodeUtf8Lines(bytes);
  assert.deepEqual(badLines, [3]);
  assert.ok(text.includes('한국어'));
  assert.ok(text.endsWith('end\n'));
});
