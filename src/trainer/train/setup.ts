// Everything a run needs before its first step: the validated config, the run folder, data, tokenizer, teacher,
// student and projections. Shared by a fresh `train` and by `resume`, which rebuilds the same objects from the
// run folder's own copies so that it continues exactly where the run stopped.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DistillConfig, TeacherSpec } from '../../protocol/config';
import { MLM_HEAD_FIX, mergeLosses } from '../../config/modelCheck';
import { expandStages } from '../../config/stagePresets';
import { MODEL_PRESETS } from '../../protocol/modelPresets';
import { validateConfigText } from '../../config/validateConfig';
import { resolveFrom } from '../../config/paths';
import { UserError } from '../cliErrors';
import { formatDiagnostic } from '../commands/formatDiagnostics';
import { loadModel, readModelConfig } from '../checkpoint/modelCheckpoint';
import { createModel, type TransformerModel } from '../models/createModel';
import { completeConfig, type HeadKind, type HfModelConfig } from '../models/modelConfig';
import { Params, SeedStream } from '../models/nn';
import type { BertTokenizer } from '../tokenizer/bertTokenizer';
import { saveBertTokenizer } from '../tokenizer/saveTokenizer';
import { loadBertTokenizer } from '../tokenizer/tokenizerFiles';
import { trainWordPiece } from '../tokenizer/trainWordPiece';
import { writeFileAtomic } from '../util/atomicWrite';
import { encodeExamples, loadLabelled, loadUnlabelled, type EncodedExample, type Example } from './dataset';
import { pathExists } from '../util/pathExists';
import { effectiveLosses, masksInputs } from './plan';

/** One teacher of the run: the task teacher, or the pre-trained teacher of pretrain-distill stages. */
export interface TeacherSetup {
  role: 'task' | 'pretrain';
  /** TensorFlow.js weights; absent for a teacher given only as an ONNX file. */
  model?: TransformerModel;
  config: HfModelConfig;
  runtime: 'tfjs' | 'onnx';
  /** The ONNX file the config names (absolute); with runtime onnx and none, the run exports the teacher. */
  onnxFile?: string;
  /** The folder its checkpoint (or ONNX file) and tokenizer files are in, when it came from files. */
  filesDir?: string;
}

export interface RunSetup {
  config: DistillConfig;
  /** The config file that was validated (positions in messages refer to it). */
  configFile: string;
  /** Folder that relative paths in the config are resolved from. */
  baseDir: string;
  runDir: string;
  labels: string[];
  tokenizer: BertTokenizer;
  train: EncodedExample[];
  evalSet: EncodedExample[];
  evalTexts: string[];
  unlabelled: EncodedExample[];
  teacher: TeacherSetup;
  /** The teacher of pretrain-distill stages when the config gives `pretrainTeacher`. */
  pretrainTeacher?: TeacherSetup;
  student: TransformerModel;
  /**
   * Learned width projections for hidden/embedding losses, trained with the student, not saved into it. Named
   * `hidden.<studentLayer>` / `embedding`; those for a pretrainTeacher of another width than the teacher carry a
   * `pretrain.` prefix.
   */
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
  role: 'teacher' | 'student' | 'pretrainTeacher',
  spec: DistillConfig['student'],
  baseDir: string,
  labels: string[],
  seed: number,
  log: (line: string) => void,
  head: HeadKind = 'sequence-classification',
  maskedLmHead = false,
): Promise<{ model: TransformerModel; initialised: string[] }> {
  if (spec.checkpoint !== undefined) {
    const { model, report } = await loadModel(resolveFrom(baseDir, spec.checkpoint), {
      head,
      ...(head === 'sequence-classification' ? { labels } : {}),
      seed,
      maskedLmHead,
    });
    if (report.initialised.length > 0)
      log(
        `${role}: initialised ${report.initialised.length} parameter(s) the checkpoint lacks: ${report.initialised.join(', ')}`,
      );
    if (report.unused.length > 0)
      log(`${role}: ignored ${report.unused.length} checkpoint tensor(s): ${report.unused.join(', ')}`);
    return { model, initialised: report.initialised };
  }
  const hf = { ...modelSpecConfig(spec), id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])) };
  const model = createModel(hf, head, seed, { maskedLmHead });
  return { model, initialised: model.params.names() };
}

/** The stages' needs that decide which heads the models get: does any stage mask (masked-LM distillation)? */
function masksAnywhere(config: DistillConfig): { task: boolean; pretrain: boolean } {
  let task = false;
  let pretrain = false;
  for (const stage of expandStages(config, 1, 1)) {
    const masks = masksInputs({
      kind: stage.kind,
      losses: effectiveLosses(mergeLosses(config.losses, stage.losses)),
    });
    if (masks && config.pretrainTeacher !== undefined) pretrain = true;
    else if (masks) task = true;
  }
  return { task, pretrain };
}

/**
 * A teacher from its spec: TensorFlow.js weights from a checkpoint, preset or config (unless only an ONNX file is
 * given, whose config.json then describes it), and the runtime its outputs come from.
 */
