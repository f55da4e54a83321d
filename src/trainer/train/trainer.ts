// The training loop: stages in order (train a teacher, pre-training distillation, task distillation, ...), AdamW
// steps on the trainable layers, eval, best-model tracking, early stopping, attention snapshots, atomic
// checkpoints and exact resumes. Everything a step depends on (batch order, dropout seeds, optimiser moments, the
// masking generator) is a function of the seed, the stage and the step, or is saved in the checkpoint, so a
// resumed run reaches the same result as an uninterrupted one.
import { cp, readFile, rename, rm } from 'node:fs/promises';
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
import { formatDiagnostic } from '../commands/formatDiagnostics';
import type { MaskingOptions } from '../distill/maskedLm';
import type { RowKey } from '../distill/teacherCache';
import type { TransformerModel } from '../models/createModel';
import type { HeadKind } from '../models/modelConfig';
import { SeedStream, type Params } from '../models/nn';
import { saveBertTokenizer } from '../tokenizer/saveTokenizer';
import { disposeBatch, epochOrder, makeBatch, type Batch, type EncodedExample } from './dataset';
import { disposeTeacherOutput, distillLoss, pretrainLoss, trainLoss, type MaskedBatch } from './distillStep';
import { attentionSnapshot, evaluate, evaluateMaskedLm, evaluateTeacher, maskedBatch } from './evaluate';
import { AdamW, clipByGlobalNorm, learningRateAt } from './optimizer';
import { isTrainable, masksInputs, planStages, type PlannedStage } from './plan';
import { EventLog, checkpointProblem, listCheckpoints, pruneCheckpoints, writeCheckpoint } from './runDir';
import { RunTeachers, type TeacherRole } from './runTeachers';
import { assignAll, setUpRun, type RunSetup } from './setup';
import { TRAINING_RECORD_KEY, teacherInputFindings } from './teacherInputs';

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
  /** State of the masked-LM masking generator (a SeedStream), carried through the run and saved in checkpoints. */
  maskRng: number;
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
  private readonly teachers: RunTeachers;
  private optimizer: AdamW | undefined;
  /** Teacher roles whose inputs were checked (guards.checkTeacherInputs) in this process. */
  private readonly inputsChecked = new Set<TeacherRole>();

  constructor(
    private readonly setup: RunSetup,
    private readonly stages: PlannedStage[],
    private readonly state: RunState,
    private readonly request: TrainRequest,
  ) {
    this.events = new EventLog(join(setup.runDir, 'events.jsonl'));
    if (request.onEvent) this.events.listeners.push(request.onEvent);
    this.log = request.log ?? (() => {});
    this.teachers = new RunTeachers(setup, this.log);
  }

  get seed(): number {
    return this.setup.config.seed ?? 42;
  }

  private get batchSize(): number {
    return this.setup.config.training?.batchSize ?? 32;
  }

  private get evalBatch(): number {
    return this.setup.config.training?.evalBatchSize ?? 64;
  }

  private metricOf(m: EvalMetrics): number {
    return (this.setup.config.evaluation?.metric ?? 'accuracy') === 'macro-f1' ? m.macroF1 : m.accuracy;
  }

  /** Examples of batch number `step` of `stage`: a labelled or an unlabelled batch, decided by the step alone. */
  private batchAt(
    stage: PlannedStage,
    step: number,
    micro: number,
  ): { examples: EncodedExample[]; rows: RowKey[] } {
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
    const examples = indices.map((i) => pool[i] as EncodedExample);
    const rows = indices.map((index, j) => ({
      pool: unlabelled ? ('unlabelled' as const) : ('labelled' as const),
      index,
      length: examples[j]?.inputIds.length ?? 0,
    }));
    return { examples, rows };
  }

  private maskingOptions(stage: PlannedStage): MaskingOptions {
    const tokenizer = this.setup.tokenizer;
    const special = tokenizer.options.specialTokens;
    const ids = Object.values(special).map((t) => tokenizer.tokenToId(t));
    return {
      probability: stage.losses.maskedLm.probability,
      maskTokenId: tokenizer.tokenToId(special.mask) ?? 0,
      vocabSize: tokenizer.vocabSize,
      specialIds: new Set(ids.filter((id): id is number => id !== undefined)),
    };
  }

  private async checkTeacher(stage: PlannedStage): Promise<void> {
    const guards = this.setup.config.guards;
    if (this.state.teacherChecked || guards?.checkTeacher === false || this.setup.evalSet.length === 0)
      return;
    const metrics = await evaluateTeacher(
      await this.teachers.runner('task'),
      this.setup.evalSet,
      this.setup.labels,
      this.evalBatch,
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

  /** guards.checkTeacherInputs: errors stop the run before any distillation step, warnings are logged. */
  private async checkInputs(role: TeacherRole): Promise<void> {
    if (this.inputsChecked.has(role) || this.setup.config.guards?.checkTeacherInputs === false) return;
    this.inputsChecked.add(role);
    const teacher = this.teachers.of(role);
    const runner = teacher.runtime === 'onnx' ? await this.teachers.runner(role) : undefined;
    const findings = await teacherInputFindings(this.setup, teacher, runner);
    for (const f of findings.filter((d) => d.severity !== 'error')) this.log(formatDiagnostic(f));
    const errors = findings.filter((d) => d.severity === 'error');
    if (errors.length > 0)
      throw new UserError(
        `The ${role === 'task' ? 'teacher' : 'pretrainTeacher'} would not get the inputs it was trained with (set "guards.checkTeacherInputs": false to run anyway):\n${errors.map((d) => formatDiagnostic(d)).join('\n')}`,
        1,
      );
  }

  private trainableVariables(stage: PlannedStage, model: TransformerModel): Map<string, tf.Variable> {
    const vars = new Map<string, tf.Variable>();
    for (const [name, v] of model.params.entries())
      if (isTrainable(name, stage.trainLayers, stage.trainHead)) vars.set(name, v);
    if (stage.kind !== 'train')
      for (const [name, v] of this.setup.projections.entries()) vars.set(`projection.${name}`, v);
    return vars;
  }

  /** The batch of a micro-step: masked (advancing the saved masking generator) in masked-LM stages. */
  private prepare(stage: PlannedStage, examples: EncodedExample[]): Batch | MaskedBatch {
    if (!masksInputs(stage)) return makeBatch(examples);
    const rng = new SeedStream(this.state.maskRng);
    const { batch } = maskedBatch(examples, rng, this.maskingOptions(stage));
    this.state.maskRng = rng.snapshot();
    return batch;
  }

  /**
   * One optimiser step: for each micro-batch the teacher's outputs (awaited: onnxruntime is asynchronous), then
   * the student's loss and gradients inside one tidy scope; then clipping and the update inside another.
   */
  private async step(
    stage: PlannedStage,
    model: TransformerModel,
    vars: Map<string, tf.Variable>,
    stageStep: number,
  ): Promise<{ terms: LossTerms; examples: number }> {
    const accumulation = this.setup.config.training?.gradientAccumulationSteps ?? 1;
    const byVarName = new Map([...vars].map(([name, v]) => [v.name, name]));
    const summed = new Map<string, tf.Tensor>();
    const terms: LossTerms = {};
    let examples = 0;
    for (let micro = 0; micro < accumulation; micro++) {
      const picked = this.batchAt(stage, stageStep, micro);
      if (picked.examples.length === 0) continue;
      const batch = this.prepare(stage, picked.examples);
      examples += batch.size;
      const seeds = new SeedStream((this.seed * 31 + this.state.globalStep * accumulation + micro) | 0);
      const teacherOut =
        stage.kind === 'train'
          ? undefined
          : await this.teachers.outputs(
              stage,
              batch,
              picked.rows,
              'positions' in batch ? batch.positions : undefined,
            );
      const ctx = {
        stage,
        progress: stageStep / Math.max(1, stage.steps),
        seeds,
        projections: this.teachers.projections(stage),
      };
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const result =
            teacherOut === undefined
              ? trainLoss(model, batch, seeds)
              : stage.kind === 'pretrain-distill'
                ? pretrainLoss(model, batch, teacherOut, ctx)
                : distillLoss(model, batch, teacherOut, ctx);
          for (const [k, t] of result.terms)
            terms[k] = (terms[k] ?? 0) + (t.dataSync()[0] ?? 0) / accumulation;
          return result.total;
        }, [...vars.values()]);
        terms.total = (terms.total ?? 0) + (value.dataSync()[0] ?? 0) / accumulation;
        for (const [varName, g] of Object.entries(grads)) {
          const name = byVarName.get(varName);
          if (name === undefined) continue;
          const previous = summed.get(name);
          summed.set(name, tf.keep(previous === undefined ? g : tf.add(previous, g)));
          previous?.dispose();
        }
      });
      if (teacherOut !== undefined) disposeTeacherOutput(teacherOut);
      disposeBatch(batch);
      if ('positions' in batch) {
        batch.positions.dispose();
        batch.targets.dispose();
      }
    }
    tf.tidy(() => {
      const grads = new Map(
        [...summed].map(([name, g]) => [name, accumulation > 1 ? tf.div(g, accumulation) : g]),
      );
      clipByGlobalNorm(grads, this.setup.config.optimizer?.maxGradNorm ?? 1);
      this.optimizer?.apply(vars, grads, this.learningRate(stage, stageStep));
    });
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
    const teacher = this.setup.teacher.model;
    if (
      this.state.teacherTrained &&
      this.setup.config.teacher.checkpoint === undefined &&
      teacher !== undefined
    ) {
      for (const [k, v] of paramsToTensors(teacher.params, 'teacher/')) tensors.set(k, v);
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
      const teacher = this.setup.teacher.model;
      if (teacherWeights.size > 0 && teacher !== undefined) assignAll(teacher.params, teacherWeights);
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

  /** Writes a model folder (weights, config.json, tokenizer) to a temporary folder, then swaps it into place. */
  private async saveFolder(name: string, head: HeadKind): Promise<string> {
    const temp = join(this.setup.runDir, `.${name}.partial`);
    const target = join(this.setup.runDir, name);
    await rm(temp, { recursive: true, force: true });
    await saveModel(this.setup.student, temp, head, this.trainingRecord);
    await saveBertTokenizer(this.setup.tokenizer, temp);
    await rm(target, { recursive: true, force: true });
    await rename(temp, target);
    return target;
  }

  /** What config.json records about training, read back by the teacher-input check when the model teaches. */
  private get trainingRecord(): Record<string, unknown> {
    return { [TRAINING_RECORD_KEY]: { max_length: this.setup.config.data.maxLength ?? 128 } };
  }

  /** The head the student is saved with after pre-training distillation: its masked-LM head, if it has one. */
  private get pretrainedHead(): HeadKind {
    return this.setup.student.hasMaskedLmHead ? 'masked-lm' : 'encoder';
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
    if (this.setup.config.checkpoints?.keepBest !== false)
      await this.saveFolder('best', 'sequence-classification');
    return true;
  }

  private result(finalModel: string | undefined, stopped: boolean): TrainResult {
    return { runDir: this.setup.runDir, finalModel, best: this.state.best?.metrics, stopped };
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
        if (stage.kind !== 'train') {
          await this.checkInputs(stage.teacher);
          if (stage.kind === 'distill') await this.checkTeacher(stage);
          this.teachers.beginStage(stage);
        }
        const model = stage.model === 'teacher' ? this.setup.teacher.model : this.setup.student;
        if (model === undefined)
          throw new UserError(
            `Stage "${stage.name}" trains the teacher, which is given only as an ONNX file.`,
          );
        const vars = this.trainableVariables(stage, model);
        for (let step = this.state.stageStep; step < stage.steps; step++) {
          const started = performance.now();
          const { terms, examples } = await this.step(stage, model, vars, step);
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
          if (evalEvery > 0 && this.state.globalStep % evalEvery === 0 && !last)
            stopEarly = await this.evaluateNow(stage, model, patience);
          if (
            snapshotEvery > 0 &&
            stage.kind !== 'train' &&
            (this.state.globalStep % snapshotEvery === 0 || last) &&
            probes.length > 0
          ) {
            await this.snapshot(stage, probes);
          }
          if (this.request.stop?.requested === true) {
            await this.saveCheckpoint(stage, 'signal');
            return this.result(undefined, true);
          }
          if (stopEarly) {
            this.log(`early stopping: no improvement in ${patience} evaluations`);
            this.state.stageStep = stage.steps;
            break;
          }
          if (checkpointEvery > 0 && this.state.globalStep % checkpointEvery === 0 && !last)
            await this.saveCheckpoint(stage, 'interval');
        }
        if (stage.kind !== 'train') this.teachers.endStage(stage);
        await this.evaluateNow(stage, model, undefined);
        if (stage.kind === 'pretrain-distill') {
          const dir = await this.saveFolder('pretrained', this.pretrainedHead);
          this.log(`stage "${stage.name}": the student with its ${this.pretrainedHead} head saved to ${dir}`);
        }
        if (stage.model === 'teacher' && this.setup.teacher.model !== undefined) {
          // The trained teacher is a model in its own right: keep it beside the run for eval, export and doctor.
          const teacherDir = join(this.setup.runDir, 'teacher');
          await rm(teacherDir, { recursive: true, force: true });
          await saveModel(
            this.setup.teacher.model,
            teacherDir,
            'sequence-classification',
            this.trainingRecord,
          );
          await saveBertTokenizer(this.setup.tokenizer, teacherDir);
          this.state.teacherTrained = true;
          this.state.teacherChecked = false;
          await this.teachers.invalidate('task');
        }
        this.state.stageIndex = s + 1;
        this.state.stageStep = 0;
        await this.saveCheckpoint(stage, 'stage-end');
      }
      const finalDir = await this.saveFinal();
      this.events.emit('done', {
        globalStep: this.state.globalStep,
        finalModel: finalDir,
        ...(this.state.best !== null ? { best: this.state.best.metrics } : {}),
        durationSeconds: (performance.now() - this.startTime) / 1000,
      });
      return this.result(finalDir, false);
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
      await this.teachers.dispose();
    }
  }

  /**
   * final/: the best task model when one was kept, else the student as it is; a run of pretrain-distill stages
   * only ends with the student and its masked-LM head (nothing task-specific was learned).
   */
  private async saveFinal(): Promise<string> {
    const finalDir = join(this.setup.runDir, 'final');
    if (this.stages.every((s) => s.kind === 'pretrain-distill'))
      return this.saveFolder('final', this.pretrainedHead);
    if (this.state.best !== null && this.setup.config.checkpoints?.keepBest !== false) {
      await rm(finalDir, { recursive: true, force: true });
      await cp(join(this.setup.runDir, 'best'), finalDir, { recursive: true });
      return finalDir;
    }
    return this.saveFolder('final', 'sequence-classification');
  }

  /**
   * Evaluates the model a stage trains: task metrics (best model, early stopping) in train and distill stages,
   * masked-token metrics in masking pretrain-distill stages; pretrain stages without masking have nothing to score.
   */
  private async evaluateNow(
    stage: PlannedStage,
    model: TransformerModel,
    patience: number | undefined,
  ): Promise<boolean> {
    if (stage.kind === 'pretrain-distill') {
      if (masksInputs(stage)) await this.evaluateMaskedLm(stage);
      return false;
    }
    if (this.setup.evalSet.length === 0) return false;
    const metrics = evaluate(model, this.setup.evalSet, this.setup.labels, this.evalBatch);
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

  /** Masked-token agreement on the eval texts (else the first unlabelled lines, which the stage also trains on). */
  private async evaluateMaskedLm(stage: PlannedStage): Promise<void> {
    const texts = this.setup.evalSet.length > 0 ? this.setup.evalSet : this.setup.unlabelled.slice(0, 512);
    if (texts.length === 0) return;
    const metrics = await evaluateMaskedLm(
      this.setup.student,
      await this.teachers.runner(stage.teacher),
      texts,
      this.maskingOptions(stage),
      (this.seed * 7919 + 4099) | 0,
      this.evalBatch,
    );
    this.events.emit('masked-lm-eval', {
      stage: stage.name,
      step: this.state.stageStep,
      globalStep: this.state.globalStep,
      metrics,
    });
  }

  private async snapshot(stage: PlannedStage, probes: readonly string[]): Promise<void> {
    const maps = await attentionSnapshot(
      await this.teachers.runner(stage.teacher),
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
    ...(setup.pretrainTeacher !== undefined
      ? { pretrainTeacherLayers: setup.pretrainTeacher.config.num_hidden_layers }
      : {}),
  });
  const seed = setup.config.seed ?? 42;
  const state: RunState = {
    stageIndex: 0,
    stageStep: 0,
    globalStep: 0,
    teacherTrained: setup.config.teacher.checkpoint !== undefined || setup.config.teacher.onnx !== undefined,
    teacherChecked: false,
    best: null,
    sinceBest: 0,
    maskRng: (seed * 1000003 + 12345) | 0,
  };
  const run = new Run(setup, stages, state, request);
  if (setup.resumed) {
    const restored = await run.restore();
    if (!restored) log('no usable checkpoint in the run folder: starting from the beginning');
  }
  return run.run(backend.name);
}
