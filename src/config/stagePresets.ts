// Built-in stage schedules, expanded to explicit stages so the trainer and the validator see the same plan.
// TinyBERT (Jiao et al. 2020): intermediate-layer distillation, then prediction-layer distillation.
// MobileBERT (Sun et al. 2020, progressive knowledge transfer): layer l trains while layers below it are frozen.
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
      return [
        { name: 'intermediate', kind: 'distill', trainHead: false, losses: INTERMEDIATE },
        { name: 'prediction', kind: 'distill', losses: PREDICTION },
      ];
    case 'mobilebert-progressive': {
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
  }
}
