// The built CLI bundle under plain node (no vscode anywhere): help, version, validate exit codes and output,
// init. These run dist/trainer/cli.js exactly as `npx distill-studio` does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { tempWorkspace } from '../../helpers/tempWorkspace';

const BIN = resolve('bin/distill-studio.js');
const EXAMPLE = resolve('examples/reviews/reviews.distill.json');

function cli(args: string[], cwd = process.cwd()): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

test('the trainer bundle does not reference vscode and runs under plain node', () => {
  const bundle = readFileSync('dist/trainer/cli.js', 'utf8');
  assert.equal(/require\(["']vscode["']\)/.test(bundle), false);
  const { code, stdout } = cli(['--version']);
  assert.equal(code, 0);
  assert.equal(
    stdout.trim(),
    (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version,
  );
});

test('--help lists the verbs; each verb has its own help', () => {
  const main = cli(['--help']);
  assert.equal(main.code, 0);
  assert.match(main.stdout, /validate \[options\] <config>/);
  assert.match(main.stdout, /init \[options\] \[path\]/);
  const validate = cli(['validate', '--help']);
  assert.equal(validate.code, 0);
  assert.match(validate.stdout, /Exit codes: 0 valid/);
});

test('an unknown verb or option is a usage error with exit 2', () => {
  const verb = cli(['distil']);
  assert.equal(verb.code, 2);
  assert.match(verb.stderr, /unknown command 'distil'/);
  const option = cli(['validate', EXAMPLE, '--jsn']);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /unknown option '--jsn'/);
});

test('validate accepts the bundled example', () => {
  const { code, stdout } = cli(['validate', EXAMPLE]);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /reviews\.distill\.json is valid \(0 errors/);
});

test('validate rejects a broken config with file:line:col lines and exit 1', (t) => {
  const ws = tempWorkspace(t);
  const example = readFileSync(EXAMPLE, 'utf8');
  const broken = example
    .replace('"train": "train.tsv"', '"train": "missing.tsv"')
    .replace('"temperature": 2', '"temprature": 2')
    .replace(
      '"strategy": "uniform"',
      '"strategy": "explicit", "pairs": [{ "teacherLayer": 9, "studentLayer": 1 }]',
    );
  assert.notEqual(broken, example);
  const file = ws.write('broken.distill.json', broken);
  for (const name of ['eval.tsv', 'unlabelled.txt'])
    ws.write(name, readFileSync(join('examples/reviews', name)));
  const { code, stdout, stderr } = cli(['validate', file], ws.dir);
  assert.equal(code, 1, stdout + stderr);
  const lines = stdout.trim().split('\n');
  assert.match(lines.at(-1) ?? '', /broken\.distill\.json is invalid \(\d+ errors?/);
  const lineOf = (needle: string): number => broken.split('\n').findIndex((l) => l.includes(needle)) + 1;
  assert.ok(
    lines.some(
      (l) =>
        l.startsWith(`broken.distill.json:${lineOf('"temprature"')}:`) &&
        l.includes('error schema-unknown-property') &&
        l.includes('Did you mean "temperature"?'),
    ),
    stdout,
  );
  // Schema errors in `losses` do not stop the file checks in `data`.
  assert.ok(
    lines.some(
      (l) =>
        l.startsWith(`broken.distill.json:${lineOf('missing.tsv')}:`) && l.includes('error file-missing'),
    ),
    stdout,
  );
  assert.equal(stderr, '');
});

test('validate reports impossible layer maps with their position', (t) => {
  const ws = tempWorkspace(t);
  const example = readFileSync(EXAMPLE, 'utf8');
  const broken = example.replace(
    '"strategy": "uniform"',
    '"strategy": "explicit", "pairs": [{ "teacherLayer": 9, "studentLayer": 1 }]',
  );
  const file = ws.write('map.distill.json', broken);
  for (const name of ['train.tsv', 'eval.tsv', 'unlabelled.txt'])
    ws.write(name, readFileSync(join('examples/reviews', name)));
  const { code, stdout } = cli(['validate', file, '--json'], ws.dir);
  assert.equal(code, 1);
  const report = JSON.parse(stdout) as {
    valid: boolean;
    errors: number;
    diagnostics: { code: string; line: number; column: number; path: (string | number)[]; message: string }[];
  };
  assert.equal(report.valid, false);
  const d = report.diagnostics.find((x) => x.code === 'layer-map-out-of-range');
  assert.ok(d, stdout);
  assert.deepEqual(d.path, ['layerMapping', 'pairs', 0, 'teacherLayer']);
  const line = broken.split('\n')[d.line - 1] ?? '';
  assert.equal(line.slice(d.column - 1, d.column), '9');
});

test('invalid JSON exits 2 with the position; a missing file exits 2 without a stack trace', (t) => {
  const ws = tempWorkspace(t);
  const file = ws.write('bad.distill.json', '{\n  "name": "x"\n  "teacher": {}\n}\n');
  const bad = cli(['validate', file, '--json'], ws.dir);
  assert.equal(bad.code, 2);
  const report = JSON.parse(bad.stdout) as {
    usable: boolean;
    diagnostics: { line: number; column: number; message: string }[];
  };
  assert.equal(report.usable, false);
  assert.deepEqual([report.diagnostics[0]?.line, report.diagnostics[0]?.column], [3, 3]);
  const missing = cli(['validate', 'nope.distill.json'], ws.dir);
  assert.equal(missing.code, 2);
  assert.equal(
    missing.stderr,
    'distill-studio: Cannot read config "nope.distill.json": it does not exist.\n',
  );
  assert.doesNotMatch(missing.stderr, /at .*\.js:\d+/);
});

test('init writes a commented, valid config and the example data, and never overwrites', (t) => {
  const ws = tempWorkspace(t);
  const first = cli(['init'], ws.dir);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const text = readFileSync(join(ws.dir, 'reviews.distill.json'), 'utf8');
  assert.match(text, /^\/\/ Distill Studio config/);
  assert.equal(cli(['validate', 'reviews.distill.json'], ws.dir).code, 0);
  const again = cli(['init'], ws.dir);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists; pass --force/);
  assert.equal(readFileSync(join(ws.dir, 'reviews.distill.json'), 'utf8'), text);
  assert.equal(cli(['init', '--force'], ws.dir).code, 0);
});

test('init presets: Korean data, TinyBERT and MobileBERT recipes all validate', (t) => {
  const ws = tempWorkspace(t);
  for (const preset of ['reviews-ko', 'tinybert', 'mobilebert']) {
    const result = cli(['init', `${preset}.distill.json`, '--preset', preset], ws.dir);
    assert.equal(result.code, 0, `${preset}: ${result.stdout}${result.stderr}`);
  }
  assert.match(readFileSync(join(ws.dir, 'data/reviews-ko/train.tsv'), 'utf8'), /긍정|부정/);
  const unknown = cli(['init', '--preset', 'distilbert'], ws.dir);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /Unknown preset "distilbert". Choose one of: reviews, reviews-ko, tinybert, mobilebert/,
  );
});

test('init with a pretrained teacher picks projection and head mapping from its config', (t) => {
  const ws = tempWorkspace(t);
  ws.write(
    'bert/config.json',
    JSON.stringify({
      model_type: 'bert',
      num_hidden_layers: 12,
      hidden_size: 768,
      num_attention_heads: 12,
      intermediate_size: 3072,
      vocab_size: 30522,
      max_position_embeddings: 512,
    }),
  );
  ws.write('bert/model.safetensors', 'x');
  ws.write('bert/vocab.txt', '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n');
  const result = cli(['init', 'mb.distill.json', '--preset', 'mobilebert', '--teacher', 'bert'], ws.dir);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const text = readFileSync(join(ws.dir, 'mb.distill.json'), 'utf8');
  assert.match(text, /"projection": true/);
  assert.match(text, /"headMapping": "group"/);
  assert.match(text, /"stages": "mobilebert-progressive"/);
});
