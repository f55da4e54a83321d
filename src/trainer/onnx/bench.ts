// Latency and throughput of ONNX models on onnxruntime-node: for each batch size x sequence length, warm-up runs,
// then timed runs giving p50/p90/p99, samples/s and tokens/s; file size (external data included), parameter count
// and peak RSS per model; speed-up relative to the first model. A missing CUDA or TensorRT provider falls back to
// the CPU, and says so.
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import * as ort from 'onnxruntime-node';
import { UserError } from '../cliErrors';
import { readOnnxInfo } from '../inference/onnxInfo';
import { SeedStream } from '../models/nn';
import { openProviderSession, type ExecutionProvider } from './executionProviders';
import { externalDataFiles } from './externalData';
import { DataType } from './onnxProto';
import { PeakRss, type PeakRssMethod } from './peakRss';
import { makeBatch } from './verifyInputs';

export type { ExecutionProvider } from './executionProviders';

export interface BenchSettings {
  batches: number[];
  sequences: number[];
  /** onnxruntime intra-op threads; undefined lets onnxruntime choose (one per physical core). */
  threads: number | undefined;
  ep: ExecutionProvider;
  warmup: number;
  runs: number;
}

export interface BenchPoint {
  batch: number;
  sequence: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  /** batch / mean latency */
  samplesPerSecond: number;
  tokensPerSecond: number;
  /** p50 of the first model / p50 of this one, at the same batch and length. */
  speedup?: number;
}

export interface ModelBench {
  path: string;
  name: string;
  /** onnxruntime-node for .onnx files, TensorFlow.js for checkpoint folders. */
  runtime: 'onnxruntime' | 'tfjs';
  /** The TensorFlow.js backend that ran a checkpoint folder, in words. */
  backend?: string;
  /** .onnx file size with its external data files, or the checkpoint's model*.safetensors. */
  fileBytes: number;
  /** The ONNX external data files the model loads its weights from (counted in fileBytes). */
  externalDataFiles?: string[];
  parameters: number;
  /** metadata `precision` of Distill Studio exports (fp32, fp16, int8); undefined for other files. */
  precision: string | undefined;
  executionProvider: ExecutionProvider;
  /** Why the requested provider was not used. */
  fallback?: string;
  /** Largest resident set size of the process while this model was loaded and running. */
  peakRssBytes: number;
  /** How the peak was measured: the kernel's high-water mark reset per model (Linux), or sampled after each run. */
  peakRssMethod?: PeakRssMethod;
  points: BenchPoint[];
  skipped: { batch: number; sequence: number; reason: string }[];
  /** Geometric mean of the per-point speed-ups. */
  speedup?: number;
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? NaN;
}

interface FileFacts {
  parameters: number;
  precision: string | undefined;
  maxLength: number | undefined;
  vocabSize: number | undefined;
  /** External data files beside the model, with their sizes. */
  externalData: { file: string; bytes: number }[];
}

/**
 * Parameter count (metadata `parameter_count`, else the weights' element count), precision, max length and vocabulary
 * size (metadata, else config.json beside the file), and the external data files; the weights themselves are not read.
 */
export async function onnxFileFacts(file: string): Promise<FileFacts> {
  const info = await readOnnxInfo(file);
  const weightTypes = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.INT8, DataType.UINT8]);
  const counted = (info.skeleton.graph.initializer ?? [])
    .filter((t) => weightTypes.has(t.data_type) && (t.dims ?? []).length >= 1)
    .reduce((sum, t) => sum + (t.dims ?? []).reduce((a, b) => a * Number(b), 1), 0);
  const externalData: FileFacts['externalData'] = [];
  for (const data of externalDataFiles(file, info.skeleton)) {
    const size = await stat(data).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined)
      throw new UserError(
        `${file} keeps its weights in ONNX external data, and ${data} is missing. Copy the .data file that came with the model beside it.`,
      );
    externalData.push({ file: data, bytes: size });
  }
  return {
    parameters: info.parameterCount ?? counted,
    precision: info.precision,
    maxLength: info.maxLength,
    vocabSize: info.vocabSize,
    externalData,
  };
}

/**
 * Opens a session on the requested provider, or on the CPU with the reason when that provider cannot load
 * (executionProviders.ts has the fallback chain).
 */
