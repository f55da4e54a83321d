// Resolving the Node.js executable for the trainer: the setting, PATH, too old, missing, unusable.
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { compareVersions, findOnPath, resolveNode } from '../../../src/extension/nodeRuntime';
import { tempWorkspace } from '../../helpers/tempWorkspace';

const posix = process.platform !== 'win32';

function fakeNode(ws: ReturnType<typeof tempWorkspace>, name: string, output: string): string {
  const file = ws.write(`bin/${name}`, `#!/bin/sh\necho ${output}\n`);
  chmodSync(file, 0o755);
  return file;
}

test('compareVersions orders numerically', () => {
  assert.ok(compareVersions('20.19.0', '20.9.0') > 0);
  assert.ok(compareVersions('18.20.4', '20.19.0') < 0);
  assert.equal(compareVersions('20.19.0', '20.19.0'), 0);
  assert.ok(compareVersions('22.0.0', '20.19.0') > 0);
});

test('the setting wins; this Node passes the version check', async () => {
  const result = await resolveNode({ setting: process.execPath });
  assert.deepEqual(result, { kind: 'ok', path: process.execPath, version: process.versions.node });
});

test('without the setting, node is found on PATH', async () => {
  const result = await resolveNode({ env: { PATH: dirname(process.execPath) } });
  assert.equal(result.kind, 'ok');
  assert.equal(await findOnPath('node', { PATH: '' }), undefined);
});

test('missing: a setting that names no file, or no node on PATH', async (t) => {
  const ws = tempWorkspace(t);
  assert.deepEqual(await resolveNode({ setting: ws.path('nope/node') }), {
    kind: 'missing',
    source: 'setting',
    path: ws.path('nope/node'),
  });
  assert.deepEqual(await resolveNode({ env: { PATH: ws.dir } }), { kind: 'missing', source: 'path' });
});

test('too old: a Node older than 20.19 is refused with its version', { skip: !posix }, async (t) => {
  const ws = tempWorkspace(t);
  const old = fakeNode(ws, 'node', 'v18.20.4');
  assert.deepEqual(await resolveNode({ setting: old }), {
    kind: 'too-old',
    source: 'setting',
    path: old,
    version: '18.20.4',
  });
  assert.deepEqual(await resolveNode({ env: { PATH: dirname(old) } }), {
    kind: 'too-old',
    source: 'path',
    path: old,
    version: '18.20.4',
  });
});

test('unusable: something that is not Node', { skip: !posix }, async (t) => {
  const ws = tempWorkspace(t);
  const other = fakeNode(ws, 'python', 'Python 3.11.2');
  const result = await resolveNode({ setting: other });
  assert.equal(result.kind, 'unusable');
  assert.match(
    result.kind === 'unusable' ? result.error : '',
    /unexpected --version output: Python 3\.11\.2/,
  );
});
