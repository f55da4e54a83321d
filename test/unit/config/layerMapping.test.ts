import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveLayerMapping } from '../../../src/config/layerMapping';
import { expandStages } from '../../../src/config/stagePresets';
import type { DistillConfig } from '../../../src/protocol/config';

const teachers = (spec: Parameters<typeof resolveLayerMapping>[0], t: number, s: number): number[] =>
  resolveLayerMapping(spec, t, s).map((m) => m.teacherLayer);

test('uniform follows TinyBERT g(m) = m * N / M', () => {
  assert.deepEqual(teachers(undefined, 12, 4), [3, 6, 9, 12]);
  assert.deepEqual(teachers({ strategy: 'uniform' }, 12, 6), [2, 4, 6, 8, 10, 12]);
  // Depths that do not divide round to the nearest teacher layer.
  assert.deepEqual(teachers({ strategy: 'uniform' }, 12, 5), [2, 5, 7, 10, 12]);
  // A student deeper than its teacher (MobileBERT 24 under BERT-base 12) shares teacher layers.
  assert.deepEqual(teachers({ strategy: 'uniform' }, 2, 4), [1, 1, 2, 2]);
});

test('last aligns the top layers', () => {
  assert.deepEqual(teachers({ strategy: 'last' }, 12, 4), [9, 10, 11, 12]);
});

test('explicit keeps the pairs and fills defaults', () => {
  const matches = resolveLayerMapping(
    {
      strategy: 'explicit',
      pairs: [
        { teacherLayer: 0, studentLayer: 0, feature: 'hidden' },
        { teacherLayer: 12, studentLayer: 4, weight: 2 },
      ],
    },
    12,
    4,
  );
  assert.deepEqual(matches, [
    { teacherLayer: 0, studentLayer: 0, feature: 'hidden', weight: 1 },
    { teacherLayer: 12, studentLayer: 4, feature: 'both', weight: 2 },
  ]);
});

const base = { name: 'x', teacher: {}, student: {}, data: { train: 't.tsv' } } as DistillConfig;

test('stage presets expand to explicit stages', () => {
  assert.deepEqual(
    expandStages(base, 12, 4).map((s) => s.name),
    ['distill'],
  );
  assert.deepEqual(
    expandStages({ ...base, stages: 'teacher-then-distill' }, 12, 4).map((s) => `${s.kind}:${s.model ?? ''}`),
    ['train:teacher', 'distill:'],
  );
  const tiny = expandStages({ ...base, stages: 'tinybert-two-step' }, 12, 4);
  assert.deepEqual(
    tiny.map((s) => s.name),
    ['intermediate', 'prediction'],
  );
  assert.equal(tiny[0]?.losses?.softLabel?.weight, 0);
  assert.equal(tiny[1]?.losses?.softLabel?.weight, 1);
});

test('mobilebert-progressive trains one layer per stage, lowest first, then the logits', () => {
  const stages = expandStages({ ...base, stages: 'mobilebert-progressive' }, 12, 4);
  assert.deepEqual(
    stages.map((s) => s.name),
    ['layer-1', 'layer-2', 'layer-3', 'layer-4', 'prediction'],
  );
  assert.deepEqual(
    stages.map((s) => s.trainLayers),
    [[0, 1], [2], [3], [4], undefined],
  );
  assert.deepEqual(stages[2]?.layerMapping?.pairs, [
    { teacherLayer: 9, studentLayer: 3, feature: 'both', weight: 1 },
  ]);
});
