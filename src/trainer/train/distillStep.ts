// The loss of one batch: the student's forward pass against the teacher's (precomputed, no gradient) outputs,
// every configured term weighted and summed. Pure with respect to its inputs; runs inside tf.variableGrads.
import * as tf from '@tensorflow/tfjs';
import type { LossTerms } from '../../protocol/events';
import { attentionLoss, featureMapLoss, hardLabelLoss, hiddenLoss, softLabelLoss } from '../distill/losses';
import type { TransformerModel } from '../models/createModel';
import type { ModelOutput, SeedStream } from '../models/nn';
import type { Batch } from './dataset';
import { scheduled, type PlannedStage } from './plan';

/** What the student needs from the teacher for this stage's active losses. */
export function teacherNeeds(stage: PlannedStage): { hidden: boolean; attentions: boolean; scores: boolean } {
  const l = stage.losses;
  const hidden = l.hidden.weight > 0 || l.embedding.weight > 0 || l.featureMap.weight > 0;
  const attention = l.attention.weight > 0;
  return {
    hidden,
    attentions: attention && l.attention.kind !== 'mse-scores',
    scores: attention && l.attention.kind === 'mse-scores',
  };
}

/** Teacher outputs for a batch, computed without recording gradients. The caller disposes them. */
export function teacherForward(teacher: TransformerModel, batch: Batch, stage: PlannedStage): ModelOutput {
  const needs = teacherNeeds(stage);
  return tf.tidy(() => {
    const out = teacher.forward(
      { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
      {
        outputHiddenStates: needs.hidden,
        outputAttentions: needs.attentions,
        outputAttentionScores: needs.scores,
      },
    );
    // Keep only what the losses read, so tidy frees the rest.
    const kept: ModelOutput = { lastHiddenState: out.lastHiddenState };
    if (out.logits) kept.logits = out.logits;
    if (needs.hidden && out.hiddenStates) kept.hiddenStates = out.hiddenStates;
    if (needs.attentions && out.attentions) kept.attentions = out.attentions;
    if (needs.scores && out.attentionScores) kept.attentionScores = out.attentionScores;
    return kept as unknown as tf.TensorContainer;
  }) as unknown as ModelOutput;
}

export function disposeOutput(out: ModelOutput): void {
  const all = [
    out.lastHiddenState,
    out.logits,
    out.pooledOutput,
    ...(out.hiddenStates ?? []),
    ...(out.attentions ?? []),
    ...(out.attentionScores ?? []),
  ];
  for (const t of all) t?.dispose();
}

export interface StepContext {
  stage: PlannedStage;
  /** 0..1 through the stage, for weight and temperature schedules. */
  progress: number;
  seeds: SeedStream;
  /** Learned projections (student width -> teacher width), by `hidden.<studentLayer>` / `embedding`. */
  projections: ReadonlyMap<string, tf.Variable>;
}

/**
 * Total loss and its terms for a distillation batch. Terms are averaged over the layer matches they use, each
 * match scaled by its weight. `teacherOut` may lack logits for an unlabelled-only stage.
 */
export function distillLoss(
  student: TransformerModel,
  batch: Batch,
  teacherOut: ModelOutput,
  ctx: StepContext,
): { total: tf.Scalar; terms: Map<keyof LossTerms, tf.Scalar> } {
  const { stage, progress } = ctx;
  const l = stage.losses;
  const needs = teacherNeeds(stage);
  const out = student.forward(
    { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
    {
      outputHiddenStates: needs.hidden,
      outputAttentions: needs.attentions,
      outputAttentionScores: needs.scores,
      training: true,
      seeds: ctx.seeds,
    },
  );
  const terms = new Map<keyof LossTerms, tf.Scalar>();
  const weighted: tf.Scalar[] = [];
  const add = (name: keyof LossTerms, weight: number, value: tf.Scalar): void => {
    terms.set(name, value);
    if (weight > 0) weighted.push(tf.mul(value, weight) as tf.Scalar);
  };
  const softWeight = scheduled(l.softLabel.weight, l.softLabel.schedule, progress);
  if (softWeight > 0 && out.logits && teacherOut.logits) {
    const temperature = l.softLabel.temperatureSchedule
      ? scheduled(1, l.softLabel.temperatureSchedule, progress)
      : l.softLabel.temperature;
    add(
      'softLabel',
      softWeight,
      softLabelLoss(
        out.logits as tf.Tensor2D,
        teacherOut.logits as tf.Tensor2D,
        temperature,
        l.softLabel.kind,
      ),
    );
  }
  const hardWeight = scheduled(l.hardLabel.weight, l.hardLabel.schedule, progress);
  if (hardWeight > 0 && out.logits)
    add('hardLabel', hardWeight, hardLabelLoss(out.logits as tf.Tensor2D, batch.labels, batch.labelWeights));
  const mask = batch.attentionMask;
  const hiddenMatches = stage.matches.filter((m) => m.feature !== 'attention');
  const attentionMatches = stage.matches.filter(
    (m) => m.feature !== 'hidden' && m.teacherLayer > 0 && m.studentLayer > 0,
  );
  const mean = (parts: { value: tf.Scalar; weight: number }[]): tf.Scalar =>
    tf.div(
      tf.addN(parts.map((p) => tf.mul(p.value, p.weight))),
      parts.reduce((a, p) => a + p.weight, 0) || 1,
    ) as tf.Scalar;
  const sH = out.hiddenStates;
  const tH = teacherOut.hiddenStates;
  const hiddenWeight = scheduled(l.hidden.weight, l.hidden.schedule, progress);
  if (hiddenWeight > 0 && sH && tH && hiddenMatches.length > 0) {
    const parts = hiddenMatches.map((m) => ({
      value: hiddenLoss(
        sH[m.studentLayer] as tf.Tensor3D,
        tH[m.teacherLayer] as tf.Tensor3D,
        mask,
        l.hidden.kind,
        ctx.projections.get(`hidden.${m.studentLayer}`) as tf.Tensor2D | undefined,
      ),
      weight: m.weight,
    }));
    add('hidden', hiddenWeight, mean(parts));
  }
  const embeddingWeight = scheduled(l.embedding.weight, l.embedding.schedule, progress);
  if (embeddingWeight > 0 && sH?.[0] && tH?.[0]) {
    add(
      'embedding',
      embeddingWeight,
      hiddenLoss(
        sH[0],
        tH[0],
        mask,
        l.embedding.kind,
        ctx.projections.get('embedding') as tf.Tensor2D | undefined,
      ),
    );
  }
  const featureWeight = scheduled(l.featureMap.weight, l.featureMap.schedule, progress);
  if (featureWeight > 0 && sH && tH && hiddenMatches.length > 0) {
    add(
      'featureMap',
      featureWeight,
      mean(
        hiddenMatches.map((m) => ({
          value: featureMapLoss(sH[m.studentLayer] as tf.Tensor3D, tH[m.teacherLayer] as tf.Tensor3D, mask),
          weight: m.weight,
        })),
      ),
    );
  }
  const attentionWeight = scheduled(l.attention.weight, l.attention.schedule, progress);
  const sA = needs.scores ? out.attentionScores : out.attentions;
  const tA = needs.scores ? teacherOut.attentionScores : teacherOut.attentions;
  if (attentionWeight > 0 && sA && tA && attentionMatches.length > 0) {
    const parts = attentionMatches.map((m) => ({
      value: attentionLoss(
        sA[m.studentLayer - 1] as tf.Tensor4D,
        tA[m.teacherLayer - 1] as tf.Tensor4D,
        mask,
        l.attention.kind,
        l.attention.headMapping,
      ),
      weight: m.weight,
    }));
    add('attention', attentionWeight, mean(parts));
  }
  const total = weighted.length > 0 ? (tf.addN(weighted) as tf.Scalar) : (tf.scalar(0) as tf.Scalar);
  return { total, terms };
}

/** Supervised loss for a `train` stage: cross-entropy on gold labels. */
export function trainLoss(
  model: TransformerModel,
  batch: Batch,
  seeds: SeedStream,
): { total: tf.Scalar; terms: Map<keyof LossTerms, tf.Scalar> } {
  const out = model.forward(
    { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
    { training: true, seeds },
  );
  const ce = hardLabelLoss(out.logits as tf.Tensor2D, batch.labels, batch.labelWeights);
  return { total: ce, terms: new Map([['hardLabel', ce]]) };
}
