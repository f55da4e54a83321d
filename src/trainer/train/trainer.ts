// The training loop: stages in order (train a teacher, distil, ...), AdamW steps on the trainable layers, eval,
// best-model tracking, early stopping, attention snapshots, atomic checkpoints and exact resumes. Everything a step
// depends on (batch order, dropout seeds, optimiser moments) is a function of the seed, the stage and the step, or
// is saved in the checkpoint, so a resumed run reaches the same result as an uninterrupted one.
import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { parse as parseJsonc } from 'jsonc-parser';
import { PROTOCOL_VERSION } from '../../protocol/version';
import type { EvalMetrics, LossTerms, RunEvent } from '../../protocol/events';
import { describeBackend, initBackend, type BackendName } from '../backend/backend';
import { saveModel } from '../checkpoint/modelCheckpoint';
import { readSafetensors, serializeSafetensors, toFloat32, type HostTensor } from '../checkpoint/safetensors';
import { UserError } from '../cliErrors';
import type { TransformerModel } from '../models/createModel';
import { SeedStream, type Params } from '../models/nn';
import { saveBertTokenizer } from '../tokenizer/saveTokenizer';
import { disposeBatch, epochOrder, makeBatch, type Batch, type EncodedExample } from './dataset';
import { disposeOutput, distillLoss, teacherForward, trainLoss } from './distillStep';
import { attentionSnapshot, evaluate } from './evaluate';
import { AdamW, clipByGlobalNorm, learningRateAt } from './optimizer';
import { isTrainable, planStages, type PlannedStage } from './plan';
import { EventLog, checkpointProblem, listCheckpoints, pruneCheckpoints, writeCheckpoint } from './runDir';
import { assignAll, setUpRun, type RunSetup } from './setup';

export interface TrainRequest {
  configFile?: string;
  resumeDir?: string;
  backend?: string;
  onEvent?: (event: RunEvent) => void;
  log?: (line: string) => void;
  /** Set by signal handlers: the loop checkpoints and stops at the next step boundary. */
  stop?: { requested: boolean };
}

export interface TrainResult {
  runDir: string;
  finalModel: string | undefined;
  best: EvalMetrics | undefined;
  stopped: boolean;
}

interface RunState {
  stageIndex: number;
  stageStep: number;
  globalStep: number;
  teacherTrained: boolean;
  teacherChecked: boolean;
  best: { stage: string; metric: number; metrics: EvalMetrics } | null;
  sinceBest: number;
}

function paramsToTensors(params: Params, prefix = ''): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [name, v] of params.entries())
    out.set(`${prefix}${name}`, { dtype: 'F32', shape: [...v.shape], data: v.dataSync() as Float32Array });
  return out;
}

function group(tensors: ReadonlyMap<string, HostTensor>, prefix: string): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of tensors)
    if (name.startsWith(prefix)) out.set(name.slice(prefix.length), toFloat32(t));
  return out;
}

class Run {
  private readonly events: EventLog;
  private readonly log: (line: string) => void;
  private readonly startTime = performance.now();
  private readonly teacherCache = new Map<number, Float32Array>();
  private optimizer: AdamW | undefined;
  /** The learned projections by name; fixed once the run is set up, so built once rather than every step. */
  private readonly projections: ReadonlyMap<string, tf.Variable>;

  constructor(
    private readonly setup: RunSetup,
    private readonly stages: PlannedStage[],
    private readonly state: RunState,
    private readonly request: TrainRequest,
  ) {
    this.events = new EventLog(join(setup.runDir, 'events.jsonl'));
    if (request.onEvent) this.events.listeners.push(request.onEvent);
    this.log = request.log ?? (() => {});
    this.projections = new Map(setup.projections.entries());
  }

  get seed(): number {
    return this.setup.config.seed ?? 42;
  }

  private get batchSize(): number {
    return this.setup.config.training?.batchSize ?? 32;
  }

  private metricOf(m: EvalMetrics): number {
    return (this.setup.config.evaluation?.metric ?? 'accuracy') === 'macro-f1' ? m.macroF1 : m.accuracy;
  }

