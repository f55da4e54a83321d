// Re-validation when files a config references appear, change or vanish: the referenced paths, the per-config
// watcher set (added, replaced, released), chokidar outside the workspace against the real file system, and
// ConfigDiagnostics wiring it up with VS Code's watchers (mocked) inside the workspace.
import { documentEvents, fileWatchers, resetMock, Uri, workspace } from '../../helpers/vscodeMock';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { ConfigDiagnostics } from '../../../src/extension/configDiagnostics';
import {
  chokidarWatch,
  ReferenceWatchers,
  referencedPaths,
  type WatchFactory,
} from '../../../src/extension/configReferences';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { writeTinyRun } from '../../helpers/tinyRun';

async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('referencedPaths: data, unlabelled, checkpoints, tokenizer files and the output folder, resolved from the config folder', () => {
  const text = `{
    // comment
    "teacher": { "checkpoint": "ckpt/teacher" },
    "student": { "preset": "mobilebert-tiny" },
    "tokenizer": { "path": "/abs/vocab.txt", "corpus": ["more.txt"] },
    "data": { "train": "train.tsv", "eval": "train.tsv", "unlabelled": ["u.txt", 3] },
    "output": { "dir": "out/runs" },
  }`;
  assert.deepEqual(referencedPaths('/w/cfg/a.distill.json', text), [
    '/w/cfg/train.tsv',
    '/w/cfg/u.txt',
    '/w/cfg/ckpt/teacher',
    '/abs/vocab.txt',
    '/w/cfg/out/runs',
    '/w/cfg/more.txt',
  ]);
  assert.deepEqual(referencedPaths('/w/a.distill.json', '{ broken'), []);
});

test('ReferenceWatchers: inside vs outside, diffed on update, disposed on release', () => {
  const live = new Map<string, { kind: string; fire: () => void }>();
  const factory: WatchFactory = {
    inWorkspace: (p) => p.startsWith('/w/'),
    watchInWorkspace: (p, fire) => (live.set(p, { kind: 'vscode', fire }), { dispose: () => live.delete(p) }),
    watchOutside: (p, fire) => (live.set(p, { kind: 'chokidar', fire }), { dispose: () => live.delete(p) }),
  };
  const events: string[] = [];
  const watchers = new ReferenceWatchers(factory, (key, path) => events.push(`${key} ${path}`));
  watchers.update('a', ['/w/train.tsv', '/elsewhere/ckpt']);
  assert.deepEqual(
    [...live].map(([p, w]) => [p, w.kind]),
    [
      ['/w/train.tsv', 'vscode'],
      ['/elsewhere/ckpt', 'chokidar'],
    ],
  );
  live.get('/elsewhere/ckpt')?.fire();
  assert.deepEqual(events, ['a /elsewhere/ckpt']);
  watchers.update('a', ['/w/train.tsv', '/w/eval.tsv']);
  assert.deepEqual([...live.keys()].sort(), ['/w/eval.tsv', '/w/train.tsv']);
  assert.deepEqual(watchers.watched('a'), ['/w/train.tsv', '/w/eval.tsv']);
  watchers.release('a');
  assert.equal(live.size, 0);
});

test('chokidarWatch reports a file outside the workspace appearing, changing and vanishing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'distill-studio-watch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'eval.tsv');
  let events = 0;
  const watcher = chokidarWatch(file, () => events++);
  t.after(() => watcher.dispose());
  await new Promise((r) => setTimeout(r, 300));
  writeFileSync(file, 'text\tlabel\n');
  await until('create', () => events >= 1);
  rmSync(file);
  await until('delete', () => events >= 2);
});

test('ConfigDiagnostics watches what an open config references and re-validates when it changes', async (t) => {
  resetMock();
  const ws = tempWorkspace(t);
  const outside = mkdtempSync(join(tmpdir(), 'distill-studio-outside-'));
  t.after(() => rmSync(outside, { recursive: true, force: true }));
  const configFile = writeTinyRun(ws, {
    data: { train: 'train.tsv', eval: join(outside, 'eval.tsv'), maxLength: 32 },
  });
  workspace.workspaceFolders = [{ uri: Uri.file(ws.dir), name: 'ws', index: 0 }];
  let validations = 0;
  const document = {
    uri: Uri.file(configFile),
    fileName: configFile,
    version: 1,
    isClosed: false,
    getText: () => (validations++, readFileSync(configFile, 'utf8')),
  };
  workspace.textDocuments = [document];
  const diagnostics = new ConfigDiagnostics();
  t.after(() => {
    diagnostics.dispose();
    workspace.textDocuments = [];
  });
  await until(
    'first validation',
    () => diagnostics.watchedFor(document.uri as unknown as vscode.Uri).length > 0,
  );
  assert.deepEqual(diagnostics.watchedFor(document.uri as unknown as vscode.Uri), [
    ws.path('train.tsv'),
    join(outside, 'eval.tsv'),
  ]);
  // Inside the workspace: one VS Code watcher, for train.tsv.
  assert.equal(fileWatchers.length, 1);
  const inside = fileWatchers[0];
  assert.ok(inside);
  assert.deepEqual(
    { ...(inside.pattern as object) },
    { baseUri: Uri.file(ws.dir), pattern: 'train.tsv{,/*}' },
  );
  const before = validations;
  inside.fire('change', Uri.file(ws.path('train.tsv')));
  await until('re-validation after a change inside', () => validations > before);
  // Outside: chokidar sees the eval file appear.
  const afterInside = validations;
  writeFileSync(join(outside, 'eval.tsv'), 'text\tlabel\nfine\tpositive\n');
  await until('re-validation after a file appeared outside', () => validations > afterInside, 15_000);
  // Closing the config disposes its watchers.
  document.isClosed = true;
  documentEvents.closed.fire(document);
  assert.equal(inside.disposed, true);
  assert.deepEqual(diagnostics.watchedFor(document.uri as unknown as vscode.Uri), []);
});
