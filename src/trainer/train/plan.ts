// Resolves a validated config into the concrete plan the trainer runs: stages with their step counts, effective
// loss settings (stage terms merged over the top level, defaults filled) and layer matches.
import type { DistillConfig, LossesSpec, StageSpec, WeightSchedule } from '../../protocol/config';
import { DEFAULT_LOSS_WEIGHTS, mergeLosses } from '../../config/modelCheck';
import { resolveLayerMapping, type LayerMatch } from '../../config/layerMapping';
import { expandStages } from '../../config/stagePresets';

export interface EffectiveLosses {
  softLabel: {
    weight: number;
    kind: 'kl' | 'mse';
    temperature: number;
    schedule?: WeightSchedule;
    temperatureSchedule?: WeightSchedule;
  };
  hardLabel: { weight: number; schedule?: WeightSchedule };
  hidden: { weight: number; kind: 'mse' | 'cosine'; projection: boolean; schedule?: WeightSchedule };
  attention: {
    weight: number;
    kind: 'mse' | 'kl' | 'mse-scores';
    headMapping: 'none' | 'mean' | 'group';
    schedule?: WeightSchedule;
  };
  embedding: { weight: number; kind: 'mse' | 'cosine'; projection: boolean; schedule?: WeightSchedule };
  featureMap: { weight: number; schedule?: WeightSchedule };
  maskedLm: {
    weight: number;
    probability: number;
    temperature: number;
    hardWeight: number;
    schedule?: WeightSchedule;
  };
}

export interface PlannedStage {
  index: number;
  name: string;
  kind: StageSpec['kind'];
  model: 'teacher' | 'student';
  /** Which teacher teaches: `pretrain` (config.pretrainTeacher) in pretrain-distill stages when one is given. */
  teacher: 'task' | 'pretrain';
  steps: number;
  stepsPerEpoch: number;
  trainLayers: 'all' | number[];
  trainHead: boolean;
  learningRate: number;
  /** Share of steps that draw an unlabelled batch. */
  unlabelledRatio: number;
  losses: EffectiveLosses;
  matches: LayerMatch[];
}

function withSchedule<T extends object>(
  base: T,
  schedule: WeightSchedule | undefined,
): T & { schedule?: WeightSchedule } {
  return schedule === undefined ? base : { ...base, schedule };
}

export function effectiveLosses(spec: LossesSpec): EffectiveLosses {
  const w = (name: keyof LossesSpec): number => spec[name]?.weight ?? DEFAULT_LOSS_WEIGHTS[name];
  const soft = spec.softLabel;
  return {
    softLabel: {
      ...withSchedule(
        { weight: w('softLabel'), kind: soft?.kind ?? 'kl', temperature: soft?.temperature ?? 2 },
        soft?.schedule,
      ),
      ...(soft?.temperatureSchedule !== undefined ? { temperatureSchedule: soft.temperatureSchedule } : {}),
    },
    hardLabel: withSchedule({ weight: w('hardLabel') }, spec.hardLabel?.schedule),
    hidden: withSchedule(
      { weight: w('hidden'), kind: spec.hidden?.kind ?? 'mse', projection: spec.hidden?.projection ?? false },
      spec.hidden?.schedule,
    ),
    attention: withSchedule(
      {
        weight: w('attention'),
        kind: spec.attention?.kind ?? 'mse',
        headMapping: spec.attention?.headMapping ?? 'none',
      },
      spec.attention?.schedule,
    ),
    embedding: withSchedule(
      {
        weight: w('embedding'),
        kind: spec.embedding?.kind ?? 'mse',
        projection: spec.embedding?.projection ?? false,
      },
      spec.embedding?.schedule,
    ),
    featureMap: withSchedule({ weight: w('featureMap') }, spec.featureMap?.schedule),
    maskedLm: withSchedule(
      {
        weight: w('maskedLm'),
        probability: spec.maskedLm?.maskProbability ?? 0.15,
        temperature: spec.maskedLm?.temperature ?? 1,
        hardWeight: spec.maskedLm?.hardWeight ?? 0,
      },
      spec.maskedLm?.schedule,
    ),
  };
}

