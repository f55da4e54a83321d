// The run registry on fixture run folders (fixtures/runFolders): status, stage, step, best metric and duration
// derived from events.jsonl and run.json; incremental reads of a growing file; torn lines; the planned run folder.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  RunRegistry,
  plannedRun,
  runRoots,
  summarize,
  type RunSummary,
} from '../../../src/extension/runRegistry';
import { tempWorkspace, type TempWorkspace } from '../../helpers/tempWorkspace';

const FIXTURES = resolve('test/unit/extension/fixtures/runFolders');
const T0 = 1_700_000_000_000;

/** Copies the fixtures and sets every events.jsonl/run.json mtime to `mtime` (a checkout sets them to "now"). */
function fixtureRoot(ws: TempWorkspace, mtime = T0 + 200_000): string {
  const root = ws.path('runs');
  cpSync(FIXTURES, root, { recursive: true });
  for (const name of ['done', 'failed', 'stopped', 'resumed', 'quiet', 'torn', 'setup-only'])
    for (const file of ['events.jsonl', 'run.json'])
      try {
        utimesSync(join(root, name, file), mtime / 1000, mtime / 1000);
      } catch {
        // setup-only has no events.jsonl
      }
  return root;
}

async function summaries(root: string, now: number, owned: string[] = []): Promise<Map<string, RunSummary>> {
  const records = await new RunRegistry().scan([root]);
  return new Map(
    records.map((r) => [r.name, summarize(r, { now, owned: new Set(owned.map((n) => join(root, n))) })]),
  );
}

test('scan finds run folders (run.json or events.jsonl) and skips other folders', async (t) => {
  const root = fixtureRoot(tempWorkspace(t));
  const found = await summaries(root, T0 + 3_600_000);
  assert.deepEqual([...found.keys()].sort(), [
    'done',
    'failed',
    'quiet',
    'resumed',
    'setup-only',
    'stopped',
    'torn',
  ]);
  assert.deepEqual(await new RunRegistry().scan([join(root, 'missing')]), []);
});

test('a finished run: done, final model, best student metric, stage, step, duration', async (t) => {
  const root = fixtureRoot(tempWorkspace(t));
  const done = (await summaries(root, T0 + 3_600_000)).get('done');
  assert.ok(done);
  assert.deepEqual(done.status, { kind: 'done', finalModel: '/ws/runs/done/final' });
  assert.equal(done.stage, 'distill');
  assert.equal(done.stageNumber, 2);
  assert.equal(done.stageCount, 2);
  assert.equal(done.stageStep, 6);
  assert.equal(done.stageSteps, 6);
  assert.equal(done.globalStep, 10);
  assert.equal(done.totalSteps, 10);
  assert.deepEqual(done.best, { accuracy: 0.75, macroF1: 0.7, n: 40 });
  assert.equal(done.durationMs, 60_000);
  assert.equal(done.modelPath, join(root, 'done', 'final'));
  assert.equal(done.checkpoints, 1);
  assert.equal(done.configFile, '/ws/done.distill.json');
});

test('an error event means failed, with the message', async (t) => {
  const root = fixtureRoot(tempWorkspace(t));
  const failed = (await summaries(root, T0 + 3_600_000)).get('failed');
  assert.deepEqual(failed?.status, {
    kind: 'failed',
    message: 'The loss became NaN at stage "teacher" step 2. Lower the learning rate.',
  });
  assert.equal(failed?.modelPath, undefined);
});

test('a signal checkpoint as the last word means stopped (requested)', async (t) => {
  const root = fixtureRoot(tempWorkspace(t));
  const stopped = (await summaries(root, T0 + 3_600_000)).get('stopped');
  assert.deepEqual(stopped?.status, { kind: 'stopped', cause: 'requested' });
  assert.equal(stopped?.stage, 'distill');
  assert.equal(stopped?.stageStep, 2);
  assert.equal(stopped?.durationMs, 6_000);
});

test('a resumed run: the latest attempt decides the status; duration sums the attempts', async (t) => {
  const root = fixtureRoot(tempWorkspace(t));
  const resumed = (await summaries(root, T0 + 3_600_000)).get('resumed');
  assert.equal(resumed?.status.kind, 'done');
  assert.equal(resumed?.durationMs, 10_000 + 30_000);
  assert.deepEqual(resumed?.best, { accuracy: 0.8, macroF1: 0.75, n: 40 });
});

