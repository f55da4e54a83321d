// The trainer keeps the number of live tensors flat across steps (every step runs in tidy scopes and disposes
// what it reads back), checked in-process on a tiny distillation run with every loss on, and on a masked-LM stage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { runTraining } from '../../../src/trainer/train/trainer';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { writePretrainRun } from '../../helpers/pretrainRun';
import { writeTinyRun } from '../../helpers/tinyRun';

test('live tensor count is flat from step to step within a stage', async (t) => {
  const ws = tempWorkspace(t);
  const configFile = writeTinyRun(ws, {
    stages: [
      { name: 'teacher', kind: 'train', model: 'teacher', steps: 8 },
      { name: 'distill', kind: 'distill', steps: 12 },
    ],
    losses: {
      softLabel: { weight: 1 },
      hardLabel: { weight: 1 },
      hidden: { weight: 1, projection: true },
      embedding: { weight: 1, projection: true },
      featureMap: { weight: 1 },
      attention: { weight: 1, kind: 'kl', headMapping: 'group' },
    },
    evaluation: { everySteps: 5 },
    checkpoints: { everySteps: 0 },
    attentionSnapshots: { everySteps: 3, maxTokens: 12 },
  });
  const counts: { stage: string; step: number; tensors: number }[] = [];
  await runTraining({
    configFile,
    backend: 'cpu',
    onEvent: (event) => {
      if (event.type === 'step')
        counts.push({
          stage: event.payload.stage,
          step: event.payload.step,
          tensors: tf.memory().numTensors,
        });
    },
  });
  for (const stage of ['teacher', 'distill']) {
    // From the third step on (optimizer slots and caches exist by then) the count must not move.
    const later = counts.filter((c) => c.stage === stage && c.step >= 3).map((c) => c.tensors);
    assert.ok(later.length > 4, stage);
    assert.deepEqual(new Set(later).size, 1, `${stage}: tensor counts ${later.join(', ')}`);
  }
});

test('live tensor count is flat in a masked-LM stage and the task stage after it (evals and snapshots included)', async (t) => {
  const ws = tempWorkspace(t);
  const configFile = writePretrainRun(ws, {
    stages: [
      { name: 'mlm', kind: 'pretrain-distill', steps: 9 },
      { name: 'distill', kind: 'distill', steps: 9 },
    ],
    losses: {
      softLabel: { weight: 1 },
      hardLabel: { weight: 1 },
      hidden: { weight: 1, projection: true },
      embedding: { weight: 1, projection: true },
      featureMap: { weight: 1 },
      attention: { weight: 1, kind: 'kl', headMapping: 'group' },
      maskedLm: { weight: 1, hardWeight: 0.5 },
    },
    evaluation: { everySteps: 4 },
    checkpoints: { everySteps: 0 },
    attentionSnapshots: { everySteps: 3, maxTokens: 12 },
  });
  const counts: { stage: string; step: number; tensors: number }[] = [];
  await runTraining({
    configFile,
    backend: 'cpu',
    onEvent: (event) => {
      if (event.type === 'step')
        counts.push({
          stage: event.payload.stage,
          step: event.payload.step,
          tensors: tf.memory().numTensors,
        });
    },
  });
  for (const stage of ['mlm', 'distill']) {
    const later = counts.filter((c) => c.stage === stage && c.step >= 3).map((c) => c.tensors);
    assert.ok(later.length > 4, stage);
    assert.deepEqual(new Set(later).size, 1, `${stage}: tensor counts ${later.join(', ')}`);
  }
});
