// `distill-studio doctor` on a clean pipeline (teacher = student = bert-cls, onnx = its export) and on pipelines
// with one injected fault each: it must name the fault, and only it, and find nothing on the clean one.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { Command } from 'commander';
import * as ort from 'onnxruntime-node';
import { registerDoctorCommand } from '../../../src/trainer/commands/doctorCommand';
import type { DoctorReport } from '../../../src/trainer/doctor/runDoctor';
import { evaluateFile } from '../../../src/trainer/eval/evaluateFile';
import { exportModel } from '../../../src/trainer/onnx/exportModel';
import { copyWithJson, ignoreMask, swapMaskAndTypes } from './faults';

const BERT_CLS = resolve('test/fixtures/models/bert-cls');
const DATA = resolve('test/fixtures/doctor/data.tsv');

ort.env.logLevel = 'fatal';

let dir = '';
let cleanOnnx = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'distill-studio-doctor-'));
  cleanOnnx = join(dir, 'clean', 'model.onnx');
  await exportModel({ modelDir: BERT_CLS, out: cleanOnnx, opset: 17, precision: 'fp32', withHidden: false });
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `distill-studio doctor <args> --json` through commander; returns the exit code and the report. */
async function doctor(args: string[]): Promise<{ code: number; report: DoctorReport; text: string }> {
  let code = 0;
  let stdout = '';
  const io = { out: (t: string) => (stdout += t), err: () => undefined };
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  registerDoctorCommand(program, (c) => (code = c), io);
  await program.parseAsync(['doctor', '--data', DATA, '--backend', 'cpu', '--json', ...args], {
    from: 'user',
  });
  const report = JSON.parse(stdout) as DoctorReport;
  return { code, report, text: stdout };
}

/** A copy of the clean export's folder with its model.onnx edited. */
function faultyOnnx(name: string, edit: (file: string) => void): string {
  const folder = join(dir, name);
  cpSync(join(dir, 'clean'), folder, { recursive: true });
  const file = join(folder, 'model.onnx');
  edit(file);
  return file;
}

const codes = (report: DoctorReport): string[] => report.findings.map((f) => `${f.code}:${f.stage}`);

test('a clean pipeline: equal accuracy, full agreement, nothing lost and no findings', async () => {
  const { code, report } = await doctor(['--teacher', BERT_CLS, '--student', BERT_CLS, '--onnx', cleanOnnx]);
  assert.equal(code, 0);
  assert.equal(report.n, 12);
  assert.deepEqual(
    report.stages.map((s) => s.stage),
    ['teacher', 'student', 'onnx'],
  );
  const [teacher] = report.stages;
  report.stages.forEach((s) => assert.equal(s.accuracy, teacher?.accuracy));
  assert.deepEqual(
    report.agreement.map((a) => [a.from, a.to, a.rate]),
    [
      ['teacher', 'student', 1],
      ['student', 'onnx', 1],
    ],
  );
  assert.deepEqual(report.attribution, { total: 0, distillation: 0, conversion: 0 });
  assert.deepEqual(report.findings, []);
});

test('a student whose tokenizer_config.json says do_lower_case false is a tokenizer mismatch', async () => {
  const student = copyWithJson(BERT_CLS, join(dir, 'cased'), 'tokenizer_config.json', (j) => {
    j['do_lower_case'] = false;
  });
  const { code, report } = await doctor(['--teacher', BERT_CLS, '--student', student]);
  assert.equal(code, 1);
  assert.deepEqual(codes(report), ['TOKENIZER_MISMATCH:student']);
  const [finding] = report.findings;
  assert.equal(finding?.severity, 'error');
  assert.match(finding?.message ?? '', /do_lower_case false where the teacher has true/);
  assert.match(finding?.message ?? '', /Fix: copy tokenizer_config\.json/);
});

test('a student with permuted id2label is a label-order fault, found through agreement after relabelling', async () => {
  const student = copyWithJson(BERT_CLS, join(dir, 'permuted'), 'config.json', (j) => {
    j['id2label'] = { 0: 'neutral', 1: 'positive', 2: 'negative' };
    j['label2id'] = { neutral: 0, positive: 1, negative: 2 };
  });
  const { code, report } = await doctor(['--teacher', BERT_CLS, '--student', student]);
  assert.equal(code, 1);
  assert.ok((report.agreement[0]?.rate ?? 1) < 0.5);
  assert.deepEqual(codes(report), ['LABEL_ORDER:student']);
  assert.match(report.findings[0]?.message ?? '', /id2label is out of order/);
});

test('an ONNX export that ignores the attention mask changes with padding', async () => {
  const onnx = faultyOnnx('no-mask', ignoreMask);
  const { code, report } = await doctor(['--teacher', BERT_CLS, '--student', BERT_CLS, '--onnx', onnx]);
  assert.equal(code, 1);
  assert.deepEqual(codes(report), ['ATTENTION_MASK_IGNORED:onnx']);
  assert.match(report.findings[0]?.message ?? '', /ignores the attention mask/);
});