/** Whether a stage masks its inputs: a `pretrain-distill` stage whose masked-LM loss is on at some point. */
export function masksInputs(stage: Pick<PlannedStage, 'kind' | 'losses'>): boolean {
  const m = stage.losses.maskedLm;
  const peak = m.schedule ? m.weight * Math.max(m.schedule.from, m.schedule.to) : m.weight;
  return stage.kind === 'pretrain-distill' && peak > 0;
}

/** A weight (or temperature) at `progress` in [0, 1] of the stage. */
export function scheduled(value: number, schedule: WeightSchedule | undefined, progress: number): number {
  if (schedule === undefined) return value;
  const p = Math.min(1, Math.max(0, progress));
  const f =
    schedule.kind === 'constant' ? 0 : schedule.kind === 'cosine' ? 0.5 * (1 - Math.cos(Math.PI * p)) : p;
  const factor = schedule.from + (schedule.to - schedule.from) * f;
  return value * factor;
}

export interface PlanInputs {
  labelledExamples: number;
  unlabelledExamples: number;
  teacherLayers: number;
  studentLayers: number;
  /** Depth of config.pretrainTeacher, when there is one. */
  pretrainTeacherLayers?: number;
}

/** The data a stage reads when it does not say: pretrain-distill stages learn from unlabelled text. */
export function stageData(stage: StageSpec): 'labelled' | 'unlabelled' | 'both' {
  return stage.data ?? (stage.kind === 'pretrain-distill' ? 'unlabelled' : 'both');
}

export function planStages(config: DistillConfig, inputs: PlanInputs): PlannedStage[] {
  const batchSize = config.training?.batchSize ?? 32;
  const accumulation = config.training?.gradientAccumulationSteps ?? 1;
  const labelledBatches = Math.max(1, Math.ceil(inputs.labelledExamples / (batchSize * accumulation)));
  return expandStages(config, inputs.teacherLayers, inputs.studentLayers).map((stage, index) => {
    const data = stageData(stage);
    const useUnlabelled = stage.kind !== 'train' && inputs.unlabelledExamples > 0 && data !== 'labelled';
    const ratio = data === 'unlabelled' ? 1 : useUnlabelled ? (config.data.unlabelledRatio ?? 0.5) : 0;
    const stepsPerEpoch =
      ratio >= 1
        ? Math.max(1, Math.ceil(inputs.unlabelledExamples / batchSize))
        : Math.ceil(labelledBatches / (1 - ratio));
    const epochs = stage.epochs ?? config.training?.epochs ?? 3;
    const steps = stage.steps ?? Math.max(1, Math.round(epochs * stepsPerEpoch));
    const losses = effectiveLosses(mergeLosses(config.losses, stage.losses));
    const teacher =
      stage.kind === 'pretrain-distill' && inputs.pretrainTeacherLayers !== undefined ? 'pretrain' : 'task';
    const matches = resolveLayerMapping(
      stage.layerMapping ?? config.layerMapping,
      teacher === 'pretrain' ? (inputs.pretrainTeacherLayers ?? inputs.teacherLayers) : inputs.teacherLayers,
      inputs.studentLayers,
    );
    return {
      index,
      name: stage.name,
      kind: stage.kind,
      model: stage.kind === 'train' ? (stage.model ?? 'student') : 'student',
      teacher,
      steps,
      stepsPerEpoch,
      trainLayers: stage.trainLayers ?? 'all',
      trainHead: stage.trainHead ?? true,
      learningRate: stage.learningRate ?? config.optimizer?.learningRate ?? 5e-5,
      unlabelledRatio: ratio,
      losses,
      matches,
    };
  });
}

/** Whether the parameter `name` trains in a stage with these trainable layers (0 = embeddings, n = layer n). */
export function isTrainable(name: string, trainLayers: 'all' | number[], trainHead: boolean): boolean {
  const isHead = name.startsWith('classifier.') || name.startsWith('cls.') || name.includes('.pooler.');
  if (isHead) return trainHead;
  if (trainLayers === 'all') return true;
  const layer = /\.encoder\.layer\.(\d+)\./.exec(name);
  if (layer !== null) return trainLayers.includes(Number(layer[1]) + 1);
  return trainLayers.includes(0); // embeddings
}
