// Explorer context menus read context keys the Runs model sets: run folders, and model folders, which include
// Hugging Face checkpoints anywhere in the workspace (config.json + model.safetensors or its shard index), not only
// the models of runs, so "Export to ONNX" appears on a teacher the user brought.
import { extensionContext, recorded, resetMock, Uri, workspace } from '../../helpers/vscodeMock';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { activate, deactivate } from '../../../src/extension/extension';
import { tempWorkspace } from '../../helpers/tempWorkspace';

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('distillStudio.modelFolders lists workspace checkpoints and run models; Export to ONNX is offered on them', async (t) => {
  const ws = tempWorkspace(t);
  ws.write('models/bert-sst2/config.json', '{"model_type": "bert"}');
  ws.write('models/bert-sst2/model.safetensors', '');
  ws.write('models/sharded/config.json', '{"model_type": "bert"}');
  ws.write('models/sharded/model.safetensors.index.json', '{}');
  ws.write('models/weights-only/model.safetensors', '');
  ws.write('models/other/mymodel.safetensors', '');
  ws.write('models/other/config.json', '{}');
  ws.write('node_modules/pkg/m/config.json', '{}');
  ws.write('node_modules/pkg/m/model.safetensors', '');
  resetMock();
  workspace.workspaceFolders = [{ uri: Uri.file(ws.dir), name: 'ws', index: 0 }];
  const context = extensionContext(resolve('.'));
  activate(context as unknown as vscode.ExtensionContext);
  t.after(async () => {
    await deactivate();
    for (const s of context.subscriptions) s.dispose();
  });
  await until('the context keys', () => recorded.context.has('distillStudio.modelFolders'));
  assert.deepEqual(
    [...((recorded.context.get('distillStudio.modelFolders') as string[] | undefined) ?? [])].sort(),
    [ws.path('models/bert-sst2'), ws.path('models/sharded')],
  );
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
    contributes: { menus: Record<string, { command: string; when?: string }[]> };
  };
  const exportMenu = manifest.contributes.menus['explorer/context']?.find(
    (m) => m.command === 'distillStudio.exportOnnx',
  );
  assert.match(exportMenu?.when ?? '', /resourcePath in distillStudio\.modelFolders/);
  assert.match(exportMenu?.when ?? '', /isWorkspaceTrusted/);
});
