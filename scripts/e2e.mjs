// npm run test:e2e: the end-to-end tests in a real VS Code (code-server) driven by a real browser (Chromium via
// playwright-core). Sets up what they need (cached in .cache/e2e/), builds, packages the extension as a VSIX,
// then runs test/e2e/*.test.ts with Node's test runner, one file at a time (each starts its own code-server).
// Prints how long each phase took. Usage: npm run test:e2e [-- test/e2e/untrusted.test.ts] [-- --test-name-pattern=5]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CACHE_DIR, phase, setUp } from './e2eSetup.mjs';
import { packageVsix } from './package.mjs';

const root = resolve(import.meta.dirname, '..');
const started = performance.now();
const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--'));
const testArgs = args.filter((a) => a.startsWith('--'));

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', shell: false, ...options });
  return result.status ?? 1;
}

const paths = await setUp();
await phase('build', () => {
  if (run(process.execPath, ['scripts/build.mjs']) !== 0) throw new Error('npm run build failed');
});
let vsix;
await phase('package the VSIX', async () => {
  vsix = await packageVsix({ out: join(CACHE_DIR, 'distill-studio.vsix'), build: false });
});
const results = join(root, 'test-results');
rmSync(join(results, 'e2e'), { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const testFiles =
  files.length > 0
    ? files
    : readdirSync(join(root, 'test', 'e2e'))
        .filter((f) => f.endsWith('.test.ts'))
        .sort()
        .map((f) => join('test', 'e2e', f));
let status = 1;
await phase('scenarios', () => {
  status = run(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...testArgs, ...testFiles],
    {
      env: {
        ...process.env,
        E2E_CODE_SERVER: paths.codeServer,
        E2E_NODE_BIN: paths.nodeBin,
        E2E_VSIX: vsix,
        E2E_CHROMIUM: paths.chromium,
        E2E_RESULTS: results,
      },
    },
  );
  return status === 0 ? 'passed' : `failed (exit ${status}); screenshots and reports in test-results/e2e/`;
});
console.log(`[e2e] total: ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(status);
