// An exported .onnx describes itself: labels, max length and lower-casing come from its metadata_props, so the file
// with only its tokenizer files beside it (no config.json) works in predict, eval, bench and doctor. config.json is
// the fallback for other exporters' files, and where the two disagree the metadata wins with a warning naming both.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { Command } from 'commander';
import * as ort from 'onnxruntime-node';
import { registerBenchCommand } from '../../../src/trainer/commands/benchCommand';
import { registerDoctorCommand } from '../../../src/trainer/commands/doctorCommand';
import type { DoctorReport } from '../../../src/trainer/doctor/runDoctor';
import { openInferenceModel } from '../../../src/trainer/inference/inferenceModel';
import { labelsFromId2Label, readOnnxInfo } from '../../../src/trainer/inference/onnxInfo';
import { exportModel } from '../../../src/trainer/onnx/exportModel';
import { readModelSkeleton } from '../../../src/trainer/onnx/onnxSkeleton';
import { decodeModel } from '../../../src/trainer/onnx/onnxProto';
import { cli as runCli, type CliResult } from '../../helpers/builtCli';

const BERT_CLS = resolve('test/fixtures/models/bert-cls');
const PYTORCH = resolve('test/fixtures/onnx/bert-cls');
const DATA = resolve('test/fixtures/doctor/data.tsv');
const EXPECTED = JSON.parse(readFileSync(join(BERT_CLS, 'expected_predict.json'), 'utf8')) as {
  texts: string[];
  logits: number[][];
};

ort.env.logLevel = 'fatal';

let dir = '';
/** The export with only its tokenizer files beside it. */
let alone = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'distill-studio-metadata-'));
  alone = join(dir, 'alone', 'model.onnx');
  await exportModel({ modelDir: BERT_CLS, out: alone, opset: 17, precision: 'fp32', withHidden: false });
  rmSync(join(dir, 'alone', 'config.json'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]): CliResult => runCli(args, process.cwd(), 120_000);

/** A copy of the lone export's folder with `edit` applied. */
function variant(name: string, edit: (folder: string) => void): string {
  const folder = join(dir, name);
  cpSync(join(dir, 'alone'), folder, { recursive: true });
  edit(folder);
  return join(folder, 'model.onnx');
}

const PERMUTED = { 0: 'positive', 1: 'negative', 2: 'neutral' };

test('the skeleton reader gives the structure without the weights, and rejects a file that is not ONNX', async () => {
  const skeleton = await readModelSkeleton(alone);
  const full = decodeModel(readFileSync(alone));
  assert.deepEqual(
    skeleton.graph.initializer.map((t) => [t.name, t.data_type, t.dims]),
    full.graph.initializer.map((t) => [t.name, t.data_type, t.dims]),
  );
  assert.ok(skeleton.graph.initializer.every((t) => t.raw_data === undefined));
  assert.deepEqual(skeleton.metadata_props, full.metadata_props);
  assert.deepEqual(
    skeleton.graph.node.map((n) => n.op_type),
    full.graph.node.map((n) => n.op_type),
  );
  const text = join(dir, 'notes.onnx');
  writeFileSync(text, 'these are notes, not a model\n');
  await assert.rejects(readModelSkeleton(text), /notes\.onnx is not a readable ONNX model/);
});

test('id2label objects become names in id order; gaps and non-numeric ids are not labels', () => {
  assert.deepEqual(labelsFromId2Label({ 1: 'b', 0: 'a' }), ['a', 'b']);
  assert.equal(labelsFromId2Label({ 0: 'a', 2: 'c' }), undefined);
  assert.equal(labelsFromId2Label({ x: 'a' }), undefined);
  assert.equal(labelsFromId2Label({ 0: 'a', '00': 'b' }), undefined);
  assert.equal(labelsFromId2Label([]), undefined);
});

test('a lone export: labels, max length and lower-casing from its metadata, no warnings', async () => {
  assert.deepEqual(readdirSync(join(dir, 'alone')).sort(), [
    'model.onnx',
    'tokenizer.json',
    'tokenizer_config.json',
    'vocab.txt',
  ]);
  const info = await readOnnxInfo(alone);
  assert.equal(info.labelsFrom, 'metadata');
  assert.deepEqual(info.labels, ['negative', 'neutral', 'positive']);
  assert.equal(info.maxLength, 64);
  assert.equal(info.lowercase, true);
  assert.deepEqual(info.warnings, []);
  const model = await openInferenceModel(alone, undefined);
  assert.deepEqual(model.labels, ['negative', 'neutral', 'positive']);
  assert.equal(model.maxLength, 64, 'from metadata max_length: the sequence axis is dynamic');
  assert.deepEqual(model.warnings, []);
  await model.dispose();
});

