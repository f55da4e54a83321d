// Inference on a Hugging Face checkpoint folder through TensorFlow.js. A head the model code does not support
// (e.g. question answering) still yields encoder outputs.
import * as tf from '@tensorflow/tfjs';
import { describeBackend, initBackend, type BackendName } from '../backend/backend';
import { loadModel } from '../checkpoint/modelCheckpoint';
import { labelNames } from '../models/modelConfig';
import type { EncodedBatch, InferenceModel, InferenceResult } from './inferenceModel';

export async function openTfjsModel(dir: string, backend: string | undefined): Promise<InferenceModel> {
  const info = await initBackend((backend ?? 'auto') as 'auto' | BackendName);
  const { model } = await loadModel(dir);
  const labels = model.head === 'sequence-classification' ? labelNames(model.config) : undefined;
  return {
    kind: 'tfjs',
    path: dir,
    backend: `TensorFlow.js ${describeBackend(info)}`,
    labels,
    maxLength: model.config.max_position_embeddings,
    tokenizerDir: dir,
    run(batch: EncodedBatch, options: { hidden: boolean }): Promise<InferenceResult> {
      const read: InferenceResult = {};
      // Values are read back inside the scope, so every intermediate tensor is freed when it closes.
      tf.tidy(() => {
        const toTensor = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows, undefined, 'int32');
        const out = model.forward(
          {
            inputIds: toTensor(batch.inputIds),
            attentionMask: toTensor(batch.attentionMask),
            tokenTypeIds: toTensor(batch.tokenTypeIds),
          },
          { outputHiddenStates: options.hidden, outputAttentions: options.hidden },
        );
        if (out.logits !== undefined && model.head === 'sequence-classification')
          read.logits = out.logits.arraySync() as number[][];
        if (options.hidden) {
          read.lastHiddenState = out.lastHiddenState.arraySync();
          read.hiddenStates = out.hiddenStates?.map((h) => h.arraySync());
          read.attentions = out.attentions?.map((a) => a.arraySync());
        }
      });
      return Promise.resolve(read);
    },
    dispose(): Promise<void> {
      model.params.dispose();
      return Promise.resolve();
    },
  };
}
