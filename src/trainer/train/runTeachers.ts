// The run's teachers as the training loop uses them: the task teacher and the optional pre-trained teacher of
// pretrain-distill stages, each behind a runner (TensorFlow.js, or onnxruntime on a given or exported ONNX file),
// the per-example cache in front of them, and the projections that bridge each one's width to the student's.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../cliErrors';
import { exportTeacherOnnx, openOnnxTeacher, type OnnxTeacher } from '../distill/onnxTeacher';
import { TeacherCache, formatMib, type RowKey, type TeacherShape } from '../distill/teacherCache';
import { tfjsTeacher, tfjsTeacherOutputs, type TeacherRunner } from '../distill/teacherRunner';
import { disposeBatch, makeBatch, type Batch } from './dataset';
import { disposeTeacherOutput, teacherNeeds, type TeacherNeeds, type TeacherOutput } from './distillStep';
import { masksInputs, type PlannedStage } from './plan';
import type { RunSetup, TeacherSetup } from './setup';

export type TeacherRole = 'task' | 'pretrain';

/** Largest |ONNX - TensorFlow.js| accepted when a given ONNX file is checked against its checkpoint. */
const PARITY_TOLERANCE = 1e-3;

export class RunTeachers {
  private readonly runners = new Map<TeacherRole, TeacherRunner>();
  private readonly cache: TeacherCache;
  private readonly views = new Map<TeacherRole, ReadonlyMap<string, tf.Variable>>();

  constructor(
    private readonly setup: RunSetup,
    private readonly log: (line: string) => void,
  ) {
    const training = setup.config.training;
    this.cache = new TeacherCache(
      training?.cacheTeacher ?? 'logits',
      (training?.cacheMemoryMb ?? 1024) * 2 ** 20,
    );
  }

  of(role: TeacherRole): TeacherSetup {
    return role === 'pretrain' && this.setup.pretrainTeacher !== undefined
      ? this.setup.pretrainTeacher
      : this.setup.teacher;
  }

  private shape(role: TeacherRole): TeacherShape {
    const config = this.of(role).config;
    return { hiddenSize: config.hidden_size, heads: config.num_attention_heads };
  }

  /** The runner of `role`, created on first use (exporting the teacher to ONNX when the config asks for it). */
  async runner(role: TeacherRole): Promise<TeacherRunner> {
    const existing = this.runners.get(role);
    if (existing !== undefined) return existing;
    const teacher = this.of(role);
    const name = teacher.role === 'task' ? 'teacher' : 'pretrainTeacher';
    let runner: TeacherRunner;
    if (teacher.runtime === 'tfjs') {
      if (teacher.model === undefined) throw new Error(`the ${name} has no TensorFlow.js weights`);
      runner = tfjsTeacher(teacher.model);
    } else {
      const maxLength = this.setup.config.data.maxLength ?? 128;
      let file = teacher.onnxFile;
      if (file === undefined) {
        if (teacher.model === undefined) throw new Error(`the ${name} has neither weights nor an ONNX file`);
        const dir = join(
          this.setup.runDir,
          teacher.role === 'task' ? 'teacher-onnx' : 'pretrain-teacher-onnx',
        );
        file = await exportTeacherOnnx(
          teacher.model,
          dir,
          Math.min(maxLength, teacher.config.max_position_embeddings),
          this.log,
        );
      }
      runner = await openOnnxTeacher(file, teacher.config, {
        threads: this.setup.config.backend?.threads ?? availableParallelism(),
        ...(teacher.model !== undefined ? { weights: teacher.model } : {}),
        label: `${name}.onnx (${file})`,
      });
      if (teacher.onnxFile !== undefined && teacher.model !== undefined)
        await this.checkParity(runner, teacher, name);
    }
    this.log(`${name} runs on ${runner.description}`);
    this.runners.set(role, runner);
    return runner;
  }

