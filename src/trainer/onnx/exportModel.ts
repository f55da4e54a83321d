// One export, start to finish: load the checkpoint, build the ONNX bytes (weights inline, or in an external data file
// for models near the 2 GiB protobuf limit), verify them with onnxruntime against the TensorFlow.js model, and only
// then write the file(s) (atomically) with the tokenizer files and config.json beside them.
// A quantized export is also compared with the float32 export of the same model: size, speed and agreement.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../cliErrors';
import { loadModel, type LoadedModel } from '../checkpoint/modelCheckpoint';
import { architectureName } from '../models/createModel';
import { labelNames } from '../models/modelConfig';
import { SeedStream } from '../models/nn';
import { writeFileAtomic } from '../util/atomicWrite';
import { feedsFor, measurePoint } from './bench';
import {
  checkAccuracyData,
  dataCollapseWarning,
  exportAccuracy,
  type AccuracyData,
  type AccuracyReport,
} from './exportAccuracy';
import {
  artifactBytes,
  createSession,
  dataLocationFor,
  writeArtifact,
  type OnnxArtifact,
} from './externalData';
import { exportOnnxArtifact, irVersionFor } from './exportGraph';
import type { Precision } from './layers';
import { compareWithReference, computeReference, DEFAULT_TOLERANCE, type VerifyReport } from './verify';

/** Files a runtime needs beside the model to tokenize text and name labels. */
export const COMPANION_FILES = [
  'config.json',
  'vocab.txt',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
] as const;

export interface ExportRequest {
  modelDir: string;
  out: string;
  opset: number;
  precision: Precision;
  withHidden: boolean;
  maxLength?: number;
  tolerance?: number;
  /** Labelled data to evaluate the written export (and its baseline) on after verification. */
  evaluate?: AccuracyData;
  /**
   * Weights in an external data file beside the model (`<name>.onnx.data`): `auto` (default) above
   * `externalDataThreshold` bytes of weights (just under the 2 GiB protobuf limit), `always`, or `never`.
   */
  externalData?: 'auto' | 'always' | 'never';
  /** Weight bytes above which `auto` writes external data (tests force it low). */
  externalDataThreshold?: number;
}

export interface QuantizationReport {
  /** The float32 export of the same model, built in memory for comparison (never written). */
  baseline: { bytes: number; p50Ms: number; maxAbsDiff: number; agreementRate: number | undefined };
  /** quantized bytes / float32 bytes */
  sizeRatio: number;
  /** float32 p50 / quantized p50, onnxruntime CPU, batch x sequence below */
  speedup: number;
  p50Ms: number;
  timedAt: { batch: number; sequence: number; threads: number };
  /** Change in prediction agreement with TensorFlow.js, quantized minus float32 (negative = worse). */
  agreementChange: number | undefined;
}

