// Diagnose Accuracy Drop: sources from a run folder, the doctor's JSON narrowed and formatted, Restricted Mode,
// and the command invoking the REAL built CLI (`doctor --json`) with the run's teacher, final model and ONNX.
import {
  commands,
  extensionContext,
  recorded,
  resetMock,
  script,
  setSetting,
  Uri,
  workspace,
} from '../../helpers/vscodeMock';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import type * as vscode from 'vscode';
import {
  doctorArguments,
  doctorSourcesFromRun,
  formatDoctorLines,
  int8Candidates,
  readDoctorReport,
} from '../../../src/extension/doctorReport';
import { activate, deactivate } from '../../../src/extension/extension';
import { tempWorkspace, TRAIN_TSV, type TempWorkspace } from '../../helpers/tempWorkspace';

function activated(t: TestContext, ws: TempWorkspace, trusted = true): void {
  resetMock();
  workspace.isTrusted = trusted;
  workspace.workspaceFolders = [{ uri: Uri.file(ws.dir), name: 'ws', index: 0 }];
  setSetting('distillStudio.nodePath', process.execPath);
  const context = extensionContext(resolve('.'));
  activate(context as unknown as vscode.ExtensionContext);
  t.after(async () => {
    await deactivate();
    for (const s of context.subscriptions) s.dispose();
  });
}

function runFolder(ws: TempWorkspace): string {
  ws.write('runs/r1/run.json', JSON.stringify({ baseDir: ws.dir }));
  ws.write('runs/r1/teacher/config.json', '{}');
  ws.write('runs/r1/final/config.json', '{}');
  ws.write('runs/r1/onnx/student/model.onnx', 'not a model');
  ws.write('eval.tsv', TRAIN_TSV);
  return ws.path('runs/r1');
}

/** A run whose config names its own columns and eval data, exported the way Export to ONNX names files. */
function pairRun(ws: TempWorkspace): string {
  ws.write(
    'runs/nli/config.distill.json',
    `{
  // the run's copy of the user's config
  "name": "nli",
  "teacher": { "checkpoint": "models/bert-nli" },
  "data": {
    "train": "data/train.tsv",
    "eval": "data/dev.tsv",
    "test": "data/missing.tsv",
    "textColumn": "premise",
    "textPairColumn": "hypothesis",
    "labelColumn": "gold",
  },
}`,
  );
  ws.write('runs/nli/run.json', JSON.stringify({ configFile: ws.path('nli.distill.json'), baseDir: ws.dir }));
  ws.write('models/bert-nli/config.json', '{}');
  ws.write('runs/nli/final/config.json', '{}');
  ws.write('runs/nli/onnx/nli.onnx', 'fp32');
  ws.write('runs/nli/onnx/nli-int8.onnx', 'int8');
  ws.write('data/dev.tsv', 'premise\thypothesis\tgold\na\tb\tyes\n');
  ws.write('other.tsv', TRAIN_TSV);
  return ws.path('runs/nli');
}

test('doctorSourcesFromRun: teacher/, final/ (else best/) and onnx/student/model.onnx when present', (t) => {
  const ws = tempWorkspace(t);
  const run = runFolder(ws);
  assert.deepEqual(doctorSourcesFromRun(run), {
    teacher: ws.path('runs/r1/teacher'),
    student: ws.path('runs/r1/final'),
    onnx: ws.path('runs/r1/onnx/student/model.onnx'),
    onnxInt8: undefined,
    columns: { textColumn: 'text', textPairColumn: undefined, labelColumn: 'label' },
    data: [],
  });
  ws.write('runs/r1/onnx/student-int8/model.onnx', 'int8');
  assert.equal(doctorSourcesFromRun(run).onnxInt8, ws.path('runs/r1/onnx/student-int8/model.onnx'));
  ws.write('runs/r2/best/config.json', '{}');
  assert.deepEqual(doctorSourcesFromRun(ws.path('runs/r2')), {
    teacher: undefined,
    student: ws.path('runs/r2/best'),
    onnx: undefined,
    onnxInt8: undefined,
    columns: { textColumn: 'text', textPairColumn: undefined, labelColumn: 'label' },
    data: [],
  });
});

