// Everything a run needs before its first step: the validated config, the run folder, data, tokenizer, teacher,
// student and projections. Shared by a fresh `train` and by `resume`, which rebuilds the same objects from the
// run folder's own copies so that it continues exactly where the run stopped.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DistillConfig } from '../../protocol/config';
import { MODEL_PRESETS } from '../../protocol/modelPresets';
import { validateConfigText } from '../../config/validateConfig';
import { resolveFrom } from '../../config/paths';
import { UserError } from '../cliErrors';
import { formatDiagnostic } from '../commands/formatDiagnostics';
import { loadModel } from '../checkpoint/modelCheckpoint';
import { createModel, type TransformerModel } from '../models/createModel';
import { completeConfig } from '../models/modelConfig';
import { Params, SeedStream } from '../models/nn';
import type { BertTokenizer } from '../tokenizer/bertTokenizer';
import { saveBertTokenizer } from '../tokenizer/saveTokenizer';
import { loadBertTokenizer } from '../tokenizer/tokenizerFiles';
import { trainWordPiece } from '../tokenizer/trainWordPiece';
import { writeFileAtomic } from '../util/atomicWrite';
import { encodeExamples, loadLabelled, loadUnlabelled, type EncodedExample, type Example } from './dataset';
import { pathExists } from '../util/pathExists';

export interface RunSetup {
  config: DistillConfig;
  /** Folder that relative paths in the config are resolved from. */
  baseDir: string;
  runDir: string;
  labels: string[];
  tokenizer: BertTokenizer;
  train: EncodedExample[];
  evalSet: EncodedExample[];
  evalTexts: string[];
  unlabelled: EncodedExample[];
  teacher: TransformerModel;
  student: TransformerModel;
  /** Learned width projections for hidden/embedding losses, trained with the student, not saved into it. */
  projections: Params;
  skippedRows: number;
}

/** What `run.json` records so `resume` can rebuild the run without the original config file. */
interface RunManifest {
  configFile: string;
  baseDir: string;
  createdAt: string;
}

async function validated(file: string): Promise<DistillConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read config "${file}".`);
  }
  const result = await validateConfigText(file, text);
  if (result.kind === 'syntax-error' || !result.valid || result.config === undefined) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d));
    throw new UserError(
      `The config has ${errors.length} error(s); fix them and run again:\n${errors.join('\n')}`,
      1,
    );
  }
  return result.config;
}

/** Picks the run folder per `output.ifExists`. */
async function chooseRunDir(
  config: DistillConfig,
  baseDir: string,
): Promise<{ dir: string; resume: boolean }> {
  const root = resolveFrom(baseDir, config.output?.dir ?? 'runs');
  const dir = join(root, config.name);
  if (!(await pathExists(join(dir, 'events.jsonl')))) return { dir, resume: false };
  const policy = config.output?.ifExists ?? 'error';
  if (policy === 'resume') return { dir, resume: true };
  if (policy === 'new') {
    for (let i = 2; ; i++) {
      const candidate = `${dir}-${i}`;
      if (!(await pathExists(join(candidate, 'events.jsonl')))) return { dir: candidate, resume: false };
    }
  }
  throw new UserError(
    `Run folder ${dir} already holds a run. Continue it with \`distill-studio resume ${dir}\`, or set "output.ifExists" to "new" (a numbered folder) or "resume".`,
  );
}

function modelSpecConfig(spec: DistillConfig['teacher']): ReturnType<typeof completeConfig> {
  const base = spec.preset !== undefined ? MODEL_PRESETS[spec.preset] : {};
  return completeConfig({ ...base, ...spec.config });
}

async function buildModel(
  role: 'teacher' | 'student',
  config: DistillConfig,
  baseDir: string,
  labels: string[],
  seed: number,
  log: (line: string) => void,
): Promise<TransformerModel> {
  const spec = config[role];
  if (spec.checkpoint !== undefined) {
    const { model, report } = await loadModel(resolveFrom(baseDir, spec.checkpoint), {
      head: 'sequence-classification',
      labels,
      seed,
    });
    if (report.initialised.length > 0)
      log(
        `${role}: initialised ${report.initialised.length} parameter(s) the checkpoint lacks: ${report.initialised.join(', ')}`,
      );
    if (report.unused.length > 0)
      log(`${role}: ignored ${report.unused.length} checkpoint tensor(s): ${report.unused.join(', ')}`);
    return model;
  }
  const hf = { ...modelSpecConfig(spec), id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])) };
  return createModel(hf, 'sequence-classification', seed);
}

async function buildTokenizer(
  config: DistillConfig,
  baseDir: string,
  trainTexts: readonly Example[],
  unlabelled: readonly Example[],
): Promise<BertTokenizer> {
  const overrides = {
    ...(config.tokenizer?.lowercase !== undefined ? { lowercase: config.tokenizer.lowercase } : {}),
    ...(config.tokenizer?.stripAccents !== undefined ? { stripAccents: config.tokenizer.stripAccents } : {}),
  };
  if (config.tokenizer?.path !== undefined)
    return loadBertTokenizer(resolveFrom(baseDir, config.tokenizer.path), overrides);
  if (config.teacher.checkpoint !== undefined)
    return loadBertTokenizer(resolveFrom(baseDir, config.teacher.checkpoint), overrides);
  const corpus: string[] = [];
  for (const e of [...trainTexts, ...unlabelled])
    corpus.push(e.pair === undefined ? e.text : `${e.text} ${e.pair}`);
  for (const file of config.tokenizer?.train?.corpus ?? []) {
    corpus.push(...(await readFile(resolveFrom(baseDir, file), 'utf8')).split(/\r?\n/));
  }
  return trainWordPiece(corpus, {
    vocabSize: config.tokenizer?.train?.vocabSize ?? 8000,
    minFrequency: config.tokenizer?.train?.minFrequency ?? 2,
    lowercase: config.tokenizer?.lowercase ?? true,
    modelMaxLength: config.data.maxLength ?? 128,
  });
}