test('no final event: running while it writes (started elsewhere), interrupted once quiet; owned means running', async (t) => {
  const root = fixtureRoot(tempWorkspace(t), T0 + 1_000);
  const lastWrite = T0 + 1_000;
  assert.deepEqual((await summaries(root, lastWrite + 60_000)).get('quiet')?.status, {
    kind: 'running',
    owner: 'external',
  });
  const later = await summaries(root, lastWrite + 3_600_000);
  assert.deepEqual(later.get('quiet')?.status, { kind: 'stopped', cause: 'interrupted' });
  assert.deepEqual(later.get('setup-only')?.status, { kind: 'stopped', cause: 'interrupted' });
  const owned = await summaries(root, lastWrite + 3_600_000, ['quiet']);
  assert.deepEqual(owned.get('quiet')?.status, { kind: 'running', owner: 'extension' });
  assert.equal(owned.get('quiet')?.durationMs, 3_601_000, 'a running run counts until now');
});

test('torn lines are skipped; the registry reads only what was appended, and a torn tail once completed', async (t) => {
  const root = fixtureRoot(tempWorkspace(t));
  const registry = new RunRegistry();
  const dir = join(root, 'torn');
  const first = await registry.readRun(dir);
  assert.equal(first?.progress.globalStep, 2);
  // The writer finishes the torn last line and appends a done event.
  appendFileSync(
    join(dir, 'events.jsonl'),
    'er","step":3,"globalStep":3,"epoch":0,"losses":{"total":0.5},"learningRate":0.001,"samplesPerSecond":1}}\n' +
      `${JSON.stringify({ type: 'done', time: T0 + 9_000, payload: { globalStep: 3, finalModel: join(dir, 'final'), durationSeconds: 9 } })}\n`,
  );
  const second = await registry.readRun(dir);
  assert.equal(second?.progress.globalStep, 3);
  assert.equal(second?.progress.loss, 0.5);
  assert.equal(second && summarize(second).status.kind, 'done');
});

test('plannedRun reads name, output.dir and output.ifExists (JSON with comments)', () => {
  const planned = plannedRun(
    '/ws/exp/a.distill.json',
    '{ // experiment\n "name": "ko-run", "output": { "dir": "../out", "ifExists": "new" }, }',
  );
  assert.deepEqual(planned, {
    name: 'ko-run',
    root: '/ws/out',
    runDir: '/ws/out/ko-run',
    ifExists: 'new',
  });
  assert.deepEqual(plannedRun('/ws/b.distill.json', '{ "name": "b" }'), {
    name: 'b',
    root: '/ws/runs',
    runDir: '/ws/runs/b',
    ifExists: 'error',
  });
  assert.equal(plannedRun('/ws/c.distill.json', '{ "name": '), undefined);
  assert.deepEqual(
    runRoots(
      [
        { file: '/ws/exp/a.distill.json', text: '{ "name": "a", "output": { "dir": "/abs/runs" } }' },
        { file: '/ws/b.distill.json', text: 'not json' },
      ],
      ['/ws'],
      'runs',
    ),
    ['/ws/runs', '/abs/runs'],
  );
});

test('a run whose trainer exited in this window is not mistaken for one still writing elsewhere', async (t) => {
  const lastWrite = T0 + 1_000;
  const root = fixtureRoot(tempWorkspace(t), lastWrite);
  const record = (await new RunRegistry().readRun(join(root, 'quiet'))) ?? assert.fail('no run');
  const now = lastWrite + 5_000;
  assert.equal(summarize(record, { now }).status.kind, 'running', 'fresh events alone look like a live run');
  const exited = (reason: string | undefined) =>
    new Map([[join(root, 'quiet'), { at: lastWrite + 2_000, reason }]]);
  assert.deepEqual(summarize(record, { now, exited: exited('The trainer was killed by SIGKILL.') }).status, {
    kind: 'failed',
    message: 'The trainer was killed by SIGKILL.',
  });
  assert.deepEqual(summarize(record, { now, exited: exited(undefined) }).status, {
    kind: 'stopped',
    cause: 'interrupted',
  });
  // Events after that exit come from another writer: the time rule applies again.
  const before = new Map([[join(root, 'quiet'), { at: T0 - 10_000, reason: 'old crash' }]]);
  assert.equal(summarize(record, { now, exited: before }).status.kind, 'running');
});
