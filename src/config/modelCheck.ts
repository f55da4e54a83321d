// Checks that teacher and student fit the chosen losses, layer mapping and stages: widths (projection needed),
// head counts (head mapping needed), depths (mapping and trainable layers in range), positions vs max length, and
// that each stage's teacher can do what the stage asks (a masked-LM head, an ONNX runtime's limits).
import type { DistillConfig, LossesSpec, StageSpec } from '../protocol/config';
import type { DataSummary } from './dataCheck';
import type { JsonPath } from './jsonDocument';
import { layerMappingProblems } from './layerMapping';
import type { ModelShape } from './modelShape';
import type { Reporter } from './reporter';
import { expandStages } from './stagePresets';

type LossName = keyof LossesSpec;

/** Weights that apply when a config does not set one. Soft and hard labels are on; feature losses are opt-in. */
export const DEFAULT_LOSS_WEIGHTS: Readonly<Record<LossName, number>> = {
  softLabel: 1,
  hardLabel: 1,
  hidden: 0,
  attention: 0,
  embedding: 0,
  featureMap: 0,
  maskedLm: 1,
};

/** How to fix a teacher without a masked-LM head (validation and the trainer say the same). */
export const MLM_HEAD_FIX =
  'Give "pretrainTeacher": { "checkpoint": "<folder>" } with a pre-trained model saved as BertForMaskedLM, BertForPreTraining or MobileBertForMaskedLM (for instance the model the teacher was fine-tuned from), or set "losses.maskedLm.weight": 0 in the pretrain-distill stage to distil only hidden states and attention on unlabelled text (TinyBERT general distillation).';

/** Top-level losses with a stage's terms merged over them, term by term. */
export function mergeLosses(base: LossesSpec | undefined, stage: LossesSpec | undefined): LossesSpec {
  const merged: Record<string, unknown> = { ...base };
  for (const [name, term] of Object.entries(stage ?? {})) {
    merged[name] = { ...(base?.[name as LossName] as object | undefined), ...(term as object) };
  }
  return merged as LossesSpec;
}

function weightOf(losses: LossesSpec, name: LossName): number {
  const term = losses[name];
  const weight = term?.weight ?? DEFAULT_LOSS_WEIGHTS[name];
  const scheduled = term?.schedule ? Math.max(term.schedule.from, term.schedule.to) : 1;
  return weight * scheduled;
}

/** Where to point for a loss setting: the stage's own term when it has one, else the top-level one. */
function lossPath(
  doc: Reporter['doc'],
  stagePath: JsonPath | undefined,
  name: LossName,
  field?: string,
): JsonPath {
  const tail = field === undefined ? [name] : [name, field];
  if (stagePath !== undefined && doc.has([...stagePath, 'losses', name]))
    return [...stagePath, 'losses', ...tail];
  if (doc.has(['losses', name])) return ['losses', ...tail];
  return stagePath ?? ['losses'];
}

function checkWidths(
  teacher: ModelShape,
  student: ModelShape,
  losses: LossesSpec,
  stagePath: JsonPath | undefined,
  report: Reporter,
): void {
  for (const name of ['hidden', 'embedding'] as const) {
    if (weightOf(losses, name) <= 0) continue;
    const projection = losses[name]?.projection ?? false;
    if (!projection && teacher.hiddenSize !== student.hiddenSize) {
      report.at(
        'error',
        'hidden-width-mismatch',
        lossPath(report.doc, stagePath, name, 'projection'),
        `The ${name} loss compares teacher states of width ${teacher.hiddenSize} with student states of width ${student.hiddenSize}. Set "losses.${name}.projection": true to learn a ${student.hiddenSize}->${teacher.hiddenSize} projection (TinyBERT's W_h), or give the student hidden_size ${teacher.hiddenSize}.`,
      );
    }
  }
}

