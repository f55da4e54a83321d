// Save -> load gives identical outputs; prefixes, missing heads and unused tensors are handled as transformers does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend/backend';
import { loadModel, saveModel } from '../../../src/trainer/checkpoint/modelCheckpoint';
import {
  readSafetensors,
  writeSafetensors,
  type HostTensor,
} from '../../../src/trainer/checkpoint/safetensors';
import { createModel } from '../../../src/trainer/models/createModel';
import { completeConfig } from '../../../src/trainer/models/modelConfig';
import { MODEL_PRESETS } from '../../../src/protocol/modelPresets';
import { tempWorkspace } from '../../helpers/tempWorkspace';

const FIXTURES = 'test/fixtures/models';
const ids = (): tf.Tensor2D =>
  tf.tensor2d(
    [
      [2, 5, 6, 7, 3, 0],
      [2, 9, 3, 0, 0, 0],
    ],
    undefined,
    'int32',
  );
const mask = (): tf.Tensor2D =>
  tf.tensor2d(
    [
      [1, 1, 1, 1, 1, 0],
      [1, 1, 1, 0, 0, 0],
    ],
    undefined,
    'int32',
  );

before(async () => {
  await initBackend('cpu');
});

for (const name of ['bert-cls', 'mobilebert-cls', 'mobilebert-mlm', 'bert-base-model']) {
  test(`${name}: save -> load -> identical outputs and a config transformers reads`, async (t) => {
    const ws = tempWorkspace(t);
    const { model } = await loadModel(join(FIXTURES, name));
    await saveModel(model, ws.dir);
    const again = await loadModel(ws.dir);
    assert.deepEqual(again.report.initialised, []);
    assert.deepEqual(again.report.unused, []);
    const a =
      model.forward({ inputIds: ids(), attentionMask: mask() }).logits ??
      model.forward({ inputIds: ids(), attentionMask: mask() }).lastHiddenState;
    const b =
      again.model.forward({ inputIds: ids(), attentionMask: mask() }).logits ??
      again.model.forward({ inputIds: ids(), attentionMask: mask() }).lastHiddenState;
    assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    const original = JSON.parse(readFileSync(join(FIXTURES, name, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const saved = JSON.parse(readFileSync(join(ws.dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (const key of [
      'architectures',
      'model_type',
      'hidden_size',
      'num_hidden_layers',
      'id2label',
      'label2id',
      'vocab_size',
    ]) {
      assert.deepEqual(saved[key], original[key], key);
    }
    // The saved tensor names are exactly the ones transformers wrote.
    const names = async (dir: string): Promise<string[]> =>
      [...(await readSafetensors(join(dir, 'model.safetensors'))).tensors.keys()].sort();
    assert.deepEqual(await names(ws.dir), await names(join(FIXTURES, name)));
  });
}

test('a checkpoint without the base prefix loads into a classification model, the head is initialised and reported', async (t) => {
  const ws = tempWorkspace(t);
  ws.write('config.json', readFileSync(join(FIXTURES, 'bert-base-model', 'config.json')));
  const file = await readSafetensors(join(FIXTURES, 'bert-base-model', 'model.safetensors'));
  const tensors = new Map<string, HostTensor>(file.tensors);
  tensors.set('qa_outputs.weight', { dtype: 'F32', shape: [2, 32], data: new Float32Array(64) });
  await writeSafetensors(ws.path('model.safetensors'), tensors);
  const { model, report } = await loadModel(ws.dir, {
    head: 'sequence-classification',
    labels: ['neg', 'pos'],
  });
  assert.deepEqual(report.initialised.sort(), ['classifier.bias', 'classifier.weight']);
  assert.deepEqual(report.unused, ['qa_outputs.weight']);
  const base = await loadModel(join(FIXTURES, 'bert-base-model'));
  const h1 = model.forward({ inputIds: ids() }).lastHiddenState.dataSync();
  const h2 = base.model.forward({ inputIds: ids() }).lastHiddenState.dataSync();
  assert.deepEqual(Array.from(h1), Array.from(h2));
});

test('old TensorFlow names (LayerNorm.gamma/beta) load', async (t) => {
  const ws = tempWorkspace(t);
  ws.write('config.json', readFileSync(join(FIXTURES, 'bert-cls', 'config.json')));
  const file = await readSafetensors(join(FIXTURES, 'bert-cls', 'model.safetensors'));
  const renamed = new Map<string, HostTensor>();
  for (const [name, tensor] of file.tensors)
    renamed.set(
      name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'),
      tensor,
    );
  await writeSafetensors(ws.path('model.safetensors'), renamed);
  const { report } = await loadModel(ws.dir);
  assert.deepEqual(report.initialised, []);
  assert.deepEqual(report.unused, []);
});

for (const dtype of ['f16', 'bf16']) {
  test(`${dtype} checkpoints convert to float32 and are reported`, async () => {
    const half = await loadModel(join(FIXTURES, `bert-cls-${dtype}`));
    const full = await loadModel(join(FIXTURES, 'bert-cls'));
    assert.equal(half.report.converted.length, half.model.params.names().length);
    assert.deepEqual(full.report.converted, []);
    const a = half.model.forward({ inputIds: ids(), attentionMask: mask() }).logits?.dataSync() ?? [];
    const b = full.model.forward({ inputIds: ids(), attentionMask: mask() }).logits?.dataSync() ?? [];
    const worst = Math.max(...Array.from(a, (v, i) => Math.abs(v - (b[i] ?? 0))));
    // Rounding the weights to 11 (f16) or 8 (bf16) significant bits moves the logits a little, not a lot.
    assert.ok(worst > 0 && worst < (dtype === 'f16' ? 0.02 : 0.2), `max |diff| ${worst}`);
  });
}

test('a weight whose shape disagrees with config.json is a clear error naming the tensor', async (t) => {
  const ws = tempWorkspace(t);
  const config = JSON.parse(readFileSync(join(FIXTURES, 'bert-cls', 'config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  ws.write('config.json', JSON.stringify({ ...config, intermediate_size: 40 }));
  ws.write('model.safetensors', readFileSync(join(FIXTURES, 'bert-cls', 'model.safetensors')));
  await assert.rejects(
    loadModel(ws.dir),
    /Tensor "bert.encoder.layer.0.intermediate.dense.weight" .* has shape \[37, 32\] but config.json implies \[40, 32\]/,
  );
});

test('the default MobileBERT has exactly the parameters of transformers MobileBertModel, layer for layer', () => {
  const reference = JSON.parse(readFileSync(join(FIXTURES, 'mobilebert-default-params.json'), 'utf8')) as {
    total: number;
    parameters: Record<string, number>;
  };
  const model = createModel(completeConfig({ ...MODEL_PRESETS.mobilebert }), 'encoder');
  try {
    const ours = Object.fromEntries(
      model.params.entries().map(([name, v]) => [name.replace(/^mobilebert\./, ''), v.size]),
    );
    assert.deepEqual(ours, reference.parameters);
    assert.equal(model.params.count(), reference.total);
    assert.equal(reference.total, 24_844_544);
  } finally {
    model.params.dispose();
  }
});

test('BertForPreTraining loads as a masked-LM model; next-sentence weights are listed as unused', async (t) => {
  const ws = tempWorkspace(t);
  const config = JSON.parse(readFileSync(join(FIXTURES, 'bert-mlm', 'config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  ws.write('config.json', JSON.stringify({ ...config, architectures: ['BertForPreTraining'] }));
  const file = await readSafetensors(join(FIXTURES, 'bert-mlm', 'model.safetensors'));
  const tensors = new Map<string, HostTensor>(file.tensors);
  tensors.set('cls.seq_relationship.weight', { dtype: 'F32', shape: [2, 32], data: new Float32Array(64) });
  tensors.set('cls.seq_relationship.bias', { dtype: 'F32', shape: [2], data: new Float32Array(2) });
  await writeSafetensors(ws.path('model.safetensors'), tensors);
  const { model, report } = await loadModel(ws.dir);
  assert.equal(model.head, 'masked-lm');
  assert.deepEqual(report.initialised, []);
  assert.deepEqual(report.unused.sort(), ['cls.seq_relationship.bias', 'cls.seq_relationship.weight']);
  const reference = await loadModel(join(FIXTURES, 'bert-mlm'));
  const a = model.forward({ inputIds: ids() }).logits?.dataSync() ?? [];
  const b = reference.model.forward({ inputIds: ids() }).logits?.dataSync() ?? [];
  assert.deepEqual(Array.from(a), Array.from(b));
});

test('a checkpoint whose head is unsupported (question answering) still gives encoder outputs', async (t) => {
  const ws = tempWorkspace(t);
  const config = JSON.parse(readFileSync(join(FIXTURES, 'bert-base-model', 'config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  ws.write('config.json', JSON.stringify({ ...config, architectures: ['BertForQuestionAnswering'] }));
  const file = await readSafetensors(join(FIXTURES, 'bert-base-model', 'model.safetensors'));
  const tensors = new Map<string, HostTensor>();
  for (const [name, tensor] of file.tensors) tensors.set(`bert.${name}`, tensor);
  tensors.set('qa_outputs.weight', { dtype: 'F32', shape: [2, 32], data: new Float32Array(64) });
  tensors.set('qa_outputs.bias', { dtype: 'F32', shape: [2], data: new Float32Array(2) });
  await writeSafetensors(ws.path('model.safetensors'), tensors);
  const { model, report } = await loadModel(ws.dir);
  assert.equal(model.head, 'encoder');
  assert.deepEqual(report.unused.sort(), ['qa_outputs.bias', 'qa_outputs.weight']);
  const base = await loadModel(join(FIXTURES, 'bert-base-model'));
  const h1 = model.forward({ inputIds: ids() }).lastHiddenState.dataSync();
  const h2 = base.model.forward({ inputIds: ids() }).lastHiddenState.dataSync();
  assert.deepEqual(Array.from(h1), Array.from(h2));
});

test('the mobilebert-tiny preset follows the paper: attention inside the 128-wide bottleneck, two stacked FFNs', () => {
  const config = completeConfig({ ...MODEL_PRESETS['mobilebert-tiny'] });
  const model = createModel(config, 'encoder');
  try {
    const names = model.params.names();
    assert.equal(
      names.some((n) => n.includes('.bottleneck.attention.')),
      false,
      'no shared key/query bottleneck',
    );
    assert.ok(names.includes('mobilebert.encoder.layer.0.ffn.0.intermediate.dense.weight'));
    assert.equal(
      names.some((n) => n.includes('.ffn.1.')),
      false,
      'one extra FFN, two in all',
    );
    assert.deepEqual(
      model.params.get('mobilebert.encoder.layer.0.attention.self.value.weight')?.shape,
      [128, 128],
    );
    // 15.75M by our count with the 30522 vocabulary (the paper quotes 15.1M, as it quotes 25.3M where
    // transformers' MobileBertModel has 24.8M); pinned here so a change is deliberate.
    assert.equal(model.params.count(), 15_748_352); // transformers' MobileBertModel with this config: 15,748,352
  } finally {
    model.params.dispose();
  }
});