  /** Examples of batch number `step` of `stage`: a labelled or an unlabelled batch, decided by the step alone. */
  private batchAt(
    stage: PlannedStage,
    step: number,
    micro: number,
  ): { examples: EncodedExample[]; indices: number[]; unlabelled: boolean } {
    const accumulation = this.setup.config.training?.gradientAccumulationSteps ?? 1;
    const r = stage.unlabelledRatio;
    const unlabelledBefore = Math.floor(step * r);
    const unlabelled = r >= 1 || (r > 0 && Math.floor((step + 1) * r) > unlabelledBefore);
    const pool = unlabelled ? this.setup.unlabelled : this.setup.train;
    const k = (unlabelled ? unlabelledBefore : step - unlabelledBefore) * accumulation + micro;
    const perEpoch = Math.max(1, Math.ceil(pool.length / this.batchSize));
    const epoch = Math.floor(k / perEpoch);
    const order = epochOrder(pool.length, this.seed + 7 * stage.index + (unlabelled ? 100003 : 0), epoch);
    const indices = order.slice((k % perEpoch) * this.batchSize, ((k % perEpoch) + 1) * this.batchSize);
    return { examples: indices.map((i) => pool[i] as EncodedExample), indices, unlabelled };
  }

  private async checkTeacher(stage: PlannedStage): Promise<void> {
    const guards = this.setup.config.guards;
    if (this.state.teacherChecked || guards?.checkTeacher === false || this.setup.evalSet.length === 0)
      return;
    const metrics = evaluate(
      this.setup.teacher,
      this.setup.evalSet,
      this.setup.labels,
      this.setup.config.training?.evalBatchSize ?? 64,
    );
    this.events.emit('eval', {
      stage: stage.name,
      step: 0,
      globalStep: this.state.globalStep,
      model: 'teacher',
      metrics,
      best: false,
    });
    const chance = 1 / this.setup.labels.length;
    const floor = guards?.teacherMinAccuracy ?? Math.min(0.99, chance + 0.1);
    this.log(
      `teacher accuracy ${(100 * metrics.accuracy).toFixed(1)}% (floor ${(100 * floor).toFixed(1)}%, chance ${(100 * chance).toFixed(1)}%)`,
    );
    if (metrics.accuracy < floor) {
      throw new UserError(
        `The teacher scores ${(100 * metrics.accuracy).toFixed(1)}% on the eval data, below the floor of ${(100 * floor).toFixed(1)}% (chance is ${(100 * chance).toFixed(1)}%). A student can only learn what the teacher knows. Check that the teacher checkpoint was fine-tuned on this task with the same labels (data.labels order) and tokenizer (lower-casing, vocabulary); if the teacher is trained here, lower its learning rate (post-LN BERT trained from scratch diverges at rates a student tolerates) or train it longer. Set "guards.teacherMinAccuracy" to change the floor.`,
      );
    }
    this.state.teacherChecked = true;
  }

  /** Teacher logits for a labelled batch from the cache when every row is cached and nothing else is needed. */
  private teacherOutput(
    stage: PlannedStage,
    batch: Batch,
    picked: { indices: number[]; unlabelled: boolean },
  ): ReturnType<typeof teacherForward> {
    const needsFeatures =
      stage.losses.hidden.weight > 0 ||
      stage.losses.attention.weight > 0 ||
      stage.losses.embedding.weight > 0 ||
      stage.losses.featureMap.weight > 0;
    const cacheable = !picked.unlabelled && (this.setup.config.training?.cacheTeacher ?? 'logits') !== 'none';
    if (cacheable && !needsFeatures && picked.indices.every((i) => this.teacherCache.has(i))) {
      const rows = picked.indices.map((i) => Array.from(this.teacherCache.get(i) as Float32Array));
      return { lastHiddenState: tf.zeros([1, 1, 1]) as tf.Tensor3D, logits: tf.tensor2d(rows) };
    }
    const out = teacherForward(this.setup.teacher, batch, stage);
    if (cacheable && out.logits) {
      const rows = out.logits.arraySync() as number[][];
      picked.indices.forEach((i, j) => this.teacherCache.set(i, Float32Array.from(rows[j] ?? [])));
    }
    return out;
  }

  private trainableVariables(stage: PlannedStage, model: TransformerModel): Map<string, tf.Variable> {
    const vars = new Map<string, tf.Variable>();
    for (const [name, v] of model.params.entries())
      if (isTrainable(name, stage.trainLayers, stage.trainHead)) vars.set(name, v);
    if (stage.kind !== 'train')
      for (const [name, v] of this.setup.projections.entries()) vars.set(`projection.${name}`, v);
    return vars;
  }

