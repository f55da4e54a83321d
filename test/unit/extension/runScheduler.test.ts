// The run scheduler with fake trainers: one owner per job, queueing up to maxConcurrentRuns, refusal of a second
// run on a busy or existing output folder, stop of queued and running jobs, stopAll on deactivate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Emitter } from '../../../src/extension/emitter';
import { RunScheduler, type Job, type TrainerHandle } from '../../../src/extension/runScheduler';
import type { TrainerExit, TrainerState } from '../../../src/extension/trainerProcess';
import type { RunEvent } from '../../../src/protocol/events';

class FakeTrainer implements TrainerHandle {
  readonly events = new Emitter<RunEvent>();
  readonly states = new Emitter<TrainerState>();
  readonly onEvent = this.events.event;
  readonly onStateChange = this.states.event;
  runDir: string | undefined;
  stops: string[] = [];
  private resolveExit: (exit: TrainerExit) => void = () => undefined;
  readonly exited = new Promise<TrainerExit>((resolve) => (this.resolveExit = resolve));
  constructor(readonly job: Job) {}
  exit(exit: TrainerExit): void {
    this.resolveExit(exit);
  }
  stop(reason = 'user' as const): Promise<TrainerExit> {
    this.stops.push(reason);
    this.states.fire({ kind: 'stopping', reason });
    this.exit({ kind: 'stopped', runDir: this.runDir, forced: false });
    return this.exited;
  }
  kill(): void {}
  dispose(): void {}
}

function scheduler(max = 1): { runs: RunScheduler; trainers: FakeTrainer[] } {
  const trainers: FakeTrainer[] = [];
  const runs = new RunScheduler({
    launch: (job) => {
      const trainer = new FakeTrainer(job);
      trainers.push(trainer);
      return trainer;
    },
    maxConcurrent: () => max,
  });
  return { runs, trainers };
}

const spec = (name: string) => ({
  request: { verb: 'train' as const, configFile: `/ws/${name}.distill.json` },
  label: name,
  runDir: `/ws/runs/${name}`,
  nodePath: process.execPath,
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('runs beyond maxConcurrentRuns queue and start in order as slots free', async () => {
  const { runs, trainers } = scheduler(1);
  const a = runs.submit(spec('a'));
  const b = runs.submit(spec('b'));
  const c = runs.submit(spec('c'));
  assert.equal(a.kind, 'started');
  assert.equal(b.kind === 'queued' && b.position, 1);
  assert.equal(c.kind === 'queued' && c.position, 2);
  assert.equal(trainers.length, 1);
  trainers[0]?.exit({ kind: 'done', runDir: '/ws/runs/a', finalModel: '/ws/runs/a/final' });
  await tick();
  assert.equal(trainers.length, 2);
  assert.equal(trainers[1]?.job.label, 'b');
  assert.deepEqual(
    runs.jobs.map((j) => [j.label, j.state.kind]),
    [
      ['b', 'running'],
      ['c', 'queued'],
    ],
  );
  const end = a.kind === 'started' ? await a.job.ended : undefined;
  assert.equal(end?.kind === 'ended' && end.exit.kind, 'done');
});

test('a second run on the same output folder is refused while the first runs or waits', () => {
  const { runs } = scheduler(1);
  runs.submit(spec('a'));
  runs.submit(spec('b'));
  const again = runs.submit(spec('a'));
  assert.deepEqual(again, {
    kind: 'refused',
    refusal: { kind: 'busy', runDir: '/ws/runs/a', label: 'a', queued: false },
  });
  const resumeB = runs.submit({
    request: { verb: 'resume', runDir: '/ws/runs/b' },
    label: 'b',
    runDir: '/ws/runs/b',
    nodePath: process.execPath,
  });
  assert.deepEqual(resumeB.kind === 'refused' && resumeB.refusal, {
    kind: 'busy',
    runDir: '/ws/runs/b',
    label: 'b',
    queued: true,
  });
});

test('an output folder written from elsewhere, or holding a run with ifExists "error", is refused', () => {
  const { runs, trainers } = scheduler(2);
  const external = runs.submit(spec('a'), { status: { kind: 'running', owner: 'external' } });
  assert.deepEqual(external, { kind: 'refused', refusal: { kind: 'external', runDir: '/ws/runs/a' } });
  const stopped = { kind: 'stopped', cause: 'requested' } as const;
  const exists = runs.submit(spec('a'), { status: stopped, ifExists: 'error' });
  assert.deepEqual(exists, {
    kind: 'refused',
    refusal: { kind: 'exists', runDir: '/ws/runs/a', status: stopped },
  });
  assert.equal(runs.submit(spec('a'), { status: stopped, ifExists: 'resume' }).kind, 'started');
  assert.equal(runs.submit(spec('b'), { status: stopped, ifExists: 'new' }).kind, 'started');
  assert.equal(trainers.length, 2);
});

test('stop: a queued job leaves the queue, a running one gets a graceful stop; the run folder follows the trainer', async () => {
  const { runs, trainers } = scheduler(1);
  const a = runs.submit(spec('a'));
  const b = runs.submit(spec('b'));
  assert.ok(a.kind === 'started' && b.kind === 'queued');
  assert.deepEqual(await runs.stop(b.job), { kind: 'cancelled' });
  const trainer = trainers[0];
  assert.ok(trainer);
  trainer.runDir = '/ws/runs/a-2';
  trainer.events.fire({
    type: 'step',
    time: 5,
    payload: {
      stage: 's',
      step: 3,
      globalStep: 3,
      epoch: 0,
      losses: { total: 2 },
      learningRate: 1,
      samplesPerSecond: 1,
    },
  });
  assert.equal(a.job.runDir, '/ws/runs/a-2');
  assert.equal(a.job.progress.globalStep, 3);
  const end = await runs.stop(a.job);
  assert.deepEqual(trainer.stops, ['user']);
  assert.deepEqual(end, { kind: 'ended', exit: { kind: 'stopped', runDir: '/ws/runs/a-2', forced: false } });
  assert.equal(trainers.length, 1, 'the cancelled job never started');
  assert.deepEqual(runs.jobs, []);
});

test('stopAll drops the queue and stops running jobs for shutdown; nothing new starts meanwhile', async () => {
  const { runs, trainers } = scheduler(2);
  runs.submit(spec('a'));
  runs.submit(spec('b'));
  runs.submit(spec('c'));
  await runs.stopAll();
  assert.deepEqual(
    trainers.map((t) => [t.job.label, t.stops]),
    [
      ['a', ['shutdown']],
      ['b', ['shutdown']],
    ],
  );
  assert.deepEqual(runs.jobs, []);
});

test('a launch that throws ends the job as failed and the queue moves on', async () => {
  let calls = 0;
  const runs = new RunScheduler({
    launch: (job) => {
      calls++;
      if (job.label === 'a') throw new Error('no node');
      return new FakeTrainer(job);
    },
    maxConcurrent: () => 1,
  });
  const a = runs.submit(spec('a'));
  assert.ok(a.kind !== 'refused');
  const end = await a.job.ended;
  assert.ok(end.kind === 'ended' && end.exit.kind === 'failed' && end.exit.reason === 'no node');
  const b = runs.submit(spec('b'));
  assert.equal(b.kind, 'started', 'the failed launch freed its slot');
  assert.equal(calls, 2);
});
