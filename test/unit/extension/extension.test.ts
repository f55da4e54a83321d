// The extension's commands with the `vscode` module replaced by test/helpers/vscodeMock.ts, driving the REAL built
// trainer: activation registers what package.json contributes; Restricted Mode disables running; an invalid config
// stops before the run; Distill Model runs to the end, refuses a second run on the same folder, and cancel = stop
// with a checkpoint, then Resume finishes.
import {
  commands,
  extensionContext,
  progressControl,
  recorded,
  resetMock,
  script,
  setSetting,
  Uri,
  workspace,
  type ShownMessage,
} from '../../helpers/vscodeMock';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import type * as vscode from 'vscode';
import { activate, deactivate } from '../../../src/extension/extension';
import { tempWorkspace, type TempWorkspace } from '../../helpers/tempWorkspace';
import { writeTinyRun } from '../../helpers/tinyRun';

interface Manifest {
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
  };
}
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;

/** Activates against `ws` (trusted unless told); deactivates and disposes when the test ends. */
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

async function waitFor(
  what: string,
  predicate: (m: ShownMessage) => boolean,
  timeoutMs = 120_000,
): Promise<ShownMessage> {
  const start = Date.now();
  for (;;) {
    const found = recorded.messages.find(predicate);
    if (found) return found;
    if (Date.now() - start > timeoutMs)
      throw new Error(
        `no ${what} message; got ${JSON.stringify(recorded.messages)}\n${recorded.logLines.join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('activate registers exactly the contributed commands; menus name only contributed commands', (t) => {
  activated(t, tempWorkspace(t));
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(commands.registered(), contributed);
  for (const [menu, items] of Object.entries(manifest.contributes.menus))
    for (const item of items) assert.ok(contributed.includes(item.command), `${menu}: ${item.command}`);
  const runButton = manifest.contributes.menus['editor/title']?.find(
    (i) => i.command === 'distillStudio.distill',
  );
  assert.match(runButton?.when ?? '', /isWorkspaceTrusted/);
});

test('Restricted Mode: running, resuming, exporting, benchmarking and init explain themselves and start nothing', async (t) => {
  const ws = tempWorkspace(t);
  const config = writeTinyRun(ws);
  activated(t, ws, false);
  for (const command of [
    'distillStudio.distill',
    'distillStudio.resumeRun',
    'distillStudio.exportOnnx',
    'distillStudio.benchmarkOnnx',
    'distillStudio.newConfig',
  ])
    await commands.executeCommand(command, Uri.file(config));
  const warnings = recorded.messages.filter((m) => m.severity === 'warning');
  assert.equal(warnings.length, 5);
  for (const w of warnings) {
    assert.match(w.message, /is disabled in Restricted Mode.*Config validation still works/);
    assert.deepEqual(w.actions, ['Manage Workspace Trust']);
  }
  assert.deepEqual(recorded.progressTitles, []);
  assert.equal(existsSync(join(ws.dir, 'runs')), false);
});

test('Distill Model on an invalid config opens it and the Problems view and starts no run', async (t) => {
  const ws = tempWorkspace(t);
  const config = writeTinyRun(ws, { data: { train: 'missing.tsv', eval: 'eval.tsv', maxLength: 32 } });
  activated(t, ws);
  await commands.executeCommand('distillStudio.distill', Uri.file(config));
  assert.deepEqual(recorded.opened, [config]);
  assert.ok(recorded.executed.some((e) => e.command === 'workbench.actions.view.problems'));
  const error = recorded.messages.find((m) => m.severity === 'error');
  assert.match(
    error?.message ?? '',
    /tiny\.distill\.json has 1 error\(s\), so the run did not start.*missing\.tsv/,
  );
  assert.deepEqual(recorded.progressTitles, []);
});

test('Distill Model runs the trainer to the end; a second run on the same output folder is refused', async (t) => {
  const ws = tempWorkspace(t);
  const config = writeTinyRun(ws);
  activated(t, ws);
  await commands.executeCommand('distillStudio.distill', Uri.file(config));
  assert.deepEqual(recorded.progressTitles, ['Distilling tiny']);
  // While it runs: refused, with the reason.
  await commands.executeCommand('distillStudio.distill', Uri.file(config));
  const busy = await waitFor('busy', (m) => /already running in/.test(m.message));
  assert.match(busy.message, /A second run on the same output folder is refused/);
  const done = await waitFor('finished', (m) => /finished/.test(m.message));
  const runDir = join(ws.dir, 'runs', 'tiny');
  assert.match(
    done.message,
    new RegExp(`"tiny" finished: best accuracy \\d+\\.\\d%\\. The model is in ${join(runDir, 'final')}`),
  );
  assert.deepEqual(done.actions, ['Export to ONNX']);
  assert.ok(
    recorded.progressReports.some((r) => /^distill 2\/2 · step \d\/8/.test(r)),
    recorded.progressReports.join('\n'),
  );
  assert.ok(recorded.logLines.some((l) => l.startsWith('[tiny] ') && /stage 2 "distill"/.test(l)));
  // After it: the folder holds a finished run and ifExists is "error".
  await commands.executeCommand('distillStudio.distill', Uri.file(config));
  const exists = await waitFor('exists', (m) => /already holds a run \(done\)/.test(m.message));
  assert.deepEqual(exists.actions, ['Resume']);
  // The Runs view knows the folder (explorer context menus read this key).
  await commands.executeCommand('distillStudio.refreshRuns');
  assert.deepEqual(recorded.context.get('distillStudio.runFolders'), [runDir]);
  assert.deepEqual(
    recorded.context.get('distillStudio.modelFolders'),
    ['final', 'best', 'teacher'].map((m) => join(runDir, m)),
  );
  await commands.executeCommand('distillStudio.copyModelPath', runDir);
  assert.equal(recorded.clipboard, join(runDir, 'final'));
  // Export to ONNX (fp32, the default path), then its Benchmark action with the shapes from the settings.
  setSetting('distillStudio.bench.batchSizes', [1, 2]);
  setSetting('distillStudio.bench.sequenceLengths', [16]);
  script.answerMessage = (m) => (m.message.startsWith('Exported') ? 'Benchmark' : undefined);
  await commands.executeCommand('distillStudio.exportOnnx', runDir);
  const onnx = join(runDir, 'onnx', 'tiny.onnx');
  const exported = await waitFor('exported', (m) => m.message.startsWith('Exported'));
  assert.match(
    exported.message,
    new RegExp(`^Exported ${onnx} \\(0\\.\\d+ MiB, fp32\\); max \\|diff\\| from the trained model \\d`),
  );
  const bench = await waitFor('benchmarked', (m) => m.message.startsWith('Benchmarked'));
  assert.match(bench.message, /^Benchmarked tiny: p50 \d+\.\d\d ms at batch 1 x 16 tokens/);
  assert.ok(existsSync(join(runDir, 'onnx', 'tiny.bench.json')));
  assert.ok(
    recorded.logLines.some((l) => /^\s+2\s+16\s/.test(l)),
    'the table has the batch 2 x 16 row',
  );
  assert.deepEqual(
    recorded.messages.filter((m) => m.severity === 'error'),
    [],
  );
});

test('cancel in the progress notification stops with a checkpoint; its Resume action finishes the run', async (t) => {
  const ws = tempWorkspace(t);
  const config = writeTinyRun(ws, { checkpoints: { everySteps: 0, keepLast: 3 } });
  activated(t, ws);
  script.answerMessage = (m) => (/stopped with a checkpoint/.test(m.message) ? 'Resume' : undefined);
  await commands.executeCommand('distillStudio.distill', Uri.file(config));
  const start = Date.now();
  while (!recorded.progressReports.some((r) => r.startsWith('distill 2/2'))) {
    if (Date.now() - start > 120_000) throw new Error(recorded.logLines.join('\n'));
    await new Promise((r) => setTimeout(r, 20));
  }
  progressControl.cancel();
  const stopped = await waitFor('stopped', (m) => /stopped with a checkpoint/.test(m.message));
  assert.deepEqual(stopped.actions, ['Resume']);
  assert.ok(recorded.progressReports.includes('saving a checkpoint, then stopping…'));
  const runDir = join(ws.dir, 'runs', 'tiny');
  assert.equal(existsSync(join(runDir, 'final')), false);
  // The scripted answer pressed Resume: a second progress notification follows the resumed run to the end.
  await waitFor('finished', (m) => /"tiny" finished/.test(m.message));
  assert.deepEqual(recorded.progressTitles, ['Distilling tiny', 'Distilling tiny']);
  assert.ok(existsSync(join(runDir, 'final', 'model.safetensors')));
});

test('New Distillation Config runs the CLI’s init in the workspace folder and opens the config', async (t) => {
  const ws = tempWorkspace(t);
  activated(t, ws);
  await commands.executeCommand('distillStudio.newConfig');
  const config = join(ws.dir, 'reviews.distill.json');
  assert.deepEqual(recorded.opened, [config], JSON.stringify(recorded.messages));
  assert.ok(existsSync(join(ws.dir, 'data', 'reviews', 'train.tsv')));
  assert.deepEqual(recorded.progressTitles, ['Creating reviews.distill.json']);
  assert.deepEqual(recorded.messages, []);
  assert.ok(recorded.logLines.some((l) => l.includes(' init ') && l.includes('--preset reviews')));
  // A second one with the same name is refused by the input box before anything runs.
  await commands.executeCommand('distillStudio.newConfig');
  assert.deepEqual(recorded.inputProblems, ['reviews.distill.json already exists.']);
  assert.deepEqual(recorded.progressTitles, ['Creating reviews.distill.json']);
});

test('with maxConcurrentRuns 1 a second config waits in the queue; Stop Run on it empties the queue', async (t) => {
  const ws = tempWorkspace(t);
  const short = [
    { name: 'teacher', kind: 'train', model: 'teacher', steps: 2, learningRate: 0.003 },
    { name: 'distill', kind: 'distill', steps: 2, learningRate: 0.003 },
  ];
  const first = writeTinyRun(ws, { name: 'first', stages: short }, 'first.distill.json');
  const second = writeTinyRun(ws, { name: 'second', stages: short }, 'second.distill.json');
  const third = writeTinyRun(ws, { name: 'third', stages: short }, 'third.distill.json');
  activated(t, ws);
  setSetting('distillStudio.maxConcurrentRuns', 1);
  await commands.executeCommand('distillStudio.distill', Uri.file(first));
  await commands.executeCommand('distillStudio.distill', Uri.file(second));
  await commands.executeCommand('distillStudio.distill', Uri.file(third));
  const queued = await waitFor('queued', (m) => /"second" is queued \(position 1\)/.test(m.message));
  assert.equal(queued.severity, 'info');
  await waitFor('queued', (m) => /"third" is queued \(position 2\)/.test(m.message));
  assert.ok(recorded.progressReports.includes('waiting in the queue'));
  await commands.executeCommand('distillStudio.stopRun', join(ws.dir, 'runs', 'third'));
  await waitFor('removed', (m) => /"third" was removed from the queue/.test(m.message));
  await waitFor('first finished', (m) => /"first" finished/.test(m.message));
  await waitFor('second finished', (m) => /"second" finished/.test(m.message));
  assert.equal(existsSync(join(ws.dir, 'runs', 'third')), false);
  // The second started only after the first ended: its run-start follows the first's done event.
  const firstDone = readFileSync(join(ws.dir, 'runs', 'first', 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .at(-1);
  const secondStart = readFileSync(join(ws.dir, 'runs', 'second', 'events.jsonl'), 'utf8').split('\n')[0];
  const time = (line: string | undefined): number => (JSON.parse(line ?? '{}') as { time: number }).time;
  assert.ok(time(secondStart) > time(firstDone));
});

test('a crashed trainer shows the reason with Show Log and Resume; Resume finishes from the checkpoint', async (t) => {
  const ws = tempWorkspace(t);
  const config = writeTinyRun(ws);
  activated(t, ws);
  script.answerMessage = (m) => (m.severity === 'error' ? 'Resume' : undefined);
  await commands.executeCommand('distillStudio.distill', Uri.file(config));
  // Kill -9 once the teacher stage has ended (its checkpoint exists): a crash, no final event.
  const start = Date.now();
  while (!recorded.progressReports.some((r) => r.startsWith('distill 2/2'))) {
    if (Date.now() - start > 120_000) throw new Error(recorded.logLines.join('\n'));
    await new Promise((r) => setTimeout(r, 20));
  }
  const hello = recorded.logLines.map((l) => /trainer pid (\d+): protocol/.exec(l)).find((m) => m !== null);
  assert.ok(hello?.[1]);
  process.kill(Number(hello[1]), 'SIGKILL');
  const crashed = await waitFor('failed', (m) => m.severity === 'error');
  assert.equal(crashed.message, '"tiny" failed: The trainer was killed by SIGKILL.');
  assert.deepEqual(crashed.actions, ['Show Log', 'Resume']);
  await waitFor('finished', (m) => /"tiny" finished/.test(m.message));
  const runDir = join(ws.dir, 'runs', 'tiny');
  assert.ok(existsSync(join(runDir, 'final', 'model.safetensors')));
  assert.ok(
    recorded.logLines.some((l) => /resumed from .*step-/.test(l)),
    'resumed from a checkpoint',
  );
});