export async function openSession(
  file: string,
  ep: ExecutionProvider,
  threads: number | undefined,
): Promise<{ session: ort.InferenceSession; provider: ExecutionProvider; fallback?: string }> {
  return openProviderSession(file, ep, {
    graphOptimizationLevel: 'all',
    ...(threads !== undefined ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
  });
}

/** Inputs for every graph input of `session`: full-length rows of random ids below `vocabSize`, token type 0. */
export function feedsFor(
  session: ort.InferenceSession,
  batch: number,
  sequence: number,
  vocabSize: number,
  seeds: SeedStream,
): Record<string, ort.Tensor> {
  // Latency does not depend on the ids, and padding would not shorten the run.
  const b = makeBatch({ batch, length: sequence, padded: false, pairs: false }, vocabSize, 1, seeds);
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    const name = meta.name.toLowerCase();
    const data = /mask/.test(name)
      ? b.attentionMask
      : /type|segment/.test(name)
        ? b.tokenTypeIds
        : b.inputIds;
    const type = meta.isTensor ? meta.type : 'int64';
    feeds[meta.name] =
      type === 'int32'
        ? new ort.Tensor('int32', Int32Array.from(data), [batch, sequence])
        : new ort.Tensor(
            'int64',
            BigInt64Array.from(data, (v) => BigInt(v)),
            [batch, sequence],
          );
  }
  return feeds;
}

/** Warm-up runs, then `runs` timed runs of one batch x sequence point. `afterRun` samples memory. */
export async function measurePoint(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  shape: { batch: number; sequence: number },
  counts: { warmup: number; runs: number },
  afterRun: () => void = () => undefined,
): Promise<BenchPoint> {
  for (let i = 0; i < counts.warmup; i++) await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < Math.max(1, counts.runs); i++) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    afterRun();
  }
  return pointFromTimes(times, shape);
}

/** Percentiles, mean and throughput of one point's timed runs (milliseconds). */
export function pointFromTimes(
  times: readonly number[],
  shape: { batch: number; sequence: number },
): BenchPoint {
  const sorted = [...times].sort((a, b) => a - b);
  const meanMs = times.reduce((a, b) => a + b, 0) / times.length;
  return {
    ...shape,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    meanMs,
    samplesPerSecond: (shape.batch * 1000) / meanMs,
    tokensPerSecond: (shape.batch * shape.sequence * 1000) / meanMs,
  };
}

function staticSequence(session: ort.InferenceSession): number | undefined {
  const meta = session.inputMetadata[0];
  const dim = meta?.isTensor ? meta.shape[1] : undefined;
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

/** Benchmarks one .onnx file at every batch x sequence point the file accepts. */
export async function benchModel(
  file: string,
  settings: BenchSettings,
  log: (line: string) => void = () => undefined,
): Promise<ModelBench> {
  const facts = await onnxFileFacts(file);
  // The window opens before the session loads, so loading the weights counts towards the peak.
  const peak = new PeakRss();
  const { session, provider, fallback } = await openSession(file, settings.ep, settings.threads);
  const result: ModelBench = {
    path: file,
    name: basename(file, extname(file)),
    runtime: 'onnxruntime',
    fileBytes: (await stat(file)).size + facts.externalData.reduce((n, d) => n + d.bytes, 0),
    parameters: facts.parameters,
    precision: facts.precision,
    executionProvider: provider,
    peakRssBytes: peak.bytes,
    peakRssMethod: peak.method,
    points: [],
    skipped: [],
  };
  if (facts.externalData.length > 0) result.externalDataFiles = facts.externalData.map((d) => d.file);
  if (fallback !== undefined) result.fallback = fallback;
  const seeds = new SeedStream(7);
  const fixed = staticSequence(session);
  try {
    for (const batch of settings.batches) {
      for (const sequence of settings.sequences) {
        if (facts.maxLength !== undefined && sequence > facts.maxLength) {
          result.skipped.push({
            batch,
            sequence,
            reason: `longer than the model's max_length ${facts.maxLength}`,
          });
          continue;
        }
        if (fixed !== undefined && sequence !== fixed) {
          result.skipped.push({ batch, sequence, reason: `the file fixes the sequence length to ${fixed}` });
          continue;
        }
        const feeds = feedsFor(session, batch, sequence, facts.vocabSize ?? 100, seeds);
        const point = await measurePoint(session, feeds, { batch, sequence }, settings, () => peak.sample());
        result.points.push(point);
        log(`${result.name}: batch ${batch} x ${sequence}: p50 ${point.p50Ms.toFixed(2)} ms`);
      }
    }
  } finally {
    result.peakRssBytes = peak.bytes;
    await session.release();
  }
  return result;
}

/** Adds speed-ups relative to the first model (p50 at the same point, and their geometric mean). */
export function addSpeedups(models: ModelBench[]): void {
  const [first] = models;
  if (first === undefined) return;
  for (const model of models) {
    const ratios: number[] = [];
    for (const point of model.points) {
      const base = first.points.find((p) => p.batch === point.batch && p.sequence === point.sequence);
      if (base === undefined || point.p50Ms <= 0) continue;
      point.speedup = base.p50Ms / point.p50Ms;
      ratios.push(point.speedup);
    }
    if (ratios.length > 0)
      model.speedup = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
  }
}
