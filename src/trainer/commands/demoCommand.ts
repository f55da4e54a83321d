// `distill-studio demo` (npm run demo): the whole story on bundled data. Trains a BERT teacher, distils a
// MobileBERT-style student with soft labels, hidden states, attention and gold labels, trains the same student
// without a teacher as the baseline, evaluates all three, exports the student to verified ONNX (fp32 and int8)
// and prints a comparison of accuracy, size and latency.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseJsonc } from 'jsonc-parser';
import type { DistillConfig } from '../../protocol/config';
import type { RunEvent } from '../../protocol/events';
import { evaluateFile, type EvaluateFileReport } from '../eval/evaluateFile';
import { benchModel, type ModelBench } from '../onnx/bench';
import { exportModel } from '../onnx/exportModel';
import { UserError } from '../cliErrors';
import { packageRoot } from '../packageRoot';
import { runTraining, type TrainResult } from '../train/trainer';
import { pathExists } from '../util/pathExists';
import { progressPrinter } from './trainCommand';

export interface DemoOptions {
  out: string;
  lang: string;
  json?: boolean;
  /** Caps every stage at this many steps: a quick look (and the smoke test), not a meaningful comparison. */
  steps?: string;
  /** Overrides the bundled config's seed (for measuring spread over seeds). */
  seed?: string;
}

interface Row {
  model: string;
  path: string;
  eval: EvaluateFileReport;
  parameters?: number;
  onnxBytes?: number;
  bench?: ModelBench;
}