async function buildTeacher(
  role: 'task' | 'pretrain',
  spec: TeacherSpec,
  baseDir: string,
  labels: string[],
  seed: number,
  log: (line: string) => void,
  maskedLm: boolean,
): Promise<TeacherSetup> {
  const name = role === 'task' ? 'teacher' : 'pretrainTeacher';
  const onnxFile = spec.onnx !== undefined ? resolveFrom(baseDir, spec.onnx) : undefined;
  const runtime = onnxFile !== undefined ? 'onnx' : (spec.runtime ?? 'tfjs');
  const filesDir =
    spec.checkpoint !== undefined
      ? resolveFrom(baseDir, spec.checkpoint)
      : onnxFile !== undefined
        ? dirname(onnxFile)
        : undefined;
  if (spec.checkpoint === undefined && onnxFile !== undefined) {
    const config = await readModelConfig(dirname(onnxFile));
    return { role, config, runtime, onnxFile, ...(filesDir !== undefined ? { filesDir } : {}) };
  }
  // A pre-trained teacher is the bare encoder with its masked-LM head: no pooler, no classifier.
  const head: HeadKind =
    role === 'pretrain' ? (maskedLm ? 'masked-lm' : 'encoder') : 'sequence-classification';
  const { model, initialised } = await buildModel(
    name,
    spec,
    baseDir,
    labels,
    seed,
    log,
    head,
    role === 'task' && maskedLm,
  );
  // Validation reports this from the checkpoint's tensor names; this catches what it could not see.
  if (maskedLm && initialised.some((n) => n.startsWith('cls.predictions.'))) {
    model.params.dispose();
    throw new UserError(
      `The ${name} has no masked-LM head (cls.predictions.*), so it cannot teach masked-LM distillation. ${MLM_HEAD_FIX}`,
    );
  }
  return {
    role,
    model,
    config: model.config,
    runtime,
    ...(onnxFile !== undefined ? { onnxFile } : {}),
    ...(filesDir !== undefined ? { filesDir } : {}),
  };
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
  if (config.teacher.onnx !== undefined)
    return loadBertTokenizer(dirname(resolveFrom(baseDir, config.teacher.onnx)), overrides);
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
  let configFile: string;
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
    configFile = join(runDir, 'config.distill.json');
    config = await validated(configFile).catch(async (error: unknown) => {
      // The copy's relative paths point at the original folder; validate the original config instead.
      if (await pathExists(manifest.configFile)) {
        configFile = manifest.configFile;
        return validated(manifest.configFile);
      }
      throw error;
    });
    resumed = true;
  } else {
    const file = resolve(request.configFile ?? '');
    configFile = file;
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
  const masks = masksAnywhere(config);
  const teacher = await buildTeacher('task', config.teacher, baseDir, labels, seed, log, masks.task);
  const { model: student } = await buildModel(
    'student',
    config.student,
    baseDir,
    labels,
    seed + 1,
    log,
    'sequence-classification',
    masks.task || masks.pretrain,
  );
  const projections = new Params(new SeedStream(seed + 2));
  const pretrainTeacher =
    config.pretrainTeacher !== undefined
      ? await buildTeacher('pretrain', config.pretrainTeacher, baseDir, labels, seed + 3, log, masks.pretrain)
      : undefined;
  const wants = (name: 'hidden' | 'embedding'): boolean =>
    config.losses?.[name]?.projection === true ||
    (Array.isArray(config.stages) && config.stages.some((s) => s.losses?.[name]?.projection === true));
  const studentWidth = student.config.hidden_size;
  const addProjections = (teacherWidth: number, prefix: string): void => {
    if (teacherWidth === studentWidth) return;
    const std = 1 / Math.sqrt(studentWidth);
    if (wants('hidden'))
      for (let l = 1; l <= student.config.num_hidden_layers; l++)
        projections.create(`${prefix}hidden.${l}`, [teacherWidth, studentWidth], 'normal', std);
    if (wants('embedding'))
      projections.create(`${prefix}embedding`, [teacherWidth, studentWidth], 'normal', std);
  };
  addProjections(teacher.config.hidden_size, '');
  // A pre-trained teacher as wide as the task teacher shares its projections (TinyBERT carries W_h over).
  if (pretrainTeacher !== undefined && pretrainTeacher.config.hidden_size !== teacher.config.hidden_size)
    addProjections(pretrainTeacher.config.hidden_size, 'pretrain.');
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
    configFile,
    baseDir,
    runDir,
    labels,
    tokenizer,
    train: encodeExamples(tokenizer, train.examples, maxLength),
    evalSet: evalData ? encodeExamples(tokenizer, evalData.examples, maxLength) : [],
    evalTexts: evalData?.examples.map((e) => e.text) ?? [],
    unlabelled: encodeExamples(tokenizer, unlabelled.examples, maxLength),
    teacher,
    ...(pretrainTeacher !== undefined ? { pretrainTeacher } : {}),
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
