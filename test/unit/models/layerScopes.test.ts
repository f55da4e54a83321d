// Each encoder layer runs in its own tensor scope: a forward pass leaves about one live tensor per layer (its output,
// plus the attention map when asked for), not every intermediate of every layer. That is what lets a BERT-base
// teacher at batch 16 x 128 fit the wasm backend's 4 GiB heap; gradients through the scopes are tested elsewhere
// (models/training.test.ts, train/*), and the outputs themselves by models/parity.test.ts.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { MODEL_PRESETS } from '../../../src/protocol/modelPresets';
import { initBackend } from '../../../src/trainer/backend/backend';
import { createModel } from '../../../src/trainer/models/createModel';
import { completeConfig } from '../../../src/trainer/models/modelConfig';
import type { ForwardOptions } from '../../../src/trainer/models/nn';

before(async () => {
  await initBackend('cpu');
});

const SHAPES = {
  bert: { model_type: 'bert', hidden_size: 32, num_attention_heads: 4, intermediate_size: 64 },
  mobilebert: {
    ...MODEL_PRESETS['mobilebert-tiny'],
    hidden_size: 32,
    embedding_size: 16,
    intra_bottleneck_size: 16,
    intermediate_size: 32,
    num_attention_heads: 2,
  },
} as const;

/** Tensors a forward pass leaves alive inside the caller's scope. */
function liveAfterForward(kind: keyof typeof SHAPES, layers: number, options: ForwardOptions): number {
  const config = completeConfig({
    ...SHAPES[kind],
    num_hidden_layers: layers,
    vocab_size: 50,
    max_position_embeddings: 32,
    id2label: { '0': 'a', '1': 'b' },
  });
  const model = createModel(config, 'sequence-classification', 3);
  const ids = tf.ones([2, 12], 'int32') as tf.Tensor2D;
  const live = tf.tidy(() => {
    const start = tf.memory().numTensors;
    model.forward({ inputIds: ids, attentionMask: ids }, options);
    return tf.memory().numTensors - start;
  });
  ids.dispose();
  model.params.dispose();
  return live;
}

for (const kind of ['bert', 'mobilebert'] as const) {
  test(`${kind}: each layer leaves only its outputs alive`, () => {
    const plain = (liveAfterForward(kind, 6, {}) - liveAfterForward(kind, 2, {})) / 4;
    assert.ok(plain <= 1, `${plain} live tensors per layer without extra outputs`);
    const all = { outputHiddenStates: true, outputAttentions: true, outputAttentionScores: true };
    const withMaps = (liveAfterForward(kind, 6, all) - liveAfterForward(kind, 2, all)) / 4;
    assert.ok(withMaps <= 3, `${withMaps} live tensors per layer with hidden states, attentions and scores`);
  });
}