async function prepare(
  out: string,
  lang: 'en' | 'ko',
  steps: number | undefined,
  seed: number | undefined,
): Promise<string> {
  const example = lang === 'ko' ? 'reviews-ko' : 'reviews';
  const source = join(packageRoot(), 'examples', example);
  await mkdir(out, { recursive: true });
  for (const file of ['train.tsv', 'eval.tsv', 'unlabelled.txt']) {
    if (!(await pathExists(join(out, file)))) await copyFile(join(source, file), join(out, file));
  }
  const config = parseJsonc(await readFile(join(source, `${example}.distill.json`), 'utf8')) as DistillConfig;
  delete config.$schema;
  config.output = { dir: 'runs', ifExists: 'new' };
  if (seed !== undefined) config.seed = seed;
  if (steps !== undefined && Array.isArray(config.stages)) {
    config.stages = config.stages.map((stage) => {
      const capped = { ...stage, steps };
      delete capped.epochs;
      return capped;
    });
    config.evaluation = { ...config.evaluation, everySteps: 0 };
    // A few steps cannot make a teacher better than chance; the guard would rightly stop the run.
    config.guards = { checkTeacher: false };
  }
  const file = join(out, `${example}.distill.json`);
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** The same student and data, trained on the gold labels alone for as many labelled epochs as distillation saw. */
async function writeBaseline(configFile: string): Promise<string> {
  const config = JSON.parse(await readFile(configFile, 'utf8')) as DistillConfig;
  const stages = Array.isArray(config.stages) ? config.stages : [];
  const distill = stages.find((s) => s.kind === 'distill');
  config.name = `${config.name}-baseline`;
  const length =
    distill?.steps !== undefined
      ? { steps: distill.steps }
      : distill?.epochs !== undefined
        ? { epochs: distill.epochs }
        : {};
  const rate = distill?.learningRate !== undefined ? { learningRate: distill.learningRate } : {};
  config.stages = [{ name: 'student', kind: 'train', model: 'student', ...length, ...rate }];
  config.guards = { checkTeacher: false };
  config.attentionSnapshots = { everySteps: 0 };
  const file = configFile.replace(/\.distill\.json$/, '-baseline.distill.json');
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function table(rows: Row[]): string {
  const header = ['model', 'accuracy', 'macro-F1', 'parameters', 'ONNX size', 'p50 batch 1', 'p50 batch 8'];
  const body = rows.map((r) => {
    const at = (batch: number): string => {
      const p = r.bench?.points.find((x) => x.batch === batch);
      return p === undefined ? '-' : `${p.p50Ms.toFixed(2)} ms`;
    };
    return [
      r.model,
      `${(100 * r.eval.accuracy).toFixed(2)}%`,
      `${(100 * r.eval.macroF1).toFixed(2)}%`,
      r.parameters?.toLocaleString('en-US') ?? '-',
      mib(r.onnxBytes),
      at(1),
      at(8),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const lang = options.lang === 'ko' ? 'ko' : 'en';
  const out = resolve(options.out);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const onEvent: (e: RunEvent) => void =
    options.json === true ? (e) => process.stdout.write(`${JSON.stringify(e)}\n`) : progressPrinter();
  const started = Date.now();
  const steps = options.steps !== undefined ? Number(options.steps) : undefined;
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1))
    throw new UserError(`--steps must be a positive integer, not "${options.steps}".`);
  const seed = options.seed !== undefined ? Number(options.seed) : undefined;
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0))
    throw new UserError(`--seed must be a non-negative integer, not "${options.seed}".`);
  const configFile = await prepare(out, lang, steps, seed);
  log(`demo folder: ${out}\n== 1/4 teacher, then distillation (${configFile})`);
  const distilled: TrainResult = await runTraining({ configFile, onEvent, log });
  log('== 2/4 baseline: the same student trained without a teacher');
  const baseline: TrainResult = await runTraining({
    configFile: await writeBaseline(configFile),
    onEvent,
    log,
  });
  log('== 3/4 evaluation');
  const evalData = join(out, 'eval.tsv');
  const evaluate = (model: string): Promise<EvaluateFileReport> =>
    evaluateFile({ model, data: evalData, textColumn: 'text', labelColumn: 'label', batchSize: 64 });
  const teacherDir = join(distilled.runDir, 'teacher');
  const rows: Row[] = [
    { model: 'teacher (BERT)', path: teacherDir, eval: await evaluate(teacherDir) },
    {
      model: 'student, distilled',
      path: distilled.finalModel ?? '',
      eval: await evaluate(distilled.finalModel ?? ''),
    },
    {
      model: 'student, no teacher',
      path: baseline.finalModel ?? '',
      eval: await evaluate(baseline.finalModel ?? ''),
    },
  ];
  log('== 4/4 ONNX export (verified against TensorFlow.js) and latency');
  const onnxDir = join(distilled.runDir, 'onnx');
  const exports = [
    { row: rows[0], file: join(onnxDir, 'teacher', 'model.onnx'), precision: 'fp32' as const },
    { row: rows[1], file: join(onnxDir, 'student', 'model.onnx'), precision: 'fp32' as const },
    { row: rows[2], file: join(onnxDir, 'baseline', 'model.onnx'), precision: 'fp32' as const },
  ];
  for (const e of exports) {
    if (e.row === undefined) continue;
    const report = await exportModel(
      { modelDir: e.row.path, out: e.file, opset: 17, precision: e.precision, withHidden: false },
      log,
    );
    e.row.parameters = report.parameters;
    e.row.onnxBytes = report.bytes;
  }
  const int8File = join(onnxDir, 'student-int8', 'model.onnx');
  const int8 = await exportModel(
    { modelDir: distilled.finalModel ?? '', out: int8File, opset: 17, precision: 'int8', withHidden: false },
    log,
  );
  const onnxEval = await evaluate(join(onnxDir, 'student', 'model.onnx'));
  const int8Row: Row = {
    model: 'student, ONNX int8',
    path: int8File,
    eval: await evaluate(int8File),
    parameters: int8.parameters,
    onnxBytes: int8.bytes,
  };
  rows.push(int8Row);
  const settings = { batches: [1, 8], sequences: [32], threads: 1, ep: 'cpu' as const, warmup: 5, runs: 30 };
  for (const [row, file] of [
    [rows[0], exports[0]?.file],
    [rows[1], exports[1]?.file],
    [int8Row, int8File],
  ] as const) {
    if (row !== undefined && file !== undefined) row.bench = await benchModel(file, settings);
  }
  const summary = {
    lang,
    seed: seed ?? 42,
    folder: out,
    minutes: (Date.now() - started) / 60000,
    onnxMatchesTfjs: onnxEval.accuracy === rows[1]?.eval.accuracy,
    rows: rows.map((r) => ({
      model: r.model,
      path: r.path,
      accuracy: r.eval.accuracy,
      macroF1: r.eval.macroF1,
      parameters: r.parameters,
      onnxBytes: r.onnxBytes,
      p50Ms: r.bench?.points.map((p) => ({ batch: p.batch, sequence: p.sequence, p50Ms: p.p50Ms })),
    })),
  };
  await writeFile(join(out, 'demo-report.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ type: 'demo-report', payload: summary })}\n`);
    return 0;
  }
  const teacher = rows[0];
  const student = rows[1];
  const base = rows[2];
  process.stdout.write(`\n${table(rows)}\n\n`);
  if (teacher && student && base) {
    const gain = 100 * (student.eval.accuracy - base.eval.accuracy);
    const speed = (teacher.bench?.points[0]?.p50Ms ?? NaN) / (student.bench?.points[0]?.p50Ms ?? NaN);
    process.stdout.write(
      `Distillation vs no teacher: ${gain >= 0 ? '+' : ''}${gain.toFixed(2)} accuracy points on ${student.eval.n} eval reviews (same student, same labelled epochs; \`npm run baselines\` also trains it with LayerNorm and for 3x the epochs).\n`,
    );
    process.stdout.write(
      `Student vs teacher: ${((student.parameters ?? 0) / (teacher.parameters ?? 1)).toFixed(2)}x the parameters, ${speed.toFixed(2)}x faster at batch 1 (ONNX, 1 thread).\n`,
    );
    process.stdout.write(
      `ONNX export agrees with TensorFlow.js: ${summary.onnxMatchesTfjs ? 'yes' : 'NO'} (accuracy ${(100 * onnxEval.accuracy).toFixed(2)}%).\n`,
    );
  }
  process.stdout.write(
    `Done in ${summary.minutes.toFixed(1)} min. Runs, models and demo-report.json are in ${out}\n`,
  );
  return 0;
}

export function registerDemoCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('demo')
    .description('teacher -> distilled student vs baseline -> verified ONNX, on the bundled review data')
    .option('--out <dir>', 'folder for the demo data, runs and report', 'demo-output')
    .option('--lang <en|ko>', 'English or Korean reviews', 'en')
    .option('--json', 'stream events and the final report as JSON lines')
    .option('--seed <n>', "seed for data order, initialisation and dropout (default: the config's, 42)")
    .option('--steps <n>', 'cap every stage at n steps (a quick look, not a meaningful comparison)')
    .action(async (options: DemoOptions) => setExitCode(await runDemo(options)));
}
