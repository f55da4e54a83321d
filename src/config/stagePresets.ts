// Built-in stage schedules, expanded to explicit stages so the trainer and the validator see the same plan.
// TinyBERT (Jiao et al. 2020): general distillation on unlabelled text (intermediate layers only, from the
// pre-trained teacher), then task distillation: intermediate layers, then the prediction layer.
// MobileBERT (Sun et al. 2020): pre-training distillation (masked-LM KD with the layer-wise feature and attention
// transfer), then progressive knowledge transfer: layer l trains while the layers below it are frozen.
import type { DistillConfig, LossesSpec, StageSpec } from '../protocol/config';
import { resolveLayerMapping } from './layerMapping';

const OFF = { weight: 0 } as const;

const INTERMEDIATE: LossesSpec = {
  hidden: { weight: 1 },
  attention: { weight: 1 },
  embedding: { weight: 1 },
  softLabel: OFF,
  hardLabel: OFF,
};

const PREDICTION: LossesSpec = {
  softLabel: { weight: 1 },
  hidden: OFF,
  attention: OFF,
  embedding: OFF,
  featureMap: OFF,
};

/** TinyBERT's general distillation: Transformer-layer and embedding distillation on plain text, no masking. */
const GENERAL: LossesSpec = {
  maskedLm: OFF,
  hidden: { weight: 1 },
  attention: { weight: 1 },
  embedding: { weight: 1 },
};

/** MobileBERT's pre-training distillation: masked-LM KD plus every mapped layer's hidden states and attention. */
const PRETRAIN: LossesSpec = {
  maskedLm: { weight: 1 },
  hidden: { weight: 1 },
  attention: { weight: 1 },
};

function tinybertTwoStep(): StageSpec[] {
  return [
    { name: 'intermediate', kind: 'distill', trainHead: false, losses: INTERMEDIATE },
    { name: 'prediction', kind: 'distill', losses: PREDICTION },
  ];
}

function mobilebertProgressive(
  config: DistillConfig,
  teacherLayers: number,
  studentLayers: number,
): StageSpec[] {
  const matches = resolveLayerMapping(config.layerMapping, teacherLayers, studentLayers);
  const perLayer: StageSpec[] = [];
  for (let layer = 1; layer <= studentLayers; layer++) {
    const pairs = matches
      .filter((m) => m.studentLayer === layer)
      .map((m) => ({
        teacherLayer: m.teacherLayer,
        studentLayer: m.studentLayer,
        feature: m.feature,
        weight: m.weight,
      }));
    perLayer.push({
      name: `layer-${layer}`,
      kind: 'distill',
      // The first stage also trains the embeddings, which feed every layer above.
      trainLayers: layer === 1 ? [0, 1] : [layer],
      trainHead: false,
      layerMapping: { strategy: 'explicit', pairs },
      losses: {
        hidden: { weight: 1 },
        attention: { weight: 1 },
        softLabel: OFF,
        hardLabel: OFF,
        embedding: OFF,
      },
    });
  }
  return [...perLayer, { name: 'prediction', kind: 'distill', losses: PREDICTION }];
}

/** The explicit stages a config runs, whether written out or named by a preset. */
export function expandStages(
  config: DistillConfig,
  teacherLayers: number,
  studentLayers: number,
): StageSpec[] {
  const stages = config.stages ?? 'task-distill';
  if (Array.isArray(stages)) return stages;
  switch (stages) {
    case 'task-distill':
      return [{ name: 'distill', kind: 'distill' }];
    case 'teacher-then-distill':
      return [
        { name: 'teacher', kind: 'train', model: 'teacher', losses: { hardLabel: { weight: 1 } } },
        { name: 'distill', kind: 'distill' },
      ];
    case 'tinybert-two-step':
      return tinybertTwoStep();
    case 'mobilebert-progressive':
      return mobilebertProgressive(config, teacherLayers, studentLayers);
    case 'tinybert-general-task':
      return [{ name: 'general', kind: 'pretrain-distill', losses: GENERAL }, ...tinybertTwoStep()];
    case 'mobilebert-pretrain-progressive':
      return [
        { name: 'pretrain', kind: 'pretrain-distill', losses: PRETRAIN },
        ...mobilebertProgressive(config, teacherLayers, studentLayers),
      ];
  }
}