function checkHeads(
  teacher: ModelShape,
  student: ModelShape,
  losses: LossesSpec,
  stagePath: JsonPath | undefined,
  report: Reporter,
): void {
  if (weightOf(losses, 'attention') <= 0) return;
  const mapping = losses.attention?.headMapping ?? 'none';
  const path = lossPath(report.doc, stagePath, 'attention', 'headMapping');
  const t = teacher.heads;
  const s = student.heads;
  if (mapping === 'none' && t !== s) {
    const group =
      t % s === 0 ? `"group" (each student head learns the mean of ${t / s} teacher heads) or ` : '';
    report.at(
      'error',
      'head-count-mismatch',
      path,
      `The attention loss compares ${t} teacher heads with ${s} student heads. Set "losses.attention.headMapping" to ${group}"mean" (average over all heads).`,
    );
  } else if (mapping === 'group' && t % s !== 0) {
    report.at(
      'error',
      'head-group-indivisible',
      path,
      `headMapping "group" needs the teacher's head count (${t}) to be a multiple of the student's (${s}). Use "mean", or give the student a head count that divides ${t}.`,
    );
  }
}

function checkMapping(
  config: DistillConfig,
  stage: StageSpec | undefined,
  stagePath: JsonPath | undefined,
  teacher: ModelShape,
  student: ModelShape,
  report: Reporter,
): void {
  const spec = stage?.layerMapping ?? config.layerMapping;
  const base: JsonPath =
    stage?.layerMapping !== undefined && stagePath !== undefined
      ? [...stagePath, 'layerMapping']
      : ['layerMapping'];
  for (const problem of layerMappingProblems(spec, teacher.layers, student.layers)) {
    const path: JsonPath =
      problem.pairIndex !== undefined
        ? [...base, 'pairs', problem.pairIndex, ...(problem.field ? [problem.field] : [])]
        : [...base, 'strategy'];
    report.at('error', 'layer-map-out-of-range', path, problem.message);
  }
  if ((spec?.strategy ?? 'uniform') === 'uniform' && student.layers > teacher.layers && stage === undefined) {
    report.at(
      'info',
      'layer-map-shared',
      [...base, 'strategy'],
      `The student (${student.layers} layers) is deeper than the teacher (${teacher.layers}); "uniform" lets several student layers learn from the same teacher layer.`,
    );
  }
  if (spec?.strategy !== 'explicit' && spec?.pairs !== undefined) {
    report.at(
      'warning',
      'layer-map-pairs-ignored',
      [...base, 'pairs'],
      `"pairs" is ignored unless "strategy" is "explicit".`,
    );
  }
}

/** A stage's teacher: the pretrainTeacher in pretrain-distill stages when there is one, else the teacher. */
interface StageTeacher {
  shape: ModelShape;
  key: 'teacher' | 'pretrainTeacher';
}

/** What a stage asks of its teacher beyond shapes: a masked-LM head, and what an ONNX runtime can give. */
function checkStageTeacher(
  stage: StageSpec,
  losses: LossesSpec,
  teacher: StageTeacher,
  stagePath: JsonPath | undefined,
  report: Reporter,
): void {
  const { shape, key } = teacher;
  if (stage.kind === 'pretrain-distill' && weightOf(losses, 'maskedLm') > 0) {
    const why = shape.onnxOnly
      ? `is given only as an ONNX file, which cannot give masked-LM predictions at a few positions; add "${key}.checkpoint" (the same model's weights) beside "onnx"`
      : !shape.hasWeights
        ? 'has no checkpoint: a teacher trained here is a classifier without a masked-LM head'
        : shape.hasMaskedLmHead === false
          ? `checkpoint (${shape.checkpointDir ?? ''}) has no masked-LM head (no cls.predictions.* tensors; a *ForSequenceClassification or bare model)`
          : undefined;
    if (why !== undefined)
      report.at(
        'error',
        'teacher-no-mlm-head',
        stagePath !== undefined ? [...stagePath, 'kind'] : [key],
        `Stage "${stage.name}" distils masked-LM predictions, but the ${key} ${why}. ${MLM_HEAD_FIX}`,
      );
  }
  if (
    shape.runtime === 'onnx' &&
    weightOf(losses, 'attention') > 0 &&
    losses.attention?.kind === 'mse-scores'
  )
    report.at(
      'error',
      'onnx-teacher-unsupported',
      lossPath(report.doc, stagePath, 'attention', 'kind'),
      `Attention "kind": "mse-scores" compares pre-softmax scores, which an ONNX teacher does not output (exports carry attention probabilities). Use "kind": "mse" or "kl", or "${key}.runtime": "tfjs".`,
    );
}

