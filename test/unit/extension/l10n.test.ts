// English and Korean UI strings stay complete: every package.json `%key%` is in package.nls.json and
// package.nls.ko.json (and nothing extra); every vscode.l10n.t string literal in src/extension has a Korean
// translation with the same placeholders, and no t() call hides its message in a variable.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const readJson = (file: string): Record<string, string> =>
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const placeholders = (s: string): string[] => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();

test('package.json %keys% match package.nls.json and package.nls.ko.json exactly', () => {
  const manifest = readFileSync('package.json', 'utf8');
  const used = new Set([...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1] ?? ''));
  const en = readJson('package.nls.json');
  const ko = readJson('package.nls.ko.json');
  assert.deepEqual(Object.keys(en).sort(), [...used].sort());
  assert.deepEqual(Object.keys(ko).sort(), [...used].sort());
  for (const key of used) assert.notEqual(ko[key]?.trim() ?? '', '', `empty Korean ${key}`);
  const manifestJson = JSON.parse(manifest) as { l10n?: string };
  assert.equal(manifestJson.l10n, './l10n');
});

test('every runtime string in src/extension has a Korean translation with the same placeholders', () => {
  const bundle = readJson('l10n/bundle.l10n.ko.json');
  const used = new Set<string>();
  for (const file of sources('src/extension')) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g))
      used.add((m[1] ?? '').replace(/\\'/g, "'"));
    const hidden = [...text.matchAll(/\bt\(\s*([^'\s)])/g)];
    assert.deepEqual(
      hidden.map((m) => m[0]),
      [],
      `${file}: t() must take a string literal so the bundle can be checked`,
    );
  }
  assert.ok(used.size > 50, `found only ${used.size} strings`);
  const missing = [...used].filter((s) => bundle[s] === undefined);
  assert.deepEqual(missing, [], 'strings without a Korean translation');
  const unused = Object.keys(bundle).filter((s) => !used.has(s));
  assert.deepEqual(unused, [], 'translations no code uses');
  for (const [en, ko] of Object.entries(bundle)) assert.deepEqual(placeholders(ko), placeholders(en), en);
});
