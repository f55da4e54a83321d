// The teacher as the trainer sees it: something that turns a batch into the outputs a stage's losses read
// (logits, masked-LM logits at selected positions, hidden states and attention maps of the mapped layers), with no
// gradient tape. Two implementations: TensorFlow.js (here) and onnxruntime-node (onnxTeacher.ts).
import * as tf from '@tensorflow/tfjs';
import type { TransformerModel } from '../models/createModel';
import type { HfModelConfig } from '../models/modelConfig';
import type { Batch } from '../train/dataset';
import type { TeacherNeeds, TeacherOutput } from '../train/distillStep';
import { gatherPositions } from './maskedLm';

export interface TeacherRunner {
  readonly kind: 'tfjs' | 'onnx';
  /** The teacher's Hugging Face config (depth, widths, heads, type vocabulary). */
  readonly config: HfModelConfig;
  /** Whether `run` can give task logits (the teacher is a classifier). */
  readonly classifies: boolean;
  /** For logs: what runs it. */
  readonly description: string;
  /**
   * Outputs for `batch`; `positions` (flat indices into [B * T]) when `needs.maskedLm`. The caller disposes the
   * tensors. No gradients are recorded: the teacher only teaches.
   */
  run(batch: Batch, needs: TeacherNeeds, positions?: tf.Tensor1D): Promise<TeacherOutput>;
  dispose(): Promise<void>;
}

/** Every output needs asks for, read from one TensorFlow.js forward pass; the rest is freed. */
export function tfjsTeacherOutputs(
  model: TransformerModel,
  batch: Batch,
  needs: TeacherNeeds,
  positions: tf.Tensor1D | undefined,
): TeacherOutput {
  const out: TeacherOutput = { hidden: new Map(), attention: new Map() };
  const attention = needs.attentionLayers.length > 0;
  tf.tidy(() => {
    const o = model.forward(
      { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds },
      {
        outputHiddenStates: needs.hiddenLayers.length > 0,
        outputAttentions: attention && needs.attentionKind === 'probs',
        outputAttentionScores: attention && needs.attentionKind === 'scores',
        // A masked-LM teacher projects only the gathered positions below, never all [B, T, V].
        outputLogits: needs.logits && model.head === 'sequence-classification',
      },
    );
    if (needs.logits && o.logits !== undefined) out.logits = tf.keep(o.logits as tf.Tensor2D);
    if (needs.maskedLm && positions !== undefined)
      out.maskedLmLogits = tf.keep(model.maskedLmLogits(gatherPositions(o.lastHiddenState, positions)));
    for (const layer of needs.hiddenLayers) {
      const h = o.hiddenStates?.[layer];
      if (h !== undefined) out.hidden.set(layer, tf.keep(h));
    }
    const maps = needs.attentionKind === 'scores' ? o.attentionScores : o.attentions;
    for (const layer of needs.attentionLayers) {
      const a = maps?.[layer - 1];
      if (a !== undefined) out.attention.set(layer, tf.keep(a));
    }
  });
  return out;
}

/** The teacher through TensorFlow.js, on the training backend. */
export function tfjsTeacher(model: TransformerModel): TeacherRunner {
  return {
    kind: 'tfjs',
    config: model.config,
    classifies: model.head === 'sequence-classification',
    description: `TensorFlow.js (${tf.getBackend()})`,
    run: (batch, needs, positions) => Promise.resolve(tfjsTeacherOutputs(model, batch, needs, positions)),
    dispose: () => Promise.resolve(),
  };
}