test('an ONNX export reading token_type_ids as attention_mask is found by trying the swapped feed', async () => {
  const onnx = faultyOnnx('swapped', swapMaskAndTypes);
  const { code, report } = await doctor(['--teacher', BERT_CLS, '--student', BERT_CLS, '--onnx', onnx]);
  assert.equal(code, 1);
  assert.deepEqual(codes(report), ['INPUTS_SWAPPED:onnx']);
  assert.match(report.findings[0]?.message ?? '', /attention_mask and token_type_ids the other way round/);
});

test('the text report: accuracies, agreement, attribution per step; int8 and a PyTorch export stay clean', async () => {
  const int8 = join(dir, 'int8', 'model.onnx');
  await exportModel({ modelDir: BERT_CLS, out: int8, opset: 17, precision: 'int8', withHidden: false });
  const pytorch = resolve('test/fixtures/onnx/bert-cls/model.onnx');
  let stdout = '';
  let code = -1;
  const program = new Command().exitOverride();
  registerDoctorCommand(program, (c) => (code = c), { out: (t) => (stdout += t), err: () => undefined });
  await program.parseAsync(
    [
      'doctor',
      '--teacher',
      BERT_CLS,
      '--student',
      BERT_CLS,
      '--onnx',
      pytorch,
      '--onnx-int8',
      int8,
      '--data',
      DATA,
    ],
    { from: 'user' },
  );
  assert.equal(code, 0, stdout);
  assert.match(stdout, /^12 examples from /);
  assert.match(stdout, /agreement student -> onnx: 100\.0%/);
  assert.match(stdout, /agreement onnx -> int8: /);
  assert.match(stdout, /distillation +\+0\.0 pts/);
  assert.match(stdout, /quantization /);
  assert.match(stdout, /no findings/);
});

test('examples longer than a stage accepts are reported as truncated', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'distill-studio-doctor-data-'));
  after(() => rmSync(ws, { recursive: true, force: true }));
  const long = Array.from({ length: 80 }, () => 'good').join(' ');
  const data = join(ws, 'long.tsv');
  writeFileSync(data, `text\tlabel\n${long}\tpositive\nbad\tnegative\n`);
  let stdout = '';
  const program = new Command().exitOverride();
  registerDoctorCommand(program, () => undefined, { out: (t) => (stdout += t), err: () => undefined });
  await program.parseAsync(
    ['doctor', '--teacher', BERT_CLS, '--student', BERT_CLS, '--data', data, '--json'],
    {
      from: 'user',
    },
  );
  const report = JSON.parse(stdout) as DoctorReport;
  assert.deepEqual(codes(report), ['TRUNCATION:teacher', 'TRUNCATION:student']);
  assert.match(
    report.findings[0]?.message ?? '',
    /1 of 2 examples are longer than the teacher's 64 tokens \(longest 82\)/,
  );
});

test('sentence pairs: --text-pair-column feeds both texts to every stage and to the probes', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'distill-studio-doctor-pairs-'));
  after(() => rmSync(ws, { recursive: true, force: true }));
  const long = Array.from({ length: 70 }, () => 'good').join(' ');
  const data = join(ws, 'pairs.tsv');
  writeFileSync(
    data,
    `premise\thypothesis\tgold\nThe movie was not good!\tIt was bad\tnegative\nI love this movie\tGreat film\tpositive\na fine film\t${long}\tpositive\nboring\tnot good at all\tneutral\n`,
  );
  const { report } = await doctor([
    '--teacher',
    BERT_CLS,
    '--student',
    BERT_CLS,
    '--onnx',
    cleanOnnx,
    '--data',
    data,
    '--text-column',
    'premise',
    '--text-pair-column',
    'hypothesis',
    '--label-column',
    'gold',
  ]);
  const withPairs = await evaluateFile({
    model: BERT_CLS,
    data,
    textColumn: 'premise',
    textPairColumn: 'hypothesis',
    labelColumn: 'gold',
    batchSize: 8,
    backend: 'cpu',
  });
  assert.equal(report.n, 4);
  for (const stage of report.stages) assert.equal(stage.accuracy, withPairs.accuracy, stage.stage);
  assert.deepEqual(
    report.agreement.map((a) => a.rate),
    [1, 1],
  );
  // Only the pair makes row 3 too long: the truncation check counts both texts.
  assert.deepEqual(codes(report), ['TRUNCATION:teacher', 'TRUNCATION:student', 'TRUNCATION:onnx']);
  assert.match(report.findings[0]?.message ?? '', /^1 of 4 examples are longer than the teacher's 64 tokens/);
});
