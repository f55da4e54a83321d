// The missing output folder: validation reports `output-dir-missing` (info) at `output.dir` and a file there as an
// error; the quick fix creates the folder through the palette-hidden command, and the config is re-validated so the
// diagnostic goes. Driven through activate() with the vscode mock and the real validator.
import {
  commands,
  extensionContext,
  recorded,
  resetMock,
  Uri,
  workspace,
  type CodeAction,
} from '../../helpers/vscodeMock';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import type * as vscode from 'vscode';
import { validateConfigText } from '../../../src/config/validateConfig';
import { ConfigQuickFixProvider } from '../../../src/extension/configQuickFixes';
import { activate, deactivate } from '../../../src/extension/extension';
import { folderFixesFor } from '../../../src/extension/quickFixEdits';
import { tempWorkspace, type TempWorkspace } from '../../helpers/tempWorkspace';
import { writeTinyRun } from '../../helpers/tinyRun';

const t = (message: string, ...args: (string | number)[]): string =>
  message.replace(/\{(\d+)\}/g, (_w, i: string) => String(args[Number(i)]));

function config(ws: TempWorkspace, dir: string): string {
  return writeTinyRun(ws, { output: { dir } });
}

test('output.dir: a missing folder is information at the value, a file is an error, an existing folder is fine', async (tc) => {
  const ws = tempWorkspace(tc);
  const file = config(ws, 'experiments/runs');
  const text = readFileSync(file, 'utf8');
  const result = await validateConfigText(file, text);
  assert.equal(result.kind, 'checked');
  const missing = result.diagnostics.filter((d) => d.code === 'output-dir-missing');
  assert.equal(missing.length, 1);
  const [finding] = missing;
  assert.equal(finding?.severity, 'info');
  assert.deepEqual(finding?.path, ['output', 'dir']);
  const line = text.split('\n')[finding?.range.start.line ?? -1] ?? '';
  assert.match(line.slice(finding?.range.start.character), /^"experiments\/runs"/);
  assert.ok(finding?.message.includes(ws.path('experiments/runs')));
  assert.ok(result.kind === 'checked' && result.valid, 'information does not make the config invalid');

  ws.write('experiments/runs/.keep', '');
  const created = await validateConfigText(file, text);
  assert.deepEqual(
    created.diagnostics.filter((d) => d.code.startsWith('output-')),
    [],
  );
  const onFile = config(ws, 'notes.txt');
  ws.write('notes.txt', 'not a folder');
  const fileResult = await validateConfigText(onFile, readFileSync(onFile, 'utf8'));
  const error = fileResult.diagnostics.find((d) => d.code === 'output-dir-not-folder');
  assert.equal(error?.severity, 'error');
  assert.ok(fileResult.kind === 'checked' && !fileResult.valid);
  // The default (no output.dir) is never reported: the first run creates runs/.
  const plain = writeTinyRun(ws);
  const plainResult = await validateConfigText(plain, readFileSync(plain, 'utf8'));
  assert.deepEqual(
    plainResult.diagnostics.filter((d) => d.code.startsWith('output-')),
    [],
  );
});

test('folderFixesFor resolves output.dir from the config folder; other codes get no folder fix', () => {
  const text = '{ "name": "x", "output": { "dir": "../shared/runs" } }';
  const fixes = folderFixesFor(
    text,
    '/w/cfg/a.distill.json',
    { code: 'output-dir-missing', message: 'm', path: ['output', 'dir'] },
    t,
  );
  assert.deepEqual(fixes, [
    { title: 'Create the output folder /w/shared/runs', preferred: true, folder: '/w/shared/runs' },
  ]);
  assert.deepEqual(
    folderFixesFor(text, '/w/a.distill.json', { code: 'file-missing', message: 'm', path: [] }, t),
    [],
  );
});

function activated(tc: TestContext, ws: TempWorkspace, document: unknown): void {
  resetMock();
  workspace.workspaceFolders = [{ uri: Uri.file(ws.dir), name: 'ws', index: 0 }];
  workspace.textDocuments = [document];
  const context = extensionContext(resolve('.'));
  activate(context as unknown as vscode.ExtensionContext);
  tc.after(async () => {
    workspace.textDocuments = [];
    await deactivate();
    for (const s of context.subscriptions) s.dispose();
  });
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the quick fix runs the hidden create-folder command, which creates the folder and clears the diagnostic', async (tc) => {
  const ws = tempWorkspace(tc);
  const file = config(ws, 'out/runs');
  const text = readFileSync(file, 'utf8');
  const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((m) => (m.index ?? 0) + 1)];
  const document = {
    uri: Uri.file(file),
    fileName: file,
    version: 1,
    isClosed: false,
    getText: () => text,
    offsetAt: (p: { line: number; character: number }) => (lineStarts[p.line] ?? 0) + p.character,
    positionAt: (offset: number) => {
      let line = 0;
      while ((lineStarts[line + 1] ?? Infinity) <= offset) line++;
      return { line, character: offset - (lineStarts[line] ?? 0) };
    },
  };
  activated(tc, ws, document);
  const codes = (): string[] => (recorded.diagnostics.get(file) ?? []).map((d) => String(d.code));
  await until('the first validation', () => codes().includes('output-dir-missing'));
  const shown = (recorded.diagnostics.get(file) ?? []).find((d) => d.code === 'output-dir-missing');
  assert.ok(shown);
  assert.equal(shown.severity, 2, 'Information');

  const provider = new ConfigQuickFixProvider(() => ['output', 'dir']);
  const actions = provider.provideCodeActions(
    document as unknown as vscode.TextDocument,
    shown.range as unknown as vscode.Range,
    { diagnostics: [shown] } as unknown as vscode.CodeActionContext,
  ) as unknown as CodeAction[];
  assert.equal(actions.length, 1);
  const [action] = actions;
  assert.equal(action?.title, `Create the output folder ${ws.path('out/runs')}`);
  assert.equal(action?.isPreferred, true);
  assert.equal(action?.edit, undefined);
  assert.deepEqual(action?.command, {
    command: 'distillStudio.createFolder',
    title: action?.title,
    arguments: [ws.path('out/runs'), Uri.file(file).toString()],
  });
  assert.ok(!existsSync(ws.path('out/runs')));
  await commands.executeCommand(action?.command?.command ?? '', ...(action?.command?.arguments ?? []));
  assert.ok(statSync(ws.path('out/runs')).isDirectory());
  await until('re-validation after the fix', () => !codes().includes('output-dir-missing'));
  // Hidden from the palette: it needs the folder argument.
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
    contributes: { menus: { commandPalette: { command: string; when: string }[] } };
  };
  assert.ok(
    manifest.contributes.menus.commandPalette.some(
      (m) => m.command === 'distillStudio.createFolder' && m.when === 'false',
    ),
  );
  // A relative or missing argument does nothing.
  await commands.executeCommand('distillStudio.createFolder', 'relative/path');
  assert.ok(!existsSync(resolve('relative/path')));
});

test('a folder that cannot be created is an error message, not a crash', async (tc) => {
  const ws = tempWorkspace(tc);
  writeFileSync(ws.path('blocker'), 'a file where the parent folder should be');
  activated(tc, ws, { uri: Uri.file(ws.path('none.txt')), fileName: 'none.txt', getText: () => '' });
  await commands.executeCommand('distillStudio.createFolder', ws.path('blocker/runs'));
  const error = recorded.messages.find((m) => m.severity === 'error');
  assert.match(error?.message ?? '', /^Cannot create the folder .*blocker\/runs: /);
});