function checkStage(
  stage: StageSpec,
  index: number,
  config: DistillConfig,
  stageTeacher: StageTeacher,
  student: ModelShape,
  written: boolean,
  report: Reporter,
): void {
  const teacher = stageTeacher.shape;
  const stagePath: JsonPath | undefined = written ? ['stages', index] : undefined;
  const at = (field: string): JsonPath => (stagePath ? [...stagePath, field] : ['stages']);
  if (Array.isArray(stage.trainLayers)) {
    stage.trainLayers.forEach((layer, i) => {
      if (layer > student.layers) {
        report.at(
          'error',
          'stage-layer-out-of-range',
          stagePath ? [...stagePath, 'trainLayers', i] : ['stages'],
          `Stage "${stage.name}" trains student layer ${layer}, but the student has layers 0 (embeddings) to ${student.layers}.`,
        );
      }
    });
  }
  const hasUnlabelled = (config.data.unlabelled ?? []).length > 0;
  const data = stage.data ?? (stage.kind === 'pretrain-distill' ? 'unlabelled' : 'both');
  if (data === 'unlabelled' && !hasUnlabelled) {
    report.at(
      'error',
      'stage-needs-unlabelled',
      at(stage.data === undefined ? 'kind' : 'data'),
      `Stage "${stage.name}" needs unlabelled text: add files to "data.unlabelled" (one example per line)${stage.kind === 'pretrain-distill' ? ', or set "data": "labelled" to pre-train on the labelled texts' : ''}.`,
    );
  }
  if (stage.kind === 'train') {
    if (stage.model === 'teacher' && teacher.onnxOnly)
      report.at(
        'error',
        'onnx-teacher-unsupported',
        at('model'),
        `Stage "${stage.name}" trains the teacher, which is given only as an ONNX file (TensorFlow.js trains, onnxruntime only runs). Give "teacher.checkpoint" (or a preset) to train it, or drop this stage.`,
      );
    return;
  }
  const losses = mergeLosses(config.losses, stage.losses);
  const names: LossName[] =
    stage.kind === 'pretrain-distill'
      ? ['maskedLm', 'hidden', 'attention', 'embedding', 'featureMap']
      : ['softLabel', 'hardLabel', 'hidden', 'attention', 'embedding', 'featureMap'];
  if (names.every((name) => weightOf(losses, name) <= 0)) {
    report.at(
      'error',
      'stage-no-loss',
      stagePath ?? ['losses'],
      `Stage "${stage.name}" has no loss with a weight above 0, so it would learn nothing. Give at least one loss a positive weight.`,
    );
  }
  checkWidths(teacher, student, losses, stagePath, report);
  checkHeads(teacher, student, losses, stagePath, report);
  checkStageTeacher(stage, losses, stageTeacher, stagePath, report);
  if (stage.layerMapping !== undefined) checkMapping(config, stage, stagePath, teacher, student, report);
}

