// training.cacheTeacher through the built CLI: the same run with no cache, cached logits, cached features and
// features over the budget takes the same losses at every step (two epochs of shuffled labelled batches mixed with
// unlabelled ones, then a soft-label-only stage that reuses the logits), and the logs say how many batches the
// cache served and why features were not kept.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parseRunEvent } from '../../../src/protocol/events';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { writeTinyRun } from '../../helpers/tinyRun';

const BIN = resolve('bin/distill-studio.js');
const BATCH = 16;
const LABELLED_ROWS = 64;
const UNLABELLED_ROWS = 60;
/** Half the steps draw labelled batches: two epochs of them, and two of the unlabelled ones. */
const FEATURE_STEPS = 2 * 2 * Math.ceil(LABELLED_ROWS / BATCH);
const SOFT_STEPS = 4;

function train(file: string, cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, 'train', file], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code: code ?? -1, stderr }));
  });
}

type Losses = Record<string, number | undefined>;

function stepLosses(runDir: string): Map<string, Losses[]> {
  const out = new Map<string, Losses[]>();
  for (const line of readFileSync(join(runDir, 'events.jsonl'), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const e = parseRunEvent(JSON.parse(line));
    if (e?.type !== 'step') continue;
    out.set(e.payload.stage, [...(out.get(e.payload.stage) ?? []), e.payload.losses]);
  }
  return out;
}

test('cacheTeacher none / logits / features / features over budget: identical step losses; hits reported', async (t) => {
  const ws = tempWorkspace(t);
  const stages = [
    { name: 'teacher', kind: 'train', model: 'teacher', steps: 6, learningRate: 0.003 },
    { name: 'features', kind: 'distill', steps: FEATURE_STEPS, learningRate: 0.003 },
    {
      name: 'soft',
      kind: 'distill',
      steps: SOFT_STEPS,
      learningRate: 0.003,
      losses: { hidden: { weight: 0 }, attention: { weight: 0 } },
    },
  ];
  const runs = {
    none: { cacheTeacher: 'none' },
    logits: { cacheTeacher: 'logits' },
    features: { cacheTeacher: 'features' },
    budget: { cacheTeacher: 'features', cacheMemoryMb: 0 },
  } as const;
  for (const [name, cache] of Object.entries(runs))
    writeTinyRun(
      ws,
      {
        name,
        stages,
        training: { batchSize: BATCH, ...cache },
        data: {
          train: 'train.tsv',
          eval: 'eval.tsv',
          unlabelled: ['unlabelled.txt'],
          maxLength: 32,
          unlabelledRatio: 0.5,
        },
        evaluation: { everySteps: 0 },
        checkpoints: { everySteps: 0, keepLast: 1 },
        attentionSnapshots: { everySteps: 0 },
      },
      `${name}.distill.json`,
    );
  const train64 = readFileSync(ws.path('train.tsv'), 'utf8')
    .split('\n')
    .slice(0, LABELLED_ROWS + 1);
  writeFileSync(ws.path('train.tsv'), `${train64.join('\n')}\n`);
  // Two at a time (two cores).
  const [none, logits] = await Promise.all([
    train('none.distill.json', ws.dir),
    train('logits.distill.json', ws.dir),
  ]);
  const [features, budget] = await Promise.all([
    train('features.distill.json', ws.dir),
    train('budget.distill.json', ws.dir),
  ]);
  for (const r of [none, logits, features, budget]) assert.equal(r.code, 0, r.stderr);

  // Every row is seen twice in the features stage: the first epoch runs the teacher, the second is served.
  const firstPasses = Math.ceil(LABELLED_ROWS / BATCH) + Math.ceil(UNLABELLED_ROWS / BATCH);
  const served = (stage: string, hits: number, of: number): RegExp =>
    new RegExp(
      `stage "${stage}": teacher cache served ${hits} of ${of} batches \\(${of - hits} teacher passes\\)`,
    );
  assert.doesNotMatch(none.stderr, /teacher cache served/);
  assert.match(logits.stderr, served('features', 0, FEATURE_STEPS));
  assert.match(
    logits.stderr,
    served('soft', SOFT_STEPS, SOFT_STEPS),
    'logits kept in the features stage serve the next',
  );
  assert.match(features.stderr, /stage "features": caching teacher features \(about \d+\.\d MiB\)/);
  assert.match(features.stderr, served('features', FEATURE_STEPS - firstPasses, FEATURE_STEPS));
  assert.match(features.stderr, served('soft', SOFT_STEPS, SOFT_STEPS));
  assert.match(
    budget.stderr,
    /stage "features": teacher features of this stage need about \d+\.\d MiB, more than training\.cacheMemoryMb \(0\.0 MiB\): caching logits only \(the teacher still runs every step for the hidden states and attention maps\)\. Raise "training\.cacheMemoryMb" to \d+ to cache them\./,
  );
  assert.match(budget.stderr, served('features', 0, FEATURE_STEPS));

  const reference = stepLosses(join(ws.dir, 'runs', 'none'));
  assert.equal(reference.get('features')?.length, FEATURE_STEPS);
  assert.equal(reference.get('soft')?.length, SOFT_STEPS);
  for (const name of ['logits', 'features', 'budget']) {
    const other = stepLosses(join(ws.dir, 'runs', name));
    for (const stage of ['features', 'soft']) {
      const a = reference.get(stage) ?? [];
      const b = other.get(stage) ?? [];
      assert.equal(b.length, a.length, `${name} ${stage}`);
      a.forEach((la, i) => {
        const terms = Object.keys(la);
        assert.ok(terms.includes('hidden') === (stage === 'features'));
        for (const term of terms) {
          const x = la[term] as number;
          const y = b[i]?.[term] as number;
          assert.ok(
            Math.abs(x - y) <= 1e-5 * Math.max(1, Math.abs(x)),
            `${name}, stage ${stage} step ${i + 1} ${term}: no cache ${x}, cached ${y}`,
          );
        }
      });
    }
  }
});
