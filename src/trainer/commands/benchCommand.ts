// `distill-studio bench --model <a.onnx|dir> [--model <b.onnx> ...]`: latency percentiles, throughput, size,
// parameters and peak memory on onnxruntime-node (.onnx files) or TensorFlow.js (checkpoint folders), speed-up
// relative to the first model; each model's results are saved beside it as <name>.bench.json.
// Exit 0 done, 2 unusable input.
import { availableParallelism, cpus, platform, arch } from 'node:os';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import * as ort from 'onnxruntime-node';
import { EXIT_OK, UserError } from '../cliErrors';
import {
  addSpeedups,
  benchModel,
  type BenchSettings,
  type ExecutionProvider,
  type ModelBench,
} from '../onnx/bench';
import { BENCH_SCHEMA } from '../onnx/benchSchema';
import { providerStatus, type ProviderStatus } from '../onnx/executionProviders';
import { writeFileAtomic } from '../util/atomicWrite';
import { parseInteger, processIo, type CommandIo } from './exportCommand';
import { displayPath } from './formatDiagnostics';

export interface BenchOptions {
  model?: string[];
  batch: number[];
  seq: number[];
  threads?: number;
  ep: ExecutionProvider;
  /** TensorFlow.js backend for checkpoint folders. */
  backend?: string;
  warmup: number;
  runs: number;
  json?: boolean;
}

export interface BenchReport {
  schema: typeof BENCH_SCHEMA;
  createdAt: string;
  host: {
    cpu: string;
    cpus: number;
    platform: string;
    arch: string;
    node: string;
    onnxruntime: string;
    executionProviders: ProviderStatus[];
  };
  settings: BenchSettings;
  /** The model speed-ups are relative to. */
  baseline: string;
  models: ModelBench[];
}

