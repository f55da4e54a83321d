// guards.checkTeacherInputs: one case per finding of checkTeacherInputs (its code, severity, the config path and
// line it points at, and the fix its message names), a clean case with no findings, and a run whose tokenizer
// lower-cases differently from its teacher's stopping before the first step (built CLI).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { ConfigDiagnostic } from '../../../src/protocol/diagnostics';
import { parseJsonDocument, type JsonPath } from '../../../src/config/jsonDocument';
import { Reporter } from '../../../src/config/reporter';
import { BertTokenizer } from '../../../src/trainer/tokenizer/bertTokenizer';
import { checkTeacherInputs, type TeacherInputFacts } from '../../../src/trainer/train/teacherInputs';
import { writePretrainRun } from '../../helpers/pretrainRun';
import { tempWorkspace } from '../../helpers/tempWorkspace';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'film', 'was', 'good', '##s'];

function tokenizer(
  options: { lowercase?: boolean; stripAccents?: boolean } = {},
  vocab = VOCAB,
): BertTokenizer {
  return new BertTokenizer(vocab, options);
}

function facts(overrides: Partial<TeacherInputFacts> = {}): TeacherInputFacts {
  return {
    role: 'teacher',
    teacherTokenizer: { tokenizer: tokenizer(), source: 'the tokenizer files in /t' },
    runTokenizer: tokenizer(),
    typeVocabSize: 2,
    maxPositions: 64,
    data: { maxLength: 32, maxTypeId: 0, rows: 100, rowsAtMaxLength: 0 },
    ...overrides,
  };
}

const BASE = {
  name: 'x',
  teacher: { checkpoint: 'teacher' },
  student: { preset: 'mobilebert-tiny' },
  data: { train: 'train.tsv', maxLength: 32 },
};

/** Runs the check on a config written from `config`; returns the findings and the config's lines. */
function check(
  f: TeacherInputFacts,
  config: Record<string, unknown> = BASE,
): { found: ConfigDiagnostic[]; lines: string[] } {
  const text = JSON.stringify(config, null, 2);
  const parsed = parseJsonDocument('/w/x.distill.json', text);
  assert.equal(parsed.kind, 'ok');
  if (parsed.kind !== 'ok') throw new Error('unreachable');
  const report = new Reporter(parsed.document);
  checkTeacherInputs(f, report);
  return { found: report.diagnostics, lines: text.split('\n') };
}

/** The one finding, with its code, severity and path, placed on the line of the setting it names. */
function only(
  result: { found: ConfigDiagnostic[]; lines: string[] },
  code: string,
  severity: string,
  path: JsonPath,
  lineHas: string,
): ConfigDiagnostic {
  assert.equal(result.found.length, 1, JSON.stringify(result.found.map((d) => d.code)));
  const d = result.found[0] as ConfigDiagnostic;
  assert.equal(d.code, code);
  assert.equal(d.severity, severity);
  assert.deepEqual(d.path, path);
  assert.equal(d.file, '/w/x.distill.json');
  assert.ok(
    result.lines[d.range.start.line]?.includes(lineHas),
    `line ${d.range.start.line + 1} is ${result.lines[d.range.start.line]}, expected ${lineHas}`,
  );
  return d;
}

test('a teacher that gets what it was trained with reports nothing', () => {
  const clean = check(
    facts({
      trainedLength: { value: 32, source: 'distill_studio.max_length in /t/config.json' },
      onnx: { file: '/t/model.onnx', tokenTypeIds: true, fixedLength: 32 },
      data: { maxLength: 32, maxTypeId: 1, rows: 100, rowsAtMaxLength: 40 },
    }),
  );
  assert.deepEqual(clean.found, []);
  // Also with no teacher tokenizer files to compare (a teacher trained in the run).
  const noFiles = facts();
  delete noFiles.teacherTokenizer;
  assert.deepEqual(check(noFiles).found, []);
});

