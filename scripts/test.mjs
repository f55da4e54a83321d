// Runs the fast test suite: builds the bundles (the CLI tests run the built trainer under plain node), then
// every test/unit/**/*.test.ts with Node's own test runner, TypeScript loaded through tsx.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', shell: false }).status ?? 1;

if (!process.argv.includes('--no-build')) {
  const status = run(process.execPath, ['scripts/build.mjs']);
  if (status !== 0) process.exit(status);
}
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = only.length > 0 ? only : testFiles('test/unit');
process.exit(
  run(process.execPath, [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=2',
    ...files,
  ]),
);
