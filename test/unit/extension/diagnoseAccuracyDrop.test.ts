// Diagnose Accuracy Drop: sources from a run folder, the doctor's JSON narrowed and formatted, Restricted Mode,
// and the command invoking the REAL built CLI (`doctor --json`) with the run's teacher, final model and ONNX.
import {
  commands,
  extensionContext,
  recorded,
  resetMock,
  setSetting,
  Uri,
  workspace,
} from '../../helpers/vscodeMock';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import type * as vscode from 'vscode';
import {
  doctorSourcesFromRun,
  formatDoctorLines,
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
  ws.write('runs/r1/run.json', '{}');
  ws.write('runs/r1/teacher/config.json', '{}');
  ws.write('runs/r1/final/config.json', '{}');
  ws.write('runs/r1/onnx/student/model.onnx', 'not a model');
  ws.write('eval.tsv', TRAIN_TSV);
  return ws.path('runs/r1');
}

test('doctorSourcesFromRun: teacher/, final/ (else best/) and onnx/student/model.onnx when present', (t) => {
  const ws = tempWorkspace(t);
  const run = runFolder(ws);
  assert.deepEqual(doctorSourcesFromRun(run), {
    teacher: ws.path('runs/r1/teacher'),
    student: ws.path('runs/r1/final'),
    onnx: ws.path('runs/r1/onnx/student/model.onnx'),
  });
  ws.write('runs/r2/best/config.json', '{}');
  assert.deepEqual(doctorSourcesFromRun(ws.path('runs/r2')), {
    teacher: undefined,
    student: ws.path('runs/r2/best'),
    onnx: undefined,
  });
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
      `doctor --teacher ${run}/teacher --student ${run}/final --onnx ${run}/onnx/student/model.onnx --data ${ws.path('eval.tsv')} --json`,
    ),
    invocation,
  );
  // The stand-in checkpoints are not models: the trainer's reason is shown, not a crash.
  const error = recorded.messages.find((m) => m.severity === 'error');
  assert.match(error?.message ?? '', /^Diagnose Accuracy Drop failed: /);
});
