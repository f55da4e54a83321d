// The loss of one batch: the student's forward pass against the teacher's (precomputed, no gradient) outputs,
// every configured term weighted and summed. Task stages add soft and hard labels; pretrain-distill stages add the
// masked-LM term at the selected positions; both add the feature losses of the mapped layers. Pure with respect
// to its inputs; runs inside tf.variableGrads.
import * as tf from '@tensorflow/tfjs';
import type { LossTerms } from '../../protocol/events';
import type { LayerMatch } from '../../config/layerMapping';
import {
  attentionLoss,
  featureMapLoss,
  hardLabelLoss,
  hiddenLoss,
  maskedLmLoss,
  softLabelLoss,
} from '../distill/losses';
import { gatherPositions } from '../distill/maskedLm';
import type { TransformerModel } from '../models/createModel';
import type { ModelOutput, SeedStream } from '../models/nn';
import type { Batch } from './dataset';
import { masksInputs, scheduled, type PlannedStage } from './plan';

/** Which teacher outputs a stage's losses read. Layers are teacher layers (0 = embedding output). */
export interface TeacherNeeds {
  /** Task logits [B, C], for soft labels in `distill` stages. */
  logits: boolean;
  /** Masked-LM logits at the selected positions [N, V], in masking pretrain-distill stages. */
  maskedLm: boolean;
  hiddenLayers: number[];
  attentionLayers: number[];
  /** Attention probabilities, or pre-softmax scores for `mse-scores`. */
  attentionKind: 'probs' | 'scores';
}

/** A loss term is needed when its weight is above 0 at some point of its schedule. */
function active(term: { weight: number; schedule?: { from: number; to: number } }): boolean {
  const peak = term.schedule ? Math.max(term.schedule.from, term.schedule.to) : 1;
  return term.weight * peak > 0;
}

function hiddenMatches(stage: PlannedStage): LayerMatch[] {
  return stage.matches.filter((m) => m.feature !== 'attention');
}

function attentionMatches(stage: PlannedStage): LayerMatch[] {
  return stage.matches.filter((m) => m.feature !== 'hidden' && m.teacherLayer > 0 && m.studentLayer > 0);
}

const sorted = (layers: Iterable<number>): number[] => [...new Set(layers)].sort((a, b) => a - b);

export function teacherNeeds(stage: PlannedStage): TeacherNeeds {
  const l = stage.losses;
  const hidden = new Set<number>();
  if (active(l.hidden) || active(l.featureMap))
    for (const m of hiddenMatches(stage)) hidden.add(m.teacherLayer);
  if (active(l.embedding)) hidden.add(0);
  return {
    logits: stage.kind === 'distill' && active(l.softLabel),
    maskedLm: masksInputs(stage),
    hiddenLayers: sorted(hidden),
    attentionLayers: active(l.attention) ? sorted(attentionMatches(stage).map((m) => m.teacherLayer)) : [],
    attentionKind: l.attention.kind === 'mse-scores' ? 'scores' : 'probs',
  };
}

/** Teacher outputs for one batch; hidden states and attention maps keyed by teacher layer. */
export interface TeacherOutput {
  logits?: tf.Tensor2D;
  maskedLmLogits?: tf.Tensor2D;
  hidden: Map<number, tf.Tensor3D>;
  attention: Map<number, tf.Tensor4D>;
}

export function disposeTeacherOutput(out: TeacherOutput): void {
  out.logits?.dispose();
  out.maskedLmLogits?.dispose();
  for (const t of out.hidden.values()) t.dispose();
  for (const t of out.attention.values()) t.dispose();
}

/** A pretrain-distill batch: corrupted `inputIds`, with the selected positions and their original tokens. */
export interface MaskedBatch extends Batch {
  /** Flat indices into [B * T] of the selected positions [N]. */
  positions: tf.Tensor1D;
  /** The original tokens there [N]. */
  targets: tf.Tensor1D;
}

