// Benchmarks (`npm run bench`): timings that matter to users, measured side by side in one run.
// Now: config validation latency (it runs on every keystroke in the editor) on a large data set, cold (first read)
// versus warm (data cached by mtime), through the built CLI bundle's engine; the teacher's forward pass on a
// distillation batch, TensorFlow.js (wasm) vs onnxruntime-node (scripts/benchTeacher.ts); the dashboard.
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');

const SST2 = join(root, '..', 'shared', 'datasets', 'sst2');
const dir = mkdtempSync(join(tmpdir(), 'distill-bench-'));
try {
  let train;
  let evalFile;
  let source;
  if (existsSync(join(SST2, 'train.tsv'))) {
    train = join(SST2, 'train.tsv');
    evalFile = join(SST2, 'dev.tsv');
    source = 'GLUE SST-2 (67,349 train rows)';
  } else {
    // A user's clone has no ../shared: repeat the bundled reviews to SST-2's size instead.
    const rows = readFileSync(join(root, 'examples/reviews/train.tsv'), 'utf8').trim().split('\n');
    const body = rows.slice(1);
    const big = [rows[0]];
    while (big.length <= 67349) big.push(...body);
    train = join(dir, 'train.tsv');
    writeFileSync(train, big.slice(0, 67350).join('\n') + '\n');
    evalFile = join(root, 'examples/reviews/eval.tsv');
    source = 'bundled reviews repeated to 67,349 rows';
  }
  const config = JSON.parse(
    readFileSync(join(root, 'examples/reviews/reviews.distill.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''),
  );
  const textColumn = source.startsWith('GLUE') ? 'sentence' : 'text';
  Object.assign(config.data, { train, eval: evalFile, unlabelled: [], textColumn });
  delete config.$schema;
  const file = join(dir, 'bench.distill.json');
  const text = JSON.stringify(config, null, 2);
  writeFileSync(file, text);

  // The engine as the extension and CLI use it, loaded from source through tsx's register hook.
  const { register } = require('tsx/cjs/api');
  const unregister = register();
  const { validateConfigText } = require(join(root, 'src/config/validateConfig.ts'));
  const time = async () => {
    const start = performance.now();
    const result = await validateConfigText(file, text);
    return { ms: performance.now() - start, result };
  };
  const cold = await time();
  const warm = [];
  for (let i = 0; i < 20; i++) warm.push((await time()).ms);
  warm.sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)];
  const errors = cold.result.diagnostics.filter((d) => d.severity === 'error');
  console.log(`data: ${source}`);
  console.log(`validation errors: ${errors.length}${errors.length ? ' (' + errors[0].message + ')' : ''}`);
  console.log(`validate, cold (reads and parses the data): ${cold.ms.toFixed(1)} ms`);
  console.log(`validate, warm (data cached), median of 20: ${median.toFixed(1)} ms`);
  console.log(`cold / warm: ${(cold.ms / median).toFixed(1)}x`);
  unregister();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// The teacher forward pass, TensorFlow.js vs onnxruntime-node (teacher.runtime), in its own process.
{
  const { spawnSync } = await import('node:child_process');
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'benchTeacher.ts')], {
    stdio: 'inherit',
  });
}

// The dashboard (built webview page in headless Chromium; skipped where Chromium is missing).
if (existsSync('/usr/bin/chromium') || process.env.CHROMIUM_PATH) {
  const { spawnSync } = await import('node:child_process');
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'benchDashboard.ts')], {
    stdio: 'inherit',
  });
} else console.log('dashboard benchmark skipped: no Chromium (apt-get install chromium)');