function parseList(value: string): number[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => !/^\d+$/.test(s) || Number(s) < 1))
    throw new InvalidArgumentError('expected positive integers separated by commas, e.g. 1,8,32.');
  return [...new Set(items.map(Number))];
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const ms = (x: number): string => x.toFixed(x < 10 ? 2 : 1);
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function formatBenchReport(report: BenchReport): string {
  const lines: string[] = [];
  const s = report.settings;
  lines.push(
    `onnxruntime ${report.host.onnxruntime} on ${report.host.cpu} (${report.host.cpus} CPUs), ${s.threads === undefined ? 'default threads' : s.threads === 1 ? '1 thread' : `${s.threads} threads`}, ${s.warmup} warm-up + ${s.runs} timed runs per point`,
  );
  for (const m of report.models) {
    const speed =
      m.speedup !== undefined && m !== report.models[0]
        ? `, ${m.speedup.toFixed(2)}x vs ${report.models[0]?.name ?? ''}`
        : '';
    lines.push('');
    lines.push(
      `${displayPath(m.path)}: ${mib(m.fileBytes)}, ${m.parameters.toLocaleString('en-US')} parameters${m.precision !== undefined ? `, ${m.precision}` : ''}, ${m.runtime === 'tfjs' ? (m.backend ?? 'TensorFlow.js') : m.executionProvider.toUpperCase()}, peak RSS ${mib(m.peakRssBytes)}${speed}`,
    );
    if (m.fallback !== undefined) lines.push(`  note: ${m.fallback}`);
    lines.push('  batch  seq   p50 ms   p90 ms   p99 ms   samples/s    tokens/s  speed-up');
    for (const p of m.points) {
      lines.push(
        `  ${String(p.batch).padStart(5)} ${String(p.sequence).padStart(4)} ${ms(p.p50Ms).padStart(8)} ${ms(p.p90Ms).padStart(8)} ${ms(p.p99Ms).padStart(8)} ${p.samplesPerSecond.toFixed(1).padStart(11)} ${p.tokensPerSecond.toFixed(0).padStart(11)} ${p.speedup !== undefined ? `${p.speedup.toFixed(2)}x` : '-'}`,
      );
    }
    for (const k of m.skipped) lines.push(`  skipped batch ${k.batch} x ${k.sequence}: ${k.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

interface ModelPath {
  path: string;
  kind: 'onnx' | 'checkpoint';
}

async function checkModel(path: string): Promise<ModelPath> {
  const file = resolve(path);
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) throw new UserError(`Model "${path}" does not exist.`);
  if (info.isDirectory()) {
    if (!(await stat(join(file, 'config.json')).catch(() => undefined)))
      throw new UserError(
        `Model "${path}" is a folder without config.json: give a checkpoint folder (config.json + model.safetensors) or a .onnx file.`,
      );
    return { path: file, kind: 'checkpoint' };
  }
  if (extname(file).toLowerCase() !== '.onnx')
    throw new UserError(`Model "${path}" is neither a .onnx file nor a checkpoint folder.`);
  return { path: file, kind: 'onnx' };
}

/**
 * `<dir>/<name>.bench.json` beside `<dir>/<name>.onnx`, and `<parent>/<folder>.tfjs.bench.json` beside a checkpoint
 * folder: never inside it (it holds what save_pretrained wrote), and not clashing with `<folder>.onnx` exported beside.
 */
export function benchFileFor(model: string, kind: ModelPath['kind'] = 'onnx'): string {
  if (kind === 'checkpoint') return join(dirname(model), `${basename(model)}.tfjs.bench.json`);
  return join(dirname(model), `${basename(model, extname(model))}.bench.json`);
}

const kindOf = (m: ModelBench): ModelPath['kind'] => (m.runtime === 'tfjs' ? 'checkpoint' : 'onnx');

export async function runBench(options: BenchOptions, io: CommandIo = processIo): Promise<number> {
  const paths = options.model ?? [];
  if (paths.length === 0) throw new UserError('Give at least one --model <file.onnx|checkpoint folder>.');
  const files: ModelPath[] = [];
  for (const path of paths) files.push(await checkModel(path));
  // A missing GPU provider makes onnxruntime print native errors; our fallback note explains it instead.
  if (options.ep !== 'cpu') ort.env.logLevel = 'fatal';
  const settings: BenchSettings = {
    batches: options.batch,
    sequences: options.seq,
    threads: options.threads,
    ep: options.ep,
    warmup: options.warmup,
    runs: options.runs,
  };
  const progress = options.json === true ? () => undefined : (line: string) => io.err(`${line}\n`);
  const models: ModelBench[] = [];
  for (const file of files) {
    if (file.kind === 'onnx') models.push(await benchModel(file.path, settings, progress));
    else {
      // Loaded lazily: TensorFlow.js starts its backend (and prints its banner) only when a folder is measured.
      const { benchTfjsModel } = await import('../onnx/benchTfjs');
      models.push(await benchTfjsModel(file.path, settings, options.backend, progress));
    }
  }
  addSpeedups(models);
  const report: BenchReport = {
    schema: BENCH_SCHEMA,
    createdAt: new Date().toISOString(),
    host: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
      cpus: availableParallelism(),
      platform: platform(),
      arch: arch(),
      node: process.version,
      onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
      executionProviders: providerStatus(),
    },
    settings,
    baseline: files[0]?.path ?? '',
    models,
  };
  for (const model of models)
    await writeFileAtomic(
      benchFileFor(model.path, kindOf(model)),
      `${JSON.stringify({ ...report, models: [model] }, null, 2)}\n`,
    );
  if (options.json === true) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    io.out(formatBenchReport(report));
    io.out(`\nSaved ${models.map((m) => displayPath(benchFileFor(m.path, kindOf(m)))).join(', ')}\n`);
  }
  return EXIT_OK;
}

export function registerBenchCommand(
  program: Command,
  setExitCode: (code: number) => void,
  io: CommandIo = processIo,
): void {
  program
    .command('bench')
    .description(
      'measure ONNX models (onnxruntime) and checkpoints (TensorFlow.js): latency percentiles, throughput, size, memory, speed-up',
    )
    .option(
      '--model <file.onnx|dir>',
      'an ONNX file or checkpoint folder to measure (repeat to compare; speed-ups are relative to the first)',
      collect,
    )
    .addOption(new Option('--batch <list>', 'batch sizes').argParser(parseList).default([1, 8, 32], '1,8,32'))
    .addOption(
      new Option('--seq <list>', 'sequence lengths').argParser(parseList).default([32, 128], '32,128'),
    )
    .option(
      '--threads <n>',
      'onnxruntime intra-op threads (default: one per physical core)',
      parseInteger(1, 1024),
    )
    .addOption(
      new Option('--ep <provider>', 'execution provider; CUDA/TensorRT fall back to the CPU when missing')
        .choices(['cpu', 'cuda', 'tensorrt'])
        .default('cpu'),
    )
    .option('--backend <name>', 'TensorFlow.js backend for checkpoint folders', 'auto')
    .option('--warmup <n>', 'untimed runs per point', parseInteger(0, 10_000), 3)
    .option('--runs <n>', 'timed runs per point', parseInteger(1, 100_000), 20)
    .option('--json', 'print the report as one JSON object')
    .addHelpText(
      'after',
      '\nResults are also saved beside each model as <name>.bench.json (a checkpoint folder: <folder>.tfjs.bench.json beside it). See docs/onnx.md.',
    )
    .action(async (options: BenchOptions) => setExitCode(await runBench(options, io)));
}