export interface ExportReport {
  file: string;
  /** False when verification failed: nothing was written. */
  written: boolean;
  /** Bytes on disk: the .onnx plus its external data file. */
  bytes: number;
  /** The weights' data file beside the model, when they are stored as ONNX external data. */
  externalData?: { file: string; bytes: number; tensors: number };
  opset: number;
  irVersion: number;
  precision: Precision;
  modelType: string;
  architecture: string;
  parameters: number;
  maxLength: number;
  outputs: string[];
  /** Companion files now beside the model (copied, or already there). */
  copied: string[];
  verification: VerifyReport;
  quantization?: QuantizationReport;
  /** Accuracy on the --data file, when given and the export was written. */
  accuracy?: AccuracyReport;
  warnings: string[];
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Tokenizer settings for the metadata: do_lower_case from tokenizer_config.json, else tokenizer.json's normalizer. */
async function tokenizerMetadata(dir: string): Promise<Record<string, string>> {
  const config = await readJson(join(dir, 'tokenizer_config.json'));
  const json = await readJson(join(dir, 'tokenizer.json'));
  const normalizer = json?.['normalizer'] as Record<string, unknown> | null | undefined;
  const lower = config?.['do_lower_case'] ?? normalizer?.['lowercase'];
  const metadata: Record<string, string> = {
    do_lower_case: String(typeof lower === 'boolean' ? lower : true),
  };
  for (const key of ['tokenizer_class', 'model_max_length'] as const) {
    const value = config?.[key];
    if (typeof value === 'string' || typeof value === 'number') metadata[key] = String(value);
  }
  return metadata;
}

/** The loud warning for a model whose predictions collapsed to one class, with the class counts. */
export function collapseWarning(precision: Precision, verification: VerifyReport): string | undefined {
  if (!verification.collapsed || verification.classCounts === undefined) return undefined;
  const counts = (c: number[]): string => c.map((n, i) => `${i}:${n}`).join(' ');
  const agreement = ((verification.agreement?.rate ?? 0) * 100).toFixed(1);
  return `PREDICTIONS COLLAPSED: the ${precision} model predicts one class for every input (class counts ${counts(verification.classCounts.onnx)}) where the original predicts several (${counts(verification.classCounts.reference)}); agreement ${agreement}%. Do not ship it: export fp32 or fp16 instead.`;
}

async function timeArtifact(
  artifact: OnnxArtifact,
  batch: number,
  sequence: number,
  vocabSize: number,
  threads: number,
): Promise<number> {
  const { session, release } = await createSession(artifact, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  try {
    const feeds = feedsFor(session, batch, sequence, vocabSize, new SeedStream(3));
    return (await measurePoint(session, feeds, { batch, sequence }, { warmup: 2, runs: 5 })).p50Ms;
  } finally {
    await release();
  }
}

export async function exportModel(
  request: ExportRequest,
  log: (line: string) => void = () => undefined,
): Promise<ExportReport> {
  const loaded = await loadModel(request.modelDir);
  try {
    return await exportLoaded(loaded, request, log);
  } finally {
    loaded.model.params.dispose();
  }
}

async function exportLoaded(
  { model, config, report: load }: LoadedModel,
  request: ExportRequest,
  log: (line: string) => void,
): Promise<ExportReport> {
  const warnings: string[] = [];
  // Checked before any work, so a wrong --data never leaves a half-reported export behind.
  if (request.evaluate !== undefined && model.head !== 'sequence-classification')
    throw new UserError(
      `--data needs a classifier; ${request.modelDir} is a ${model.head} model, so there are no labels to score.`,
    );
  if (request.evaluate !== undefined) await checkAccuracyData(request.evaluate, labelNames(config));
  if (load.initialised.length > 0)
    warnings.push(
      `the checkpoint lacks ${load.initialised.length} parameters (${load.initialised.slice(0, 3).join(', ')}${load.initialised.length > 3 ? ', ...' : ''}); they were initialised randomly`,
    );
  const maxLength = request.maxLength ?? config.max_position_embeddings;
  if (maxLength > config.max_position_embeddings)
    throw new UserError(
      `--max-length ${maxLength} is longer than the model's ${config.max_position_embeddings} position embeddings (max_position_embeddings in config.json).`,
    );
  const options = {
    opset: request.opset,
    precision: request.precision,
    withHidden: request.withHidden,
    maxLength,
    metadata: await tokenizerMetadata(request.modelDir),
  };
  const file = resolve(request.out);
  const externalData = {
    mode: request.externalData ?? 'auto',
    location: dataLocationFor(file),
    ...(request.externalDataThreshold !== undefined ? { threshold: request.externalDataThreshold } : {}),
  };
  log(`building the ONNX graph (opset ${request.opset}, ${request.precision})...`);
  const artifact = exportOnnxArtifact(model, { ...options, externalData });
  if (artifact.external !== undefined)
    log(
      `weights go to ${artifact.external.location} beside the model (ONNX external data, ${artifact.external.tensors} tensors)`,
    );
  const bytes = artifactBytes(artifact);
  log('verifying against TensorFlow.js...');
  const reference = computeReference(model, maxLength, request.withHidden);
  const verification = await compareWithReference(artifact, reference, {
    tolerance: request.tolerance ?? DEFAULT_TOLERANCE[request.precision],
    gateHidden: request.precision === 'fp32',
  });

  let quantization: QuantizationReport | undefined;
  let baselineArtifact: OnnxArtifact | undefined;
  if (request.precision !== 'fp32') {
    log('comparing with the float32 export...');
    // The float32 model of a quantized export may itself be over 2 GiB: the same external data rule applies.
    baselineArtifact = exportOnnxArtifact(model, {
      ...options,
      precision: 'fp32',
      externalData: { ...externalData, location: 'model.onnx.data' },
    });
    const baseline = await compareWithReference(baselineArtifact, reference, {
      tolerance: undefined,
      gateHidden: false,
    });
    const timedAt = { batch: 8, sequence: Math.min(64, maxLength), threads: 1 };
    const time = (a: OnnxArtifact): Promise<number> =>
      timeArtifact(a, timedAt.batch, timedAt.sequence, config.vocab_size, timedAt.threads);
    // Alternating A B A B and keeping each one's faster p50 cancels most of the warm-up and load noise.
    let baselineP50 = await time(baselineArtifact);
    let p50Ms = await time(artifact);
    baselineP50 = Math.min(baselineP50, await time(baselineArtifact));
    p50Ms = Math.min(p50Ms, await time(artifact));
    const rate = verification.agreement?.rate;
    const baseRate = baseline.agreement?.rate;
    quantization = {
      baseline: {
        bytes: artifactBytes(baselineArtifact),
        p50Ms: baselineP50,
        maxAbsDiff: baseline.maxAbsDiff,
        agreementRate: baseRate,
      },
      sizeRatio: bytes / artifactBytes(baselineArtifact),
      speedup: baselineP50 / p50Ms,
      p50Ms,
      timedAt,
      agreementChange: rate !== undefined && baseRate !== undefined ? rate - baseRate : undefined,
    };
  }
  const collapse = collapseWarning(request.precision, verification);
  if (collapse !== undefined) warnings.push(collapse);

  const copied: string[] = [];
  if (verification.passed) {
    await writeArtifact(file, artifact);
    const from = resolve(request.modelDir);
    const to = dirname(file);
    for (const name of COMPANION_FILES) {
      const content = await readFile(join(from, name)).catch(() => undefined);
      if (content === undefined) continue;
      // Exporting into the checkpoint folder itself: the files are already beside the model.
      if (from !== to) await writeFileAtomic(join(to, name), content);
      copied.push(name);
    }
    if (!copied.some((n) => n === 'vocab.txt' || n === 'tokenizer.json'))
      warnings.push(
        `${request.modelDir} has no vocab.txt or tokenizer.json: put the tokenizer beside ${basename(file)} before running it on text`,
      );
  }
  let accuracy: AccuracyReport | undefined;
  if (verification.passed && request.evaluate !== undefined) {
    accuracy = await exportAccuracy(
      file,
      request.precision,
      request.modelDir,
      baselineArtifact,
      copied,
      request.evaluate,
      log,
    );
    const collapsed = dataCollapseWarning(request.precision, accuracy);
    if (collapsed !== undefined) warnings.push(collapsed);
  }
  return {
    file,
    written: verification.passed,
    bytes,
    ...(artifact.external !== undefined
      ? {
          externalData: {
            file: join(dirname(file), artifact.external.location),
            bytes: artifact.external.bytes,
            tensors: artifact.external.tensors,
          },
        }
      : {}),
    opset: request.opset,
    irVersion: irVersionFor(request.opset),
    precision: request.precision,
    modelType: config.model_type,
    architecture: architectureName(config, model.head),
    parameters: model.params.count(),
    maxLength,
    outputs: [
      reference.outputName,
      ...(request.withHidden
        ? [`hidden_states.0..${config.num_hidden_layers}`, `attentions.0..${config.num_hidden_layers - 1}`]
        : []),
    ],
    copied,
    verification,
    ...(quantization !== undefined ? { quantization } : {}),
    ...(accuracy !== undefined ? { accuracy } : {}),
    warnings,
  };
}