  private step(
    stage: PlannedStage,
    model: TransformerModel,
    vars: Map<string, tf.Variable>,
    stageStep: number,
  ): { terms: LossTerms; examples: number } {
    const accumulation = this.setup.config.training?.gradientAccumulationSteps ?? 1;
    const byVarName = new Map([...vars].map(([name, v]) => [v.name, name]));
    const summed = new Map<string, tf.Tensor>();
    const terms: LossTerms = {};
    let examples = 0;
    for (let micro = 0; micro < accumulation; micro++) {
      const picked = this.batchAt(stage, stageStep, micro);
      if (picked.examples.length === 0) continue;
      const batch = makeBatch(picked.examples);
      examples += batch.size;
      const seeds = new SeedStream((this.seed * 31 + this.state.globalStep * accumulation + micro) | 0);
      const teacherOut = stage.kind === 'train' ? undefined : this.teacherOutput(stage, batch, picked);
      const progress = stageStep / Math.max(1, stage.steps);
      let termValues: Map<keyof LossTerms, tf.Scalar> | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const result =
          teacherOut === undefined
            ? trainLoss(model, batch, seeds)
            : distillLoss(model, batch, teacherOut, {
                stage,
                progress,
                seeds,
                projections: this.projections,
              });
        termValues = new Map([...result.terms].map(([k, t]) => [k, tf.keep(t)]));
        return result.total;
      }, [...vars.values()]);
      terms.total = (terms.total ?? 0) + (value.dataSync()[0] ?? 0) / accumulation;
      for (const [k, t] of termValues ?? []) {
        terms[k] = (terms[k] ?? 0) + (t.dataSync()[0] ?? 0) / accumulation;
        t.dispose();
      }
      value.dispose();
      for (const [varName, g] of Object.entries(grads)) {
        const name = byVarName.get(varName);
        if (name === undefined) continue;
        const previous = summed.get(name);
        summed.set(name, previous === undefined ? g : tf.add(previous, g));
        if (previous !== undefined) {
          previous.dispose();
          g.dispose();
        }
      }
      if (teacherOut !== undefined) disposeOutput(teacherOut);
      disposeBatch(batch);
    }
    if (accumulation > 1)
      for (const [name, g] of summed)
        summed.set(
          name,
          tf.tidy(() => tf.div(g, accumulation)),
        );
    clipByGlobalNorm(summed, this.setup.config.optimizer?.maxGradNorm ?? 1);
    this.optimizer?.apply(vars, summed, this.learningRate(stage, stageStep));
    for (const g of summed.values()) g.dispose();
    return { terms, examples };
  }

  private learningRate(stage: PlannedStage, stageStep: number): number {
    const schedule = this.setup.config.schedule;
    const warmupSteps = schedule?.warmupSteps ?? Math.round((schedule?.warmupRatio ?? 0.1) * stage.steps);
    return learningRateAt(stageStep, {
      kind: schedule?.kind ?? 'linear',
      warmupSteps,
      totalSteps: stage.steps,
      peak: stage.learningRate,
    });
  }

  private async saveCheckpoint(
    stage: PlannedStage,
    reason: 'interval' | 'stage-end' | 'signal',
  ): Promise<void> {
    const tensors = new Map<string, HostTensor>([
      ...paramsToTensors(this.setup.student.params, 'student/'),
      ...paramsToTensors(this.setup.projections, 'projection/'),
    ]);
    if (this.state.teacherTrained && this.setup.config.teacher.checkpoint === undefined) {
      for (const [k, v] of paramsToTensors(this.setup.teacher.params, 'teacher/')) tensors.set(k, v);
    }
    const moments = new Map<string, HostTensor>();
    const optimizerState = this.optimizer?.state();
    for (const [which, slots] of [
      ['m', optimizerState?.m],
      ['v', optimizerState?.v],
    ] as const) {
      for (const [name, slot] of slots ?? [])
        moments.set(`${which}/${name}`, {
          dtype: 'F32',
          shape: [...slot.shape],
          data: slot.dataSync() as Float32Array,
        });
    }
    const files = new Map<string, Uint8Array | string>([
      ['weights.safetensors', serializeSafetensors(tensors)],
      ['optimizer.safetensors', serializeSafetensors(moments)],
      ['state.json', JSON.stringify({ ...this.state, optimizerStep: optimizerState?.step ?? 0 }, null, 1)],
    ]);
    const dir = join(this.setup.runDir, 'checkpoints');
    const path = await writeCheckpoint(dir, `step-${this.state.globalStep}`, files);
    await pruneCheckpoints(dir, this.setup.config.checkpoints?.keepLast ?? 2);
    this.events.emit('checkpoint', { stage: stage.name, globalStep: this.state.globalStep, path, reason });
  }

  /** Restores weights and optimiser moments from the newest good checkpoint; returns false when there is none. */
  async restore(): Promise<boolean> {
    for (const checkpoint of await listCheckpoints(join(this.setup.runDir, 'checkpoints'))) {
      const problem = await checkpointProblem(checkpoint.path);
      if (problem !== undefined) {
        this.log(`skipping checkpoint ${checkpoint.path}: ${problem}`);
        continue;
      }
      const weights = (await readSafetensors(join(checkpoint.path, 'weights.safetensors'))).tensors;
      const saved = JSON.parse(await readFile(join(checkpoint.path, 'state.json'), 'utf8')) as RunState & {
        optimizerStep: number;
      };
      assignAll(this.setup.student.params, group(weights, 'student/'));
      assignAll(this.setup.projections, group(weights, 'projection/'));
      const teacherWeights = group(weights, 'teacher/');
      if (teacherWeights.size > 0) assignAll(this.setup.teacher.params, teacherWeights);
      Object.assign(this.state, saved);
      const moments = (await readSafetensors(join(checkpoint.path, 'optimizer.safetensors'))).tensors;
      const toTensors = (which: string): Map<string, tf.Tensor> => {
        const out = new Map<string, tf.Tensor>();
        for (const [name, t] of moments)
          if (name.startsWith(`${which}/`)) out.set(name.slice(2), tf.tensor(toFloat32(t), t.shape));
        return out;
      };
      this.optimizer = new AdamW(this.adamOptions());
      this.optimizer.load(saved.optimizerStep, toTensors('m'), toTensors('v'));
      this.log(
        `resumed from ${checkpoint.path} (stage ${this.stages[saved.stageIndex]?.name ?? '?'}, step ${saved.stageStep})`,
      );
      return true;
    }
    return false;
  }

  private adamOptions(): ConstructorParameters<typeof AdamW>[0] {
    const o = this.setup.config.optimizer;
    return {
      beta1: o?.beta1 ?? 0.9,
      beta2: o?.beta2 ?? 0.999,
      epsilon: o?.epsilon ?? 1e-8,
      weightDecay: o?.weightDecay ?? 0.01,
    };
  }

  private async saveBest(stage: PlannedStage, metrics: EvalMetrics): Promise<boolean> {
    const value = this.metricOf(metrics);
    const minDelta = this.setup.config.evaluation?.earlyStopping?.minDelta ?? 0;
    if (this.state.best !== null && value <= this.state.best.metric + minDelta) {
      this.state.sinceBest++;
      return false;
    }
    this.state.best = { stage: stage.name, metric: value, metrics };
    this.state.sinceBest = 0;
    if (this.setup.config.checkpoints?.keepBest !== false) {
      const temp = join(this.setup.runDir, '.best.partial');
      await rm(temp, { recursive: true, force: true });
      await saveModel(this.setup.student, temp);
      await saveBertTokenizer(this.setup.tokenizer, temp);
      await rm(join(this.setup.runDir, 'best'), { recursive: true, force: true });
      await cp(temp, join(this.setup.runDir, 'best'), { recursive: true });
      await rm(temp, { recursive: true, force: true });
    }
    return true;
  }

  async run(backendName: string): Promise<TrainResult> {
    const config = this.setup.config;
    this.events.emit('run-start', {
      protocolVersion: PROTOCOL_VERSION,
      runName: config.name,
      configFile: join(this.setup.runDir, 'config.distill.json'),
      backend: backendName,
      stages: this.stages.map((s) => ({ name: s.name, kind: s.kind, steps: s.steps })),
      ...(this.state.globalStep > 0
        ? {
            resumedFrom: {
              stage: this.stages[this.state.stageIndex]?.name ?? '',
              step: this.state.stageStep,
            },
          }
        : {}),
    });
    const evalEvery = config.evaluation?.everySteps ?? 0;
    const checkpointEvery = config.checkpoints?.everySteps ?? 200;
    const snapshotEvery = config.attentionSnapshots?.everySteps ?? 100;
    const probes = config.attentionSnapshots?.probes ?? this.setup.evalTexts.slice(0, 3);
    const patience = config.evaluation?.earlyStopping?.patience;
    const evalBatch = config.training?.evalBatchSize ?? 64;
    try {
      for (let s = this.state.stageIndex; s < this.stages.length; s++) {
        const stage = this.stages[s] as PlannedStage;
        const resumingThisStage = s === this.state.stageIndex && this.state.stageStep > 0;
        if (!resumingThisStage) {
          this.state.stageIndex = s;
          this.state.stageStep = 0;
          this.state.sinceBest = 0;
          this.optimizer?.dispose();
          this.optimizer = new AdamW(this.adamOptions());
        }
        this.optimizer ??= new AdamW(this.adamOptions());
        this.events.emit('stage-change', {
          stage: stage.name,
          index: s,
          kind: stage.kind,
          steps: stage.steps,
          trainLayers: stage.trainLayers,
        });
        if (stage.kind !== 'train') await this.checkTeacher(stage);
        const model = stage.model === 'teacher' ? this.setup.teacher : this.setup.student;
        const vars = this.trainableVariables(stage, model);
        for (let step = this.state.stageStep; step < stage.steps; step++) {
          const started = performance.now();
          const { terms, examples } = this.step(stage, model, vars, step);
          this.state.stageStep = step + 1;
          this.state.globalStep++;
          const seconds = (performance.now() - started) / 1000;
          this.events.emit('step', {
            stage: stage.name,
            step: step + 1,
            globalStep: this.state.globalStep,
            epoch: (step + 1) / stage.stepsPerEpoch,
            losses: terms,
            learningRate: this.learningRate(stage, step),
            samplesPerSecond: examples / Math.max(seconds, 1e-9),
          });
          if (!Number.isFinite(terms.total ?? NaN)) {
            throw new UserError(
              `The loss became ${terms.total} at stage "${stage.name}" step ${step + 1}. Lower the learning rate (stage "learningRate" or optimizer.learningRate) or raise optimizer.maxGradNorm clipping.`,
            );
          }
          const last = step + 1 === stage.steps;
          let stopEarly = false;
          if (
            evalEvery > 0 &&
            this.state.globalStep % evalEvery === 0 &&
            !last &&
            this.setup.evalSet.length > 0
          ) {
            stopEarly = await this.evaluateNow(stage, model, evalBatch, patience);
          }
          if (
            snapshotEvery > 0 &&
            stage.kind !== 'train' &&
            (this.state.globalStep % snapshotEvery === 0 || last) &&
            probes.length > 0
          ) {
            this.snapshot(stage, probes);
          }
          if (this.request.stop?.requested === true) {
            await this.saveCheckpoint(stage, 'signal');
            return {
              runDir: this.setup.runDir,
              finalModel: undefined,
              best: this.state.best?.metrics,
              stopped: true,
            };
          }
          if (stopEarly) {
            this.log(`early stopping: no improvement in ${patience} evaluations`);
            this.state.stageStep = stage.steps;
            break;
          }
          if (checkpointEvery > 0 && this.state.globalStep % checkpointEvery === 0 && !last)
            await this.saveCheckpoint(stage, 'interval');
        }
        if (this.setup.evalSet.length > 0) await this.evaluateNow(stage, model, evalBatch, undefined);
        if (stage.model === 'teacher') {
          // The trained teacher is a model in its own right: keep it beside the run for eval, export and doctor.
          const teacherDir = join(this.setup.runDir, 'teacher');
          await rm(teacherDir, { recursive: true, force: true });
          await saveModel(this.setup.teacher, teacherDir);
          await saveBertTokenizer(this.setup.tokenizer, teacherDir);
          this.state.teacherTrained = true;
          this.state.teacherChecked = false;
          this.teacherCache.clear();
        }
        this.state.stageIndex = s + 1;
        this.state.stageStep = 0;
        await this.saveCheckpoint(stage, 'stage-end');
      }
      const finalDir = join(this.setup.runDir, 'final');
      await rm(finalDir, { recursive: true, force: true });
      if (this.state.best !== null && config.checkpoints?.keepBest !== false) {
        await cp(join(this.setup.runDir, 'best'), finalDir, { recursive: true });
      } else {
        await saveModel(this.setup.student, finalDir);
        await saveBertTokenizer(this.setup.tokenizer, finalDir);
      }
      this.events.emit('done', {
        globalStep: this.state.globalStep,
        finalModel: finalDir,
        ...(this.state.best !== null ? { best: this.state.best.metrics } : {}),
        durationSeconds: (performance.now() - this.startTime) / 1000,
      });
      return {
        runDir: this.setup.runDir,
        finalModel: finalDir,
        best: this.state.best?.metrics,
        stopped: false,
      };
    } catch (error) {
      const stage = this.stages[this.state.stageIndex];
      this.events.emit('error', {
        message: (error as Error).message,
        ...(stage ? { stage: stage.name } : {}),
        globalStep: this.state.globalStep,
      });
      throw error;
    } finally {
      this.events.close();
    }
  }

  private async evaluateNow(
    stage: PlannedStage,
    model: TransformerModel,
    evalBatch: number,
    patience: number | undefined,
  ): Promise<boolean> {
    const metrics = evaluate(model, this.setup.evalSet, this.setup.labels, evalBatch);
    const isStudent = stage.model === 'student';
    const best = isStudent ? await this.saveBest(stage, metrics) : false;
    this.events.emit('eval', {
      stage: stage.name,
      step: this.state.stageStep,
      globalStep: this.state.globalStep,
      model: stage.model,
      metrics,
      best,
    });
    return isStudent && patience !== undefined && this.state.sinceBest >= patience;
  }

  private snapshot(stage: PlannedStage, probes: readonly string[]): void {
    const maps = attentionSnapshot(
      this.setup.teacher,
      this.setup.student,
      this.setup.tokenizer,
      probes,
      stage,
      this.setup.config.attentionSnapshots?.maxTokens ?? 32,
    );
    if (maps.length > 0)
      this.events.emit('attention-snapshot', {
        stage: stage.name,
        globalStep: this.state.globalStep,
        maps,
        loss: stage.losses.attention.kind,
      });
  }
}