test('teacher-lowercase-mismatch: at tokenizer.lowercase when the config overrides it, else at the teacher', () => {
  const config = { ...BASE, tokenizer: { lowercase: false } };
  const run = tokenizer({ lowercase: false });
  const d = only(
    check(facts({ runTokenizer: run }), config),
    'teacher-lowercase-mismatch',
    'error',
    ['tokenizer', 'lowercase'],
    '"lowercase"',
  );
  assert.match(
    d.message,
    /trained on text normalised with lowercase true, strip accents true \(the tokenizer files in \/t\)/,
  );
  assert.match(d.message, /the run tokenizes with lowercase false, strip accents false/);
  assert.match(
    d.message,
    /Remove "tokenizer\.lowercase" \/ "tokenizer\.stripAccents" so the teacher's own setting applies\./,
  );
  // Accents alone differ, and nothing in the config overrides it (e.g. a tokenizer.path with other files).
  const accents = only(
    check(facts({ runTokenizer: tokenizer({ lowercase: true, stripAccents: false }) })),
    'teacher-lowercase-mismatch',
    'error',
    ['teacher'],
    '"teacher"',
  );
  assert.match(
    accents.message,
    /strip accents true .* the run tokenizes with lowercase true, strip accents false/,
  );
  assert.match(accents.message, /Set "tokenizer\.stripAccents": true\.$/);
  const cased = check(facts({ runTokenizer: tokenizer({ lowercase: false }) }));
  assert.match(cased.found[0]?.message ?? '', /Set "tokenizer\.lowercase": true\.$/);
});