/**
 * Prepares a run. A fresh run validates `configFile`, creates the run folder and copies the config, trained
 * tokenizer and manifest into it; `resumeDir` reuses exactly those copies.
 */
export async function setUpRun(
  request: { configFile?: string; resumeDir?: string },
  log: (line: string) => void,
): Promise<RunSetup & { resumed: boolean }> {
  let config: DistillConfig;
  let baseDir: string;
  let runDir: string;
  let resumed: boolean;
  if (request.resumeDir !== undefined) {
    runDir = resolve(request.resumeDir);
    const manifestFile = join(runDir, 'run.json');
    if (!(await pathExists(manifestFile)))
      throw new UserError(
        `${runDir} is not a run folder (no run.json). Give the folder \`distill-studio train\` created under runs/.`,
      );
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as RunManifest;
    baseDir = manifest.baseDir;
    config = await validated(join(runDir, 'config.distill.json')).catch(async (error: unknown) => {
      // The copy's relative paths point at the original folder; validate the original config instead.
      if (await pathExists(manifest.configFile)) return validated(manifest.configFile);
      throw error;
    });
    resumed = true;
  } else {
    const file = resolve(request.configFile ?? '');
    config = await validated(file);
    baseDir = dirname(file);
    const chosen = await chooseRunDir(config, baseDir);
    runDir = chosen.dir;
    resumed = chosen.resume;
    await mkdir(runDir, { recursive: true });
    if (!resumed) {
      await copyFile(file, join(runDir, 'config.distill.json'));
      const manifest: RunManifest = { configFile: file, baseDir, createdAt: new Date().toISOString() };
      await writeFileAtomic(join(runDir, 'run.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    }
  }
  const seed = config.seed ?? 42;
  const data = config.data;
  const train = await loadLabelled(resolveFrom(baseDir, data.train), data, data.labels, 'train');
  const labels = train.labelNames;
  const evalData =
    data.eval !== undefined
      ? await loadLabelled(resolveFrom(baseDir, data.eval), data, labels, 'eval')
      : undefined;
  const unlabelled = await loadUnlabelled(data.unlabelled ?? [], baseDir, data.badRows ?? 'abort');
  const tokenizerDir = join(runDir, 'tokenizer');
  let tokenizer: BertTokenizer;
  if (await pathExists(join(tokenizerDir, 'vocab.txt'))) {
    tokenizer = await loadBertTokenizer(tokenizerDir);
  } else {
    tokenizer = await buildTokenizer(config, baseDir, train.examples, unlabelled.examples);
    await saveBertTokenizer(tokenizer, tokenizerDir);
    log(`tokenizer: ${tokenizer.vocabSize} tokens, saved to ${tokenizerDir}`);
  }
  const maxLength = data.maxLength ?? 128;
  const teacher = await buildModel('teacher', config, baseDir, labels, seed, log);
  const student = await buildModel('student', config, baseDir, labels, seed + 1, log);
  const projections = new Params(new SeedStream(seed + 2));
  const losses = config.losses;
  const width = (m: TransformerModel): number => m.config.hidden_size;
  if (width(teacher) !== width(student)) {
    const std = 1 / Math.sqrt(width(student));
    const layers = student.config.num_hidden_layers;
    if (
      losses?.hidden?.projection === true ||
      (Array.isArray(config.stages) && config.stages.some((s) => s.losses?.hidden?.projection === true))
    ) {
      for (let l = 1; l <= layers; l++)
        projections.create(`hidden.${l}`, [width(teacher), width(student)], 'normal', std);
    }
    if (
      losses?.embedding?.projection === true ||
      (Array.isArray(config.stages) && config.stages.some((s) => s.losses?.embedding?.projection === true))
    ) {
      projections.create('embedding', [width(teacher), width(student)], 'normal', std);
    }
  }
  const skippedRows = train.skipped.length + (evalData?.skipped.length ?? 0) + unlabelled.skipped.length;
  if (skippedRows > 0)
    log(
      `skipped ${skippedRows} unusable row(s) (data.badRows is "skip"), first: ${[
        ...train.skipped,
        ...(evalData?.skipped ?? []),
      ]
        .slice(0, 3)
        .map((s) => `${basename(s.file)}:${s.line}`)
        .join(', ')}`,
    );
  return {
    config,
    baseDir,
    runDir,
    labels,
    tokenizer,
    train: encodeExamples(tokenizer, train.examples, maxLength),
    evalSet: evalData ? encodeExamples(tokenizer, evalData.examples, maxLength) : [],
    evalTexts: evalData?.examples.map((e) => e.text) ?? [],
    unlabelled: encodeExamples(tokenizer, unlabelled.examples, maxLength),
    teacher,
    student,
    projections,
    skippedRows,
    resumed,
  };
}

/** Loads float32 tensors by name into matching variables (teacher, student or projections). */
export function assignAll(target: Params, tensors: ReadonlyMap<string, Float32Array>): void {
  for (const [name, variable] of target.entries()) {
    const data = tensors.get(name);
    if (data === undefined)
      throw new UserError(`Checkpoint lacks "${name}"; it does not belong to this run.`);
    variable.assign(tf.tensor(data, variable.shape, 'float32'));
  }
}