export function checkModels(
  config: DistillConfig,
  teacher: ModelShape,
  student: ModelShape,
  data: DataSummary,
  report: Reporter,
  pretrainTeacher?: ModelShape,
): void {
  const written = Array.isArray(config.stages);
  const stages = expandStages(config, teacher.layers, student.layers);
  checkMapping(config, undefined, undefined, teacher, student, report);
  const teacherOf = (stage: StageSpec): StageTeacher =>
    stage.kind === 'pretrain-distill' && pretrainTeacher !== undefined
      ? { shape: pretrainTeacher, key: 'pretrainTeacher' }
      : { shape: teacher, key: 'teacher' };
  // Pretrain stages without their own mapping apply the top-level one to the pretrainTeacher's depth.
  if (pretrainTeacher !== undefined && stages.some((s) => s.kind === 'pretrain-distill' && !s.layerMapping))
    checkMapping(config, undefined, undefined, pretrainTeacher, student, report);
  if (pretrainTeacher !== undefined && !pretrainTeacher.hasWeights)
    report.at(
      'error',
      'teacher-untrained',
      ['pretrainTeacher'],
      `"pretrainTeacher" needs trained weights ("checkpoint", or "onnx"): no stage trains it. Point it at a pre-trained checkpoint, or remove it to let pretrain-distill stages use "teacher".`,
      'key',
    );

  const names = new Map<string, number>();
  let teacherTrained = teacher.hasWeights;
  stages.forEach((stage, index) => {
    const first = names.get(stage.name);
    if (first !== undefined && written) {
      report.at(
        'error',
        'stage-duplicate-name',
        ['stages', index, 'name'],
        `Stage name "${stage.name}" is already used by stage ${first + 1}; names must be unique (they label checkpoints and events).`,
      );
    }
    names.set(stage.name, index);
    if (stage.kind === 'train' && stage.model === 'teacher') teacherTrained = true;
    const stageTeacher = teacherOf(stage);
    if (stage.kind !== 'train' && stageTeacher.key === 'teacher' && !teacherTrained) {
      report.at(
        'error',
        'teacher-untrained',
        written ? ['stages', index, 'kind'] : ['teacher'],
        `Stage "${stage.name}" distils from the teacher, but the teacher has no checkpoint and no earlier stage trains it. Give "teacher.checkpoint", or add a stage { "kind": "train", "model": "teacher" } first (or use "stages": "teacher-then-distill").`,
      );
      teacherTrained = true; // report once
    }
    checkStage(stage, index, config, stageTeacher, student, written, report);
  });

  const maxLength = config.data.maxLength ?? 128;
  const roles: ['teacher' | 'student' | 'pretrainTeacher', ModelShape][] = [
    ['teacher', teacher],
    ['student', student],
    ...(pretrainTeacher !== undefined
      ? [['pretrainTeacher', pretrainTeacher] as ['pretrainTeacher', ModelShape]]
      : []),
  ];
  for (const [role, shape] of roles) {
    if (maxLength > shape.maxPositions) {
      report.at(
        'error',
        'max-length-exceeds-positions',
        report.doc.has(['data', 'maxLength']) ? ['data', 'maxLength'] : ['data'],
        `data.maxLength ${maxLength} exceeds the ${role}'s max_position_embeddings ${shape.maxPositions}; set "data.maxLength" to at most ${shape.maxPositions}.`,
      );
    }
    if (data.hasPairs && shape.typeVocabSize < 2) {
      report.at(
        'error',
        'pairs-need-token-types',
        [role],
        `Text pairs need 2 token types, but the ${role} has type_vocab_size ${shape.typeVocabSize}.`,
      );
    }
    if (
      role !== 'pretrainTeacher' &&
      shape.labels !== undefined &&
      data.labels !== undefined &&
      shape.hasWeights
    ) {
      const same =
        shape.labels.length === data.labels.length && shape.labels.every((l, i) => l === data.labels?.[i]);
      const generic = shape.labels.every((l) => /^LABEL_\d+$/.test(l));
      if (shape.labels.length !== data.labels.length) {
        report.at(
          'error',
          'label-count-mismatch',
          [role, 'checkpoint'],
          `The ${role} checkpoint predicts ${shape.labels.length} labels (${shape.labels.join(', ')}) but the data has ${data.labels.length} (${data.labels.join(', ')}).`,
        );
      } else if (!same && !generic) {
        report.at(
          'warning',
          'label-order-mismatch',
          report.doc.has(['data', 'labels']) ? ['data', 'labels'] : [role, 'checkpoint'],
          `The ${role} checkpoint's labels are [${shape.labels.join(', ')}] but the data's order is [${data.labels.join(', ')}]. Set "data.labels" to the checkpoint's order so label ids mean the same thing.`,
        );
      }
    }
  }
}