test("doctorSourcesFromRun reads the run's config: columns, eval data, the teacher checkpoint, the int8 twin", (t) => {
  const ws = tempWorkspace(t);
  const run = pairRun(ws);
  const sources = doctorSourcesFromRun(run);
  assert.deepEqual(sources, {
    teacher: ws.path('models/bert-nli'),
    student: ws.path('runs/nli/final'),
    onnx: ws.path('runs/nli/onnx/nli.onnx'),
    onnxInt8: ws.path('runs/nli/onnx/nli-int8.onnx'),
    columns: { textColumn: 'premise', textPairColumn: 'hypothesis', labelColumn: 'gold' },
    data: [ws.path('data/dev.tsv')],
  });
  assert.deepEqual(doctorArguments(sources, ws.path('data/dev.tsv')), [
    'doctor',
    '--teacher',
    ws.path('models/bert-nli'),
    '--student',
    ws.path('runs/nli/final'),
    '--onnx',
    ws.path('runs/nli/onnx/nli.onnx'),
    '--onnx-int8',
    ws.path('runs/nli/onnx/nli-int8.onnx'),
    '--data',
    ws.path('data/dev.tsv'),
    '--text-column',
    'premise',
    '--text-pair-column',
    'hypothesis',
    '--label-column',
    'gold',
    '--json',
  ]);
  // Only an int8 export (no float32 one): still found where the float32 one would be.
  rmSync(ws.path('runs/nli/onnx/nli.onnx'));
  const int8Only = doctorSourcesFromRun(run);
  assert.equal(int8Only.onnx, undefined);
  assert.equal(int8Only.onnxInt8, ws.path('runs/nli/onnx/nli-int8.onnx'));
  assert.deepEqual(int8Candidates('/r/onnx/student/model.onnx'), [
    '/r/onnx/student/model-int8.onnx',
    '/r/onnx/student-int8/model.onnx',
  ]);
});

test('readDoctorReport narrows the JSON; formatDoctorLines lists stage accuracies and findings with fixes', () => {
  const report = readDoctorReport({
    data: 'eval.tsv',
    n: 40,
    stages: [
      { stage: 'teacher', path: 't', backend: 'cpu', accuracy: 0.9, macroF1: 0.89, maxLength: 128 },
      { stage: 'onnx', path: 'o', backend: 'ort', accuracy: 0.6, macroF1: 0.5, maxLength: 64 },
    ],
    agreement: [],
    attribution: { total: 0.3 },
    findings: [
      {
        code: 'TRUNCATION',
        severity: 'warning',
        stage: 'onnx',
        message: 'max 64 tokens; export with 128.',
      },
    ],
  });
  assert.ok(report);
  const lines = formatDoctorLines(report);
  assert.equal(lines[0], '40 examples from eval.tsv');
  assert.match(lines[1] ?? '', /teacher\s+accuracy\s+90\.0%\s+macro-F1\s+89\.0%/);
  assert.match(lines[2] ?? '', /onnx\s+accuracy\s+60\.0%/);
  assert.equal(lines[3], 'accuracy change, first to last stage: -30.0 pts');
  assert.equal(lines[4], 'WARNING TRUNCATION (onnx): max 64 tokens; export with 128.');
  assert.equal(readDoctorReport({ stages: 'x' }), undefined);
  assert.equal(readDoctorReport({ stages: [{ stage: 1 }], findings: [] }), undefined);
});

test('Diagnose Accuracy Drop is disabled in Restricted Mode', async (t) => {
  const ws = tempWorkspace(t);
  const run = runFolder(ws);
  activated(t, ws, false);
  await commands.executeCommand('distillStudio.diagnoseAccuracyDrop', Uri.file(run));
  assert.equal(recorded.messages.length, 1);
  assert.match(recorded.messages[0]?.message ?? '', /^Diagnose Accuracy Drop is disabled in Restricted Mode/);
  assert.deepEqual(recorded.progressTitles, []);
});

