import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineIndex, parseJsonDocument } from '../../../src/config/jsonDocument';

test('LineIndex maps offsets across LF, CRLF and CR line ends', () => {
  const lines = new LineIndex('ab\ncd\r\nef\rgh');
  assert.deepEqual(lines.position(0), { line: 0, character: 0 });
  assert.deepEqual(lines.position(4), { line: 1, character: 1 });
  assert.deepEqual(lines.position(7), { line: 2, character: 0 });
  assert.deepEqual(lines.position(10), { line: 3, character: 0 });
});

test('comments and trailing commas are accepted', () => {
  const parsed = parseJsonDocument('c.distill.json', '// hi\n{ /* x */ "a": [1, 2,], }\n');
  assert.equal(parsed.kind, 'ok');
});

test('every syntax error is reported with its position', () => {
  const text = '{\n  "a": 1\n  "b": ,\n}';
  const parsed = parseJsonDocument('c.distill.json', text);
  assert.equal(parsed.kind, 'syntax-error');
  if (parsed.kind !== 'syntax-error') return;
  const first = parsed.diagnostics[0];
  assert.ok(first);
  assert.equal(first.code, 'json-syntax');
  assert.match(first.message, /comma was expected/);
  assert.deepEqual(first.range.start, { line: 2, character: 2 });
  assert.ok(
    parsed.diagnostics.some(
      (d) =>
        /value was expected/.test(d.message) && d.range.start.line === 2 && d.range.start.character === 7,
    ),
  );
});

test('an empty file is a syntax error that says what to do', () => {
  const parsed = parseJsonDocument('c.distill.json', '   ');
  assert.equal(parsed.kind, 'syntax-error');
  if (parsed.kind === 'syntax-error')
    assert.match(parsed.diagnostics[0]?.message ?? '', /distill-studio init/);
});

test('rangeOf points at a value, a key, or the closest written ancestor', () => {
  const text = '{\n  "data": {\n    "train": "t.tsv"\n  }\n}';
  const parsed = parseJsonDocument('c.json', text);
  assert.equal(parsed.kind, 'ok');
  if (parsed.kind !== 'ok') return;
  const doc = parsed.document;
  assert.deepEqual(doc.rangeOf(['data', 'train']), {
    start: { line: 2, character: 13 },
    end: { line: 2, character: 20 },
  });
  assert.deepEqual(doc.rangeOf(['data', 'train'], 'key'), {
    start: { line: 2, character: 4 },
    end: { line: 2, character: 11 },
  });
  // "eval" is not written: point at the "data" key that should hold it.
  assert.deepEqual(doc.rangeOf(['data', 'eval']), {
    start: { line: 1, character: 2 },
    end: { line: 1, character: 8 },
  });
});