export interface StepContext {
  stage: PlannedStage;
  /** 0..1 through the stage, for weight and temperature schedules. */
  progress: number;
  seeds: SeedStream;
  /** Learned projections (student width -> teacher width), by `hidden.<studentLayer>` / `embedding`. */
  projections: ReadonlyMap<string, tf.Variable>;
}

type Terms = Map<keyof LossTerms, tf.Scalar>;

function studentForward(student: TransformerModel, batch: Batch, ctx: StepContext): ModelOutput {
  const needs = teacherNeeds(ctx.stage);
  return student.forward(
    { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
    {
      outputHiddenStates: needs.hiddenLayers.length > 0,
      outputAttentions: needs.attentionLayers.length > 0 && needs.attentionKind === 'probs',
      outputAttentionScores: needs.attentionLayers.length > 0 && needs.attentionKind === 'scores',
      training: true,
      seeds: ctx.seeds,
    },
  );
}

/** The weighted sum of the terms that have a weight above 0 (terms at weight 0 are still reported). */
class Collector {
  readonly terms: Terms = new Map();
  private readonly weighted: tf.Scalar[] = [];

  add(name: keyof LossTerms, weight: number, value: tf.Scalar): void {
    this.terms.set(name, value);
    if (weight > 0) this.weighted.push(tf.mul(value, weight) as tf.Scalar);
  }

  total(): tf.Scalar {
    return this.weighted.length > 0 ? (tf.addN(this.weighted) as tf.Scalar) : (tf.scalar(0) as tf.Scalar);
  }
}

/** Hidden-state, embedding, feature-map and attention terms of the mapped layers, shared by both stage kinds. */
function addFeatureTerms(
  out: ModelOutput,
  teacherOut: TeacherOutput,
  mask: tf.Tensor2D,
  ctx: StepContext,
  collect: Collector,
): void {
  const { stage, progress } = ctx;
  const l = stage.losses;
  const mean = (parts: { value: tf.Scalar; weight: number }[]): tf.Scalar =>
    tf.div(
      tf.addN(parts.map((p) => tf.mul(p.value, p.weight))),
      parts.reduce((a, p) => a + p.weight, 0) || 1,
    ) as tf.Scalar;
  const sH = out.hiddenStates;
  const tH = teacherOut.hidden;
  const pairs = hiddenMatches(stage).filter((m) => tH.has(m.teacherLayer));
  const hiddenWeight = scheduled(l.hidden.weight, l.hidden.schedule, progress);
  if (hiddenWeight > 0 && sH && pairs.length > 0) {
    const parts = pairs.map((m) => ({
      value: hiddenLoss(
        sH[m.studentLayer] as tf.Tensor3D,
        tH.get(m.teacherLayer) as tf.Tensor3D,
        mask,
        l.hidden.kind,
        ctx.projections.get(`hidden.${m.studentLayer}`) as tf.Tensor2D | undefined,
      ),
      weight: m.weight,
    }));
    collect.add('hidden', hiddenWeight, mean(parts));
  }
  const embeddingWeight = scheduled(l.embedding.weight, l.embedding.schedule, progress);
  const tE = tH.get(0);
  if (embeddingWeight > 0 && sH?.[0] && tE) {
    collect.add(
      'embedding',
      embeddingWeight,
      hiddenLoss(
        sH[0],
        tE,
        mask,
        l.embedding.kind,
        ctx.projections.get('embedding') as tf.Tensor2D | undefined,
      ),
    );
  }
  const featureWeight = scheduled(l.featureMap.weight, l.featureMap.schedule, progress);
  if (featureWeight > 0 && sH && pairs.length > 0) {
    collect.add(
      'featureMap',
      featureWeight,
      mean(
        pairs.map((m) => ({
          value: featureMapLoss(
            sH[m.studentLayer] as tf.Tensor3D,
            tH.get(m.teacherLayer) as tf.Tensor3D,
            mask,
          ),
          weight: m.weight,
        })),
      ),
    );
  }
  const attentionWeight = scheduled(l.attention.weight, l.attention.schedule, progress);
  const sA = l.attention.kind === 'mse-scores' ? out.attentionScores : out.attentions;
  const tA = teacherOut.attention;
  const attentionPairs = attentionMatches(stage).filter((m) => tA.has(m.teacherLayer));
  if (attentionWeight > 0 && sA && attentionPairs.length > 0) {
    const parts = attentionPairs.map((m) => ({
      value: attentionLoss(
        sA[m.studentLayer - 1] as tf.Tensor4D,
        tA.get(m.teacherLayer) as tf.Tensor4D,
        mask,
        l.attention.kind,
        l.attention.headMapping,
      ),
      weight: m.weight,
    }));
    collect.add('attention', attentionWeight, mean(parts));
  }
}

/**
 * Total loss and its terms for a task-distillation batch. Terms are averaged over the layer matches they use,
 * each match scaled by its weight. `teacherOut` lacks logits when the soft-label loss is off.
 */
export function distillLoss(
  student: TransformerModel,
  batch: Batch,
  teacherOut: TeacherOutput,
  ctx: StepContext,
): { total: tf.Scalar; terms: Terms } {
  const { stage, progress } = ctx;
  const l = stage.losses;
  const out = studentForward(student, batch, ctx);
  const collect = new Collector();
  const softWeight = scheduled(l.softLabel.weight, l.softLabel.schedule, progress);
  if (softWeight > 0 && out.logits && teacherOut.logits) {
    const temperature = l.softLabel.temperatureSchedule
      ? scheduled(1, l.softLabel.temperatureSchedule, progress)
      : l.softLabel.temperature;
    collect.add(
      'softLabel',
      softWeight,
      softLabelLoss(out.logits as tf.Tensor2D, teacherOut.logits, temperature, l.softLabel.kind),
    );
  }
  const hardWeight = scheduled(l.hardLabel.weight, l.hardLabel.schedule, progress);
  // An unlabelled batch has no gold labels: the term is left out rather than reported as a loss of 0.
  if (hardWeight > 0 && out.logits && batch.labelled > 0)
    collect.add(
      'hardLabel',
      hardWeight,
      hardLabelLoss(out.logits as tf.Tensor2D, batch.labels, batch.labelWeights),
    );
  addFeatureTerms(out, teacherOut, batch.attentionMask, ctx, collect);
  return { total: collect.total(), terms: collect.terms };
}

/**
 * Total loss of a pretrain-distill batch: masked-LM distillation at the selected positions (the student's final
 * hidden states gathered there, then its masked-LM head: [N, D] -> [N, V]) plus the feature terms. Without
 * masking (`batch.positions` absent) only the feature terms apply.
 */
export function pretrainLoss(
  student: TransformerModel,
  batch: Batch | MaskedBatch,
  teacherOut: TeacherOutput,
  ctx: StepContext,
): { total: tf.Scalar; terms: Terms } {
  const l = ctx.stage.losses;
  const out = studentForward(student, batch, ctx);
  const collect = new Collector();
  const weight = scheduled(l.maskedLm.weight, l.maskedLm.schedule, ctx.progress);
  if ('positions' in batch && teacherOut.maskedLmLogits && weight > 0) {
    const gathered = gatherPositions(out.lastHiddenState, batch.positions); // [B, T, D] -> [N, D]
    const studentLogits = student.maskedLmLogits(gathered); // [N, V]
    collect.add(
      'maskedLm',
      weight,
      maskedLmLoss(
        studentLogits,
        teacherOut.maskedLmLogits,
        l.maskedLm.temperature,
        batch.targets,
        l.maskedLm.hardWeight,
      ),
    );
  }
  addFeatureTerms(out, teacherOut, batch.attentionMask, ctx, collect);
  return { total: collect.total(), terms: collect.terms };
}

/** Supervised loss for a `train` stage: cross-entropy on gold labels. */
export function trainLoss(
  model: TransformerModel,
  batch: Batch,
  seeds: SeedStream,
): { total: tf.Scalar; terms: Terms } {
  const out = model.forward(
    { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
    { training: true, seeds },
  );
  const ce = hardLabelLoss(out.logits as tf.Tensor2D, batch.labels, batch.labelWeights);
  return { total: ce, terms: new Map([['hardLabel', ce]]) };
}