test('on a run folder it runs the CLI doctor with the run teacher, final model, ONNX and the data', async (t) => {
  const ws = tempWorkspace(t);
  const run = runFolder(ws);
  activated(t, ws);
  await commands.executeCommand('distillStudio.diagnoseAccuracyDrop', Uri.file(run));
  assert.deepEqual(recorded.progressTitles, ['Diagnosing the accuracy drop']);
  const invocation = recorded.logLines.find((l) => l.startsWith('$ ') && l.includes(' doctor '));
  assert.ok(invocation, recorded.logLines.join('\n'));
  assert.ok(
    invocation.endsWith(
      `doctor --teacher ${run}/teacher --student ${run}/final --onnx ${run}/onnx/student/model.onnx --data ${ws.path('eval.tsv')} --text-column text --label-column label --json`,
    ),
    invocation,
  );
  // The stand-in checkpoints are not models: the trainer's reason is shown, not a crash.
  const error = recorded.messages.find((m) => m.severity === 'error');
  assert.match(error?.message ?? '', /^Diagnose Accuracy Drop failed: /);
});

test("on a run folder: the run's columns, its eval data first, and the int8 export offered", async (t) => {
  const ws = tempWorkspace(t);
  const run = pairRun(ws);
  activated(t, ws);
  await commands.executeCommand('distillStudio.diagnoseAccuracyDrop', Uri.file(run));
  // The exports beside the run, both checked; then the data, the run's eval file first.
  const [stagesPick, dataPick] = recorded.quickPicks;
  assert.deepEqual(
    (stagesPick?.items as { label: string; description: string; picked: boolean }[]).map((i) => [
      i.label,
      i.description,
      i.picked,
    ]),
    [
      ['ONNX export', ws.path('runs/nli/onnx/nli.onnx'), true],
      ['int8 ONNX export', ws.path('runs/nli/onnx/nli-int8.onnx'), true],
    ],
  );
  const dataItems = dataPick?.items as { label: string; description: string }[];
  assert.deepEqual(dataItems[0], {
    label: 'data/dev.tsv',
    description: 'this run’s evaluation data',
    path: ws.path('data/dev.tsv'),
  });
  assert.ok(dataItems.some((i) => i.label === 'other.tsv'));
  assert.equal(dataItems.filter((i) => i.label === 'data/dev.tsv').length, 1, 'listed once');
  const invocation = recorded.logLines.find((l) => l.startsWith('$ ') && l.includes(' doctor '));
  assert.ok(
    invocation?.endsWith(
      `doctor --teacher ${ws.path('models/bert-nli')} --student ${run}/final --onnx ${run}/onnx/nli.onnx --onnx-int8 ${run}/onnx/nli-int8.onnx --data ${ws.path('data/dev.tsv')} --text-column premise --text-pair-column hypothesis --label-column gold --json`,
    ),
    invocation,
  );
});

test('from the palette with no argument: the run is picked, then the same sources', async (t) => {
  const ws = tempWorkspace(t);
  const run = pairRun(ws);
  activated(t, ws);
  await commands.executeCommand('distillStudio.diagnoseAccuracyDrop');
  const [runPick] = recorded.quickPicks;
  assert.ok(
    (runPick?.items as { detail?: string }[]).some((i) => i.detail === run),
    JSON.stringify(runPick?.items),
  );
  const invocation = recorded.logLines.find((l) => l.startsWith('$ ') && l.includes(' doctor '));
  assert.ok(invocation?.includes(`--onnx-int8 ${run}/onnx/nli-int8.onnx`), invocation);
  assert.ok(invocation?.includes('--text-pair-column hypothesis --label-column gold'));
});

test('unchecking the int8 export leaves it out; cancelling the stage pick runs nothing', async (t) => {
  const ws = tempWorkspace(t);
  const run = pairRun(ws);
  activated(t, ws);
  const original = script.quickPick;
  t.after(() => (script.quickPick = original));
  script.quickPick = (items, options) =>
    options?.canPickMany === true
      ? items.filter((i) => (i as { label: string }).label === 'ONNX export')
      : items[0];
  await commands.executeCommand('distillStudio.diagnoseAccuracyDrop', Uri.file(run));
  const invocation = recorded.logLines.find((l) => l.startsWith('$ ') && l.includes(' doctor '));
  assert.ok(invocation !== undefined && !invocation.includes('--onnx-int8'), invocation);
  assert.ok(invocation.includes(`--onnx ${run}/onnx/nli.onnx`));

  recorded.logLines.length = 0;
  recorded.progressTitles.length = 0;
  script.quickPick = (items, options) => (options?.canPickMany === true ? undefined : items[0]);
  await commands.executeCommand('distillStudio.diagnoseAccuracyDrop', Uri.file(run));
  assert.deepEqual(recorded.progressTitles, []);
});
