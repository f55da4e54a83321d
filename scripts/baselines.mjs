// The demo's no-teacher baselines, more fairly (`npm run baselines`; about 15 CPU-minutes, not part of
// `npm run bench`): the demo's student trained on the gold labels alone, as MobileBERT ships it (NoNorm) and with
// LayerNorm instead, for the distillation stage's 2 labelled epochs and for 3x as many, over seeds 42, 1 and 2,
// through the built CLI. It answers whether the distilled student beats a baseline that can train at all, or only one
// that cannot. Results: a table on stdout and baselines.json in the output folder (default baselines-output/).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const out = resolve(flag('--out', 'baselines-output'));
const seeds = flag('--seeds', '42,1,2').split(',').map(Number);
const example = join(root, 'examples', 'reviews');

const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

mkdirSync(out, { recursive: true });
for (const f of ['train.tsv', 'eval.tsv']) copyFileSync(join(example, f), join(out, f));
const demo = JSON.parse(
  readFileSync(join(example, 'reviews.distill.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''),
);
const distill = demo.stages.find((s) => s.kind === 'distill');

const variants = [
  { norm: 'no_norm', epochs: distill.epochs },
  { norm: 'layer_norm', epochs: distill.epochs },
  { norm: 'no_norm', epochs: 3 * distill.epochs },
  { norm: 'layer_norm', epochs: 3 * distill.epochs },
];
const results = [];
for (const v of variants)
  for (const seed of seeds) {
    const name = `baseline-${v.norm.replace('_', '')}-${v.epochs}ep-${seed}`;
    const config = JSON.parse(JSON.stringify(demo));
    delete config.$schema;
    Object.assign(config, {
      name,
      seed,
      stages: [
        {
          name: 'student',
          kind: 'train',
          model: 'student',
          epochs: v.epochs,
          learningRate: distill.learningRate,
        },
      ],
      guards: { checkTeacher: false },
      attentionSnapshots: { everySteps: 0 },
      export: { enabled: false },
      benchmark: { enabled: false },
      output: { dir: 'runs', ifExists: 'new' },
    });
    config.data = { ...config.data, unlabelled: [] };
    config.student.config.normalization_type = v.norm;
    const file = join(out, `${name}.distill.json`);
    writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      [join(root, 'bin', 'distill-studio.js'), 'train', file, '--json'],
      {
        cwd: out,
        encoding: 'utf8',
        maxBuffer: 256 * 2 ** 20,
      },
    );
    if (run.status !== 0) {
      process.stderr.write(run.stderr);
      process.exit(run.status ?? 1);
    }
    const done = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'done');
    const accuracy = done?.payload?.best?.accuracy;
    results.push({ ...v, seed, accuracy, seconds: (Date.now() - started) / 1000 });
    console.log(
      `${name}: best accuracy ${accuracy === undefined ? '-' : (100 * accuracy).toFixed(2)}% (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
  }

const stats = (xs) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
};
console.log(
  '\nstudent without a teacher      | ' +
    seeds.map((s) => `seed ${s}`.padEnd(8)).join(' | ') +
    ' | mean ± sd',
);
for (const v of variants) {
  const rows = results.filter((r) => r.norm === v.norm && r.epochs === v.epochs);
  const { mean, sd } = stats(rows.map((r) => 100 * (r.accuracy ?? NaN)));
  console.log(
    `${`${v.norm}, ${v.epochs} epochs`.padEnd(30)} | ${rows.map((r) => `${(100 * r.accuracy).toFixed(2)}%`.padEnd(8)).join(' | ')} | ${mean.toFixed(2)}% ± ${sd.toFixed(2)}`,
  );
}
writeFileSync(join(out, 'baselines.json'), `${JSON.stringify(results, null, 2)}\n`);
