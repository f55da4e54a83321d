// Benchmark ONNX Model with the settings: shapes, threads and the execution provider go to the REAL built CLI
// (`bench --json`); a GPU provider that is not installed falls back to the CPU and the user is told why, and the
// log's table names the provider that ran and the peak memory.
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
import { copyFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { activate, deactivate } from '../../../src/extension/extension';
import { providerStatus } from '../../../src/trainer/onnx/executionProviders';
import { tempWorkspace } from '../../helpers/tempWorkspace';

const FIXTURE = 'test/fixtures/onnx/bert-cls';

test('the execution provider setting reaches bench as --ep; a fallback to the CPU is a warning with the reason', async (t) => {
  const ws = tempWorkspace(t);
  for (const name of readdirSync(FIXTURE)) copyFileSync(join(FIXTURE, name), ws.write(`m/${name}`, ''));
  const model = ws.path('m/model.onnx');
  resetMock();
  workspace.workspaceFolders = [{ uri: Uri.file(ws.dir), name: 'ws', index: 0 }];
  setSetting('distillStudio.nodePath', process.execPath);
  setSetting('distillStudio.bench.batchSizes', [1]);
  setSetting('distillStudio.bench.sequenceLengths', [8]);
  setSetting('distillStudio.threads', 1);
  setSetting('distillStudio.bench.executionProvider', 'cuda');
  const context = extensionContext(resolve('.'));
  activate(context as unknown as vscode.ExtensionContext);
  t.after(async () => {
    await deactivate();
    for (const s of context.subscriptions) s.dispose();
  });
  await commands.executeCommand('distillStudio.benchmarkOnnx', Uri.file(model));
  const invocation = recorded.logLines.find((l) => l.startsWith('$ ') && l.includes(' bench '));
  assert.ok(
    invocation?.endsWith(`bench --model ${model} --batch 1 --seq 8 --json --threads 1 --ep cuda`),
    invocation,
  );
  const cudaInstalled = providerStatus().some((s) => s.name === 'cuda' && s.installed);
  const table = recorded.logLines.find((l) => l.startsWith(`${model} (`));
  const warning = recorded.messages.find((m) => m.severity === 'warning');
  if (!cudaInstalled) {
    assert.match(table ?? '', /, CPU, peak RSS [\d.]+ MiB\)$/);
    assert.ok(recorded.logLines.some((l) => /^ {2}note: CUDA is unavailable/.test(l)));
    assert.match(
      warning?.message ?? '',
      /^Benchmark ONNX Model: CUDA is unavailable \(.*\); running on the CPU\./,
    );
  } else {
    assert.match(table ?? '', /, (CUDA|CPU), peak RSS/);
  }
  assert.ok(
    recorded.messages.some((m) => m.severity === 'info' && /^Benchmarked model: p50 /.test(m.message)),
  );
});