  /** A given ONNX file must be the checkpoint it sits beside: compare every output on a few training rows. */
  private async checkParity(runner: TeacherRunner, teacher: TeacherSetup, name: string): Promise<void> {
    const model = teacher.model;
    if (model === undefined) return;
    const layers = teacher.config.num_hidden_layers;
    // Only the outputs the file has: one exported without --with-hidden still serves soft labels, and a stage
    // that needs more says which output is missing when it asks.
    const outputs = runner.kind === 'onnx' ? (runner as OnnxTeacher).outputNames : [];
    const needs: TeacherNeeds = {
      logits: runner.classifies && model.head === 'sequence-classification',
      maskedLm: false,
      hiddenLayers: Array.from({ length: layers + 1 }, (_, i) => i).filter((l) =>
        outputs.includes(`hidden_states.${l}`),
      ),
      attentionLayers: Array.from({ length: layers }, (_, i) => i + 1).filter((l) =>
        outputs.includes(`attentions.${l - 1}`),
      ),
      attentionKind: 'probs',
    };
    const pool = this.setup.train.length > 0 ? this.setup.train : this.setup.unlabelled;
    const batch = makeBatch(pool.slice(0, 8));
    const onnx = await runner.run(batch, needs);
    const tfjs = tfjsTeacherOutputs(model, batch, needs, undefined);
    let worst = 0;
    let where = '';
    const compare = (label: string, a: tf.Tensor | undefined, b: tf.Tensor | undefined): void => {
      if (a === undefined || b === undefined) return;
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Infinity);
      if (!(d <= worst)) [worst, where] = [d, label];
    };
    compare('logits', onnx.logits, tfjs.logits);
    for (const [l, h] of onnx.hidden) compare(`hidden_states.${l}`, h, tfjs.hidden.get(l));
    for (const [l, a] of onnx.attention) compare(`attentions.${l - 1}`, a, tfjs.attention.get(l));
    disposeTeacherOutput(onnx);
    disposeTeacherOutput(tfjs);
    disposeBatch(batch);
    if (!(worst <= PARITY_TOLERANCE))
      throw new UserError(
        `${name}.onnx and ${name}.checkpoint are not the same model: on the first training rows their ${where} differ by up to ${worst.toPrecision(3)} (tolerance ${PARITY_TOLERANCE}). Re-export the checkpoint with \`distill-studio export --model <checkpoint> --out <file> --with-hidden\`, or give only one of them.`,
      );
    this.log(`${name}.onnx matches its checkpoint (max |diff| ${worst.toExponential(1)} on every output)`);
  }

  /** Forgets the runner of a teacher whose weights changed (after a stage trained it), and its cached outputs. */
  async invalidate(role: TeacherRole): Promise<void> {
    await this.runners.get(role)?.dispose();
    this.runners.delete(role);
    this.cache.clear();
  }

  /** The projections a stage's losses use, bridging its teacher's width to the student's. */
  projections(stage: PlannedStage): ReadonlyMap<string, tf.Variable> {
    const role: TeacherRole = stage.teacher;
    let view = this.views.get(role);
    if (view === undefined) {
      const all = new Map(this.setup.projections.entries());
      const width = this.of(role).config.hidden_size;
      if (role === 'task' || width === this.setup.teacher.config.hidden_size) view = all;
      else if (width === this.setup.student.config.hidden_size) view = new Map();
      else
        view = new Map(
          [...all]
            .filter(([n]) => n.startsWith('pretrain.'))
            .map(([n, v]) => [n.slice('pretrain.'.length), v]),
        );
      this.views.set(role, view);
    }
    return view;
  }

  /** Plans the cache for a stage from the lengths of every row it reads; logs when features do not fit. */
  beginStage(stage: PlannedStage): void {
    const lengths = [
      ...(stage.unlabelledRatio < 1 ? this.setup.train : []),
      ...(stage.unlabelledRatio > 0 ? this.setup.unlabelled : []),
    ].map((e) => e.inputIds.length);
    const { plan, message } = this.cache.beginStage(
      stage.teacher,
      teacherNeeds(stage),
      masksInputs(stage),
      lengths,
      this.shape(stage.teacher),
    );
    if (message !== undefined) this.log(`stage "${stage.name}": ${message}`);
    else if (plan.features)
      this.log(`stage "${stage.name}": caching teacher features (about ${formatMib(plan.featureBytes)} MiB)`);
    else if (masksInputs(stage) && (this.setup.config.training?.cacheTeacher ?? 'logits') !== 'none')
      this.log(
        `stage "${stage.name}": teacher outputs are not cached (its inputs are masked afresh every step)`,
      );
  }

  /** Logs how many of the stage's teacher batches the cache served, when it cached anything. */
  endStage(stage: PlannedStage): void {
    const { hits, misses } = this.cache.stats;
    if (hits + misses > 0)
      this.log(
        `stage "${stage.name}": teacher cache served ${hits} of ${hits + misses} batches (${misses} teacher passes)`,
      );
  }

  /** The stage teacher's outputs for a batch of `rows`, from the cache when it has them all. */
  async outputs(
    stage: PlannedStage,
    batch: Batch,
    rows: readonly RowKey[],
    positions?: tf.Tensor1D,
  ): Promise<TeacherOutput> {
    const needs = teacherNeeds(stage);
    const cached = this.cache.lookup(rows, needs, batch.inputIds.shape[1], this.shape(stage.teacher));
    if (cached !== undefined) return cached;
    const out = await (await this.runner(stage.teacher)).run(batch, needs, positions);
    this.cache.store(rows, out, needs);
    return out;
  }

  async dispose(): Promise<void> {
    for (const runner of this.runners.values()) await runner.dispose();
    this.runners.clear();
    this.cache.clear();
  }
}