/** Runs (or resumes) a training run to the end, or until a stop is requested. */
export async function runTraining(request: TrainRequest): Promise<TrainResult> {
  const log = request.log ?? (() => {});
  // The backend must be chosen before any variable exists, so read it from the config ahead of validation.
  const configFile =
    request.resumeDir !== undefined
      ? join(request.resumeDir, 'config.distill.json')
      : (request.configFile ?? '');
  const declared = await readFile(configFile, 'utf8')
    .then((text) => parseJsonc(text) as { backend?: { name?: string; threads?: number } } | undefined)
    .catch(() => undefined);
  const backendName = request.backend ?? declared?.backend?.name ?? 'auto';
  const backend = await initBackend(backendName as 'auto' | BackendName, declared?.backend?.threads);
  log(describeBackend(backend));
  const setup = await setUpRun(
    {
      ...(request.configFile !== undefined ? { configFile: request.configFile } : {}),
      ...(request.resumeDir !== undefined ? { resumeDir: request.resumeDir } : {}),
    },
    log,
  );
  const stages = planStages(setup.config, {
    labelledExamples: setup.train.length,
    unlabelledExamples: setup.unlabelled.length,
    teacherLayers: setup.teacher.config.num_hidden_layers,
    studentLayers: setup.student.config.num_hidden_layers,
  });
  const pretrain = stages.find((s) => s.kind === 'pretrain-distill');
  if (pretrain !== undefined) {
    // Refused up front rather than run wrongly: masked-LM heads and masking are not wired into the trainer yet.
    throw new UserError(
      `Stage "${pretrain.name}" is a pre-training (masked-LM) distillation stage, which this version of the trainer does not run yet. Remove it, or distil on the task with "kind": "distill" (unlabelled text still helps there through data.unlabelled).`,
    );
  }
  const state: RunState = {
    stageIndex: 0,
    stageStep: 0,
    globalStep: 0,
    teacherTrained: setup.config.teacher.checkpoint !== undefined,
    teacherChecked: false,
    best: null,
    sinceBest: 0,
  };
  const run = new Run(setup, stages, state, request);
  if (setup.resumed) {
    const restored = await run.restore();
    if (!restored) log('no usable checkpoint in the run folder: starting from the beginning');
  }
  return run.run(backend.name);
}
