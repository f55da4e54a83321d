// Structural errors: every one reported, with a fix and the exact key or value range.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseConfig, tempWorkspace, writeBaseData } from '../../helpers/tempWorkspace';
import { codes, errors, find, validateIn } from '../../helpers/validate';

test('a valid config has no errors', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  const result = await validateIn(ws, baseConfig());
  assert.deepEqual(errors(result), []);
  assert.equal(result.kind === 'checked' && result.valid, true);
});

test('unknown property: points at the key and suggests the right spelling', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  const text = `{
  "name": "x",
  "teacher": { "preset": "bert-mini" },
  "student": { "preset": "bert-tiny" },
  "data": { "train": "train.tsv" },
  "losses": { "softLabel": { "temprature": 2 } }
}`;
  const result = await validateIn(ws, text);
  const d = find(result, 'schema-unknown-property');
  assert.match(
    d.message,
    /Unknown property "temprature" in "losses.softLabel". Did you mean "temperature"\?/,
  );
  assert.deepEqual(d.range, { start: { line: 5, character: 29 }, end: { line: 5, character: 41 } });
  assert.deepEqual(d.path, ['losses', 'softLabel', 'temprature']);
});

test('all structural problems are reported at once', async (t) => {
  const ws = tempWorkspace(t);
  const text = `{
  "name": "has space",
  "teacher": { "preset": "bert-huge" },
  "student": { "preset": "bert-tiny" },
  "data": { "train": "train.tsv", "maxLength": 4 },
  "losses": { "softLabel": { "temperature": 0 } },
  "training": { "batchSize": 2.5 },
  "optimizer": { "learningRate": -1 },
  "stages": "tinybert-2step"
}`;
  const result = await validateIn(ws, text);
  assert.equal(result.kind === 'checked' && result.valid, false);
  const byCode = codes(result);
  assert.ok(byCode.includes('schema-pattern'));
  const enumErrors = result.diagnostics.filter((d) => d.code === 'schema-enum');
  assert.equal(enumErrors.length, 2, JSON.stringify(enumErrors));
  assert.ok(enumErrors.some((d) => /"bert-huge"; it must be .*"bert-large"/.test(d.message)));
  const stages = enumErrors.find((d) => d.path[0] === 'stages');
  assert.match(stages?.message ?? '', /Did you mean "tinybert-two-step"\?/);
  assert.equal(
    result.diagnostics.filter((d) => d.path[0] === 'stages').length,
    1,
    'one error for the union, not one per branch',
  );
  const temperature = result.diagnostics.find((d) => d.path.join('.') === 'losses.softLabel.temperature');
  assert.match(temperature?.message ?? '', /must be > 0/);
  assert.deepEqual(temperature?.range.start, { line: 5, character: 44 });
  assert.match(
    result.diagnostics.find((d) => d.path.join('.') === 'training.batchSize')?.message ?? '',
    /must be an integer, not a number/,
  );
  assert.match(
    result.diagnostics.find((d) => d.path.join('.') === 'data.maxLength')?.message ?? '',
    /must be >= 8/,
  );
  assert.match(
    result.diagnostics.find((d) => d.path.join('.') === 'optimizer.learningRate')?.message ?? '',
    /must be > 0/,
  );
});

test('missing required properties name the property and point at the owner', async (t) => {
  const ws = tempWorkspace(t);
  const result = await validateIn(
    ws,
    '{\n  "name": "x",\n  "teacher": { "preset": "bert-base" },\n  "data": {}\n}',
  );
  const student = result.diagnostics.find((d) => d.code === 'schema-required' && d.path[0] === 'student');
  assert.match(student?.message ?? '', /The config is missing the required property "student"/);
  const train = result.diagnostics.find(
    (d) => d.code === 'schema-required' && d.path.join('.') === 'data.train',
  );
  assert.match(
    train?.message ?? '',
    /"data" is missing the required property "train" \(Labelled training data/,
  );
  assert.deepEqual(train?.range.start, { line: 3, character: 2 });
});

test('a wrong type inside a union array reports the element, not the union', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  const config = { ...baseConfig(), stages: [{ name: 'a', kind: 'distill', trainLayers: [1, -1] }] };
  const result = await validateIn(ws, config);
  const layer = errors(result);
  assert.equal(layer.length, 1, JSON.stringify(layer));
  assert.deepEqual(layer[0]?.path, ['stages', 0, 'trainLayers', 1]);
  assert.match(layer[0]?.message ?? '', />= 0/);
});

test('a value of the wrong kind for a union says what it may be', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  const result = await validateIn(ws, { ...baseConfig(), stages: 3 });
  const d = errors(result);
  assert.equal(d.length, 1);
  assert.match(d[0]?.message ?? '', /"stages" must be a list of objects, or one of "task-distill"/);
});

test('semantic checks still run on sections that are structurally valid', async (t) => {
  const ws = tempWorkspace(t);
  const config = { ...baseConfig(), training: { batchSize: 0 } };
  const result = await validateIn(ws, config); // no data files written
  assert.ok(codes(result).includes('schema-range'));
  assert.ok(codes(result).includes('file-missing'));
});