test('predict and eval run the lone export on text with its metadata labels (CLI)', () => {
  const args = ['predict', '--model', alone, '--json'];
  for (const text of EXPECTED.texts) args.push('--text', text);
  const predicted = cli(args);
  assert.equal(predicted.code, 0, predicted.stderr);
  const out = JSON.parse(predicted.stdout) as { logits: number[][]; label: string[]; warnings?: string[] };
  out.logits.forEach((row, i) =>
    row.forEach((v, j) => assert.ok(Math.abs(v - (EXPECTED.logits[i]?.[j] ?? NaN)) < 1e-4, `[${i}][${j}]`)),
  );
  assert.deepEqual(out.label, ['neutral', 'neutral', 'neutral']);
  assert.equal(out.warnings, undefined);
  const evaluated = cli(['eval', '--model', alone, '--data', DATA, '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const report = JSON.parse(evaluated.stdout) as {
    n: number;
    perClass: { label: string }[];
    warnings: string[];
  };
  assert.equal(report.n, 12);
  assert.deepEqual(
    report.perClass.map((c) => c.label),
    ['negative', 'neutral', 'positive'],
  );
  assert.deepEqual(report.warnings, []);
});

test('bench reads max_length from the lone export and skips longer sequences', async () => {
  let stdout = '';
  const program = new Command().exitOverride();
  registerBenchCommand(program, () => undefined, { out: (t) => (stdout += t), err: () => undefined });
  await program.parseAsync(
    ['bench', '--model', alone, '--batch', '1', '--seq', '8,128', '--runs', '1', '--warmup', '0', '--json'],
    { from: 'user' },
  );
  const model = (JSON.parse(stdout) as { models: { points: unknown[]; skipped: { reason: string }[] }[] })
    .models[0];
  assert.equal(model?.points.length, 1);
  assert.deepEqual(
    model?.skipped.map((s) => s.reason),
    ["longer than the model's max_length 64"],
  );
});

async function doctor(args: string[]): Promise<DoctorReport> {
  let stdout = '';
  const program = new Command().exitOverride();
  registerDoctorCommand(program, () => undefined, { out: (t) => (stdout += t), err: () => undefined });
  await program.parseAsync(
    [
      'doctor',
      '--teacher',
      BERT_CLS,
      '--student',
      BERT_CLS,
      '--data',
      DATA,
      '--backend',
      'cpu',
      '--json',
      ...args,
    ],
    { from: 'user' },
  );
  return JSON.parse(stdout) as DoctorReport;
}

test('doctor takes the lone export as a stage: same accuracy, full agreement, no findings', async () => {
  const report = await doctor(['--onnx', alone]);
  assert.deepEqual(
    report.stages.map((s) => [s.stage, s.maxLength]),
    [
      ['teacher', 64],
      ['student', 64],
      ['onnx', 64],
    ],
  );
  assert.equal(report.agreement.at(-1)?.rate, 1);
  assert.deepEqual(report.findings, []);
});

test('config.json labels that disagree with the metadata: the metadata wins and a warning names both', async () => {
  const file = variant('disagree', (folder) =>
    writeFileSync(
      join(folder, 'config.json'),
      JSON.stringify({ id2label: PERMUTED, max_position_embeddings: 64 }),
    ),
  );
  const model = await openInferenceModel(file, undefined);
  assert.deepEqual(model.labels, ['negative', 'neutral', 'positive']);
  assert.equal(model.warnings?.length, 1);
  assert.match(
    model.warnings?.[0] ?? '',
    /model\.onnx: its metadata labels \(0:negative 1:neutral 2:positive\) differ from id2label in the config\.json beside it \(0:positive 1:negative 2:neutral\); using the metadata/,
  );
  await model.dispose();
  const predicted = cli(['predict', '--model', file, '--text', EXPECTED.texts[0] ?? '', '--json']);
  assert.equal(predicted.code, 0, predicted.stderr);
  assert.match(predicted.stderr, /^warning: model\.onnx: its metadata labels/m);
  assert.deepEqual((JSON.parse(predicted.stdout) as { label: string[] }).label, ['neutral']);
  const report = await doctor(['--onnx', file]);
  assert.deepEqual(
    report.findings.map((f) => [f.code, f.severity, f.stage]),
    [['METADATA_MISMATCH', 'warning', 'onnx']],
  );
  assert.equal(report.agreement.at(-1)?.rate, 1, 'the metadata labels keep the predictions right');
});

test('a tokenizer_config.json that disagrees on do_lower_case: the metadata setting is used, with a warning', async () => {
  const file = variant('cased-config', (folder) => {
    const path = join(folder, 'tokenizer_config.json');
    const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...config, do_lower_case: false }));
  });
  const clean = cli(['predict', '--model', alone, '--text', 'The Movie', '--json']);
  const cased = cli(['predict', '--model', file, '--text', 'The Movie', '--json']);
  assert.equal(cased.code, 0, cased.stderr);
  assert.match(
    cased.stderr,
    /its metadata says do_lower_case true but the tokenizer_config\.json beside it says false; using the metadata/,
  );
  const ids = (r: { stdout: string }): unknown => (JSON.parse(r.stdout) as { input_ids: unknown }).input_ids;
  assert.deepEqual(ids(cased), ids(clean));
});

test("another exporter's file: labels from config.json beside it, else LABEL_i from the logits width", async () => {
  const foreign = join(dir, 'foreign');
  cpSync(PYTORCH, foreign, { recursive: true });
  const withConfig = await readOnnxInfo(join(foreign, 'model.onnx'));
  assert.equal(withConfig.labelsFrom, 'config.json');
  assert.deepEqual(withConfig.labels, ['negative', 'neutral', 'positive']);
  assert.equal(withConfig.maxLength, 64, 'max_position_embeddings of config.json');
  rmSync(join(foreign, 'config.json'));
  const model = await openInferenceModel(join(foreign, 'model.onnx'), undefined);
  assert.deepEqual(model.labels, ['LABEL_0', 'LABEL_1', 'LABEL_2']);
  assert.equal(model.maxLength, undefined);
  await model.dispose();
  // eval scores such a file against integer labels (the generic names map to ids).
  const data = join(dir, 'ids.tsv');
  writeFileSync(data, `text\tlabel\n${EXPECTED.texts.map((t) => `${t}\t1`).join('\n')}\n`);
  const evaluated = cli(['eval', '--model', join(foreign, 'model.onnx'), '--data', data, '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.equal((JSON.parse(evaluated.stdout) as { accuracy: number }).accuracy, 1);
});