test('teacher-vocab-mismatch: another size or another token at an id, at tokenizer.path', () => {
  const config = { ...BASE, tokenizer: { path: 'other/vocab.txt' } };
  const bigger = only(
    check(facts({ runTokenizer: tokenizer({}, [...VOCAB, 'extra']) }), config),
    'teacher-vocab-mismatch',
    'error',
    ['tokenizer', 'path'],
    '"path"',
  );
  assert.match(bigger.message, /10 tokens where the run's tokenizer has 11/);
  assert.match(bigger.message, /remove "tokenizer\.path" \/ "tokenizer\.train"/);
  const swapped = [...VOCAB];
  [swapped[6], swapped[7]] = [swapped[7] as string, swapped[6] as string];
  const moved = only(
    check(facts({ runTokenizer: tokenizer({}, swapped) }), config),
    'teacher-vocab-mismatch',
    'error',
    ['tokenizer', 'path'],
    '"path"',
  );
  assert.match(moved.message, /id 6 is "film" for the teacher but "was" for the run/);
  // For a pretrainTeacher the fix is another teacher, not another tokenizer.
  const pretrain = check(facts({ role: 'pretrainTeacher', runTokenizer: tokenizer({}, swapped) }), config);
  assert.match(
    pretrain.found[0]?.message ?? '',
    /give a pretrainTeacher that shares the teacher's vocabulary/,
  );
});

test('teacher-token-types: text pairs for a one-type teacher, or an ONNX file without token_type_ids', () => {
  const config = { ...BASE, data: { ...BASE.data, textPairColumn: 'hypothesis' } };
  const pairs = { maxLength: 32, maxTypeId: 1, rows: 10, rowsAtMaxLength: 0 };
  const types = only(
    check(facts({ typeVocabSize: 1, data: pairs }), config),
    'teacher-token-types',
    'error',
    ['data', 'textPairColumn'],
    '"textPairColumn"',
  );
  assert.match(types.message, /token type id 1 \(text pairs\), but the teacher has type_vocab_size 1/);
  assert.match(types.message, /drop "data\.textPairColumn"/);
  const onnxConfig = { ...config, teacher: { onnx: 'teacher/model.onnx' } };
  const onnx = only(
    check(facts({ data: pairs, onnx: { file: '/t/model.onnx', tokenTypeIds: false } }), onnxConfig),
    'teacher-token-types',
    'error',
    ['teacher', 'onnx'],
    '"onnx"',
  );
  assert.match(onnx.message, /\/t\/model\.onnx has no token_type_ids input/);
  assert.match(onnx.message, /`distill-studio export --with-hidden` writes it/);
  // Single texts need no token types, whatever the file takes.
  assert.deepEqual(
    check(facts({ onnx: { file: '/t/model.onnx', tokenTypeIds: false } }), onnxConfig).found,
    [],
  );
});

test('teacher-max-length: beyond the position embeddings, beyond a fixed ONNX length (errors), beyond the trained length (warning)', () => {
  const long = (maxLength: number): TeacherInputFacts['data'] => ({
    maxLength,
    maxTypeId: 0,
    rows: 10,
    rowsAtMaxLength: 0,
  });
  const positions = only(
    check(facts({ data: long(128) })),
    'teacher-max-length',
    'error',
    ['data', 'maxLength'],
    '"maxLength"',
  );
  assert.match(
    positions.message,
    /data\.maxLength 128 exceeds the teacher's 64 position embeddings; set "data\.maxLength" to at most 64\./,
  );
  const fixed = only(
    check(facts({ data: long(48), onnx: { file: '/t/model.onnx', tokenTypeIds: true, fixedLength: 16 } })),
    'teacher-max-length',
    'error',
    ['data', 'maxLength'],
    '"maxLength"',
  );
  assert.match(fixed.message, /\/t\/model\.onnx takes exactly 16 tokens, fewer than data\.maxLength 48/);
  assert.match(
    fixed.message,
    /set "data\.maxLength" to at most 16, or export the teacher with a dynamic sequence length/,
  );
  const trained = only(
    check(
      facts({
        data: long(48),
        trainedLength: { value: 32, source: 'distill_studio.max_length in /t/config.json' },
      }),
    ),
    'teacher-max-length',
    'warning',
    ['data', 'maxLength'],
    '"maxLength"',
  );
  assert.match(
    trained.message,
    /trained on inputs of at most 32 tokens \(distill_studio\.max_length in \/t\/config\.json\)/,
  );
  assert.match(trained.message, /Set "data\.maxLength" to 32\./);
  // Without data.maxLength in the config, the finding points at "data".
  const noLength = { ...BASE, data: { train: 'train.tsv' } };
  only(check(facts({ data: long(128) }), noLength), 'teacher-max-length', 'error', ['data'], '"data"');
});

test('teacher-inputs-truncated: over 5% of rows cut at maxLength while the teacher was trained on longer inputs', () => {
  const trainedLength = { value: 128, source: 'model_max_length in /t/tokenizer_config.json' };
  const cut = only(
    check(facts({ trainedLength, data: { maxLength: 32, maxTypeId: 0, rows: 200, rowsAtMaxLength: 21 } })),
    'teacher-inputs-truncated',
    'warning',
    ['data', 'maxLength'],
    '"maxLength"',
  );
  assert.match(cut.message, /^10\.5% of the training rows fill data\.maxLength \(32 tokens\)/);
  assert.match(
    cut.message,
    /trained on up to 128 tokens \(model_max_length in \/t\/tokenizer_config\.json\)/,
  );
  // The fix is bounded by the position embeddings.
  assert.match(cut.message, /Raise "data\.maxLength" to 64\./);
  // 5% or fewer rows cut: nothing.
  assert.deepEqual(
    check(facts({ trainedLength, data: { maxLength: 32, maxTypeId: 0, rows: 200, rowsAtMaxLength: 10 } }))
      .found,
    [],
  );
});

test('a run whose tokenizer lower-cases unlike its teacher stops before the first step with the diagnostic', (t) => {
  const ws = tempWorkspace(t);
  writePretrainRun(ws);
  writePretrainRun(
    ws,
    {
      name: 'cased',
      pretrainTeacher: undefined,
      tokenizer: { lowercase: false },
      stages: [{ name: 'distill', kind: 'distill', steps: 3, learningRate: 0.003 }],
      losses: { softLabel: { weight: 1, temperature: 2 }, hardLabel: { weight: 1 } },
    },
    'cased.distill.json',
  );
  const r = spawnSync(process.execPath, [resolve('bin/distill-studio.js'), 'train', 'cased.distill.json'], {
    cwd: ws.dir,
    encoding: 'utf8',
    timeout: 240_000,
  });
  assert.equal(r.status, 1, r.stderr);
  const text = readFileSync(ws.path('cased.distill.json'), 'utf8').split('\n');
  const line = text.findIndex((l) => l.includes('"lowercase"')) + 1;
  assert.ok(line > 0);
  assert.match(
    r.stderr,
    /The teacher would not get the inputs it was trained with \(set "guards\.checkTeacherInputs": false to run anyway\)/,
  );
  assert.match(
    r.stderr,
    new RegExp(`cased\\.distill\\.json:${line}:\\d+: error teacher-lowercase-mismatch: `),
  );
  assert.match(r.stderr, /Remove "tokenizer\.lowercase"/);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  const steps = readFileSync(join(ws.dir, 'runs', 'cased', 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"type":"step"'));
  assert.equal(steps.length, 0, 'no training step was taken');
});
