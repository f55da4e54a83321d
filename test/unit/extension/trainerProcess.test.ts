// The extension's trainer process manager against the real built trainer (dist/trainer/cli.js) under plain node:
// handshake, run events over IPC, graceful stop with a checkpoint, resume to the end, failures with their reason;
// and against scripted fake trainers: wrong protocol version, malformed messages, a trainer that ignores stop.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { TrainerProcess, type TrainerLaunch } from '../../../src/extension/trainerProcess';
import { RunRegistry, summarize } from '../../../src/extension/runRegistry';
import type { RunEvent } from '../../../src/protocol/events';
import { PROTOCOL_VERSION } from '../../../src/protocol/version';
import { readEvents } from '../../../src/trainer/train/runDir';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { writeTinyRun } from '../../helpers/tinyRun';

const CLI = resolve('dist/trainer/cli.js');

function launch(
  request: TrainerLaunch['request'],
  extra: Partial<TrainerLaunch> = {},
): { trainer: TrainerProcess; events: RunEvent[]; log: string[] } {
  const log: string[] = [];
  const events: RunEvent[] = [];
  const trainer = new TrainerProcess({
    nodePath: process.execPath,
    cliPath: CLI,
    request,
    log: (line) => log.push(line),
    stopTimeoutMs: 120_000,
    ...extra,
  });
  trainer.onEvent((event) => events.push(event));
  return { trainer, events, log };
}

test('handshake, then every run event arrives over IPC in events.jsonl order; the run completes', async (t) => {
  const ws = tempWorkspace(t);
  const configFile = writeTinyRun(ws);
  const { trainer, events, log } = launch({ verb: 'train', configFile });
  const states: string[] = [];
  trainer.onStateChange((s) => states.push(s.kind));
  const exit = await trainer.exited;
  assert.equal(exit.kind, 'done', log.join('\n'));
  const runDir = join(ws.dir, 'runs', 'tiny');
  assert.deepEqual(exit, { kind: 'done', runDir, finalModel: join(runDir, 'final') });
  assert.equal(trainer.handshake?.protocolVersion, PROTOCOL_VERSION);
  assert.equal(trainer.handshake?.verb, 'train');
  assert.deepEqual(states, ['running', 'exited']);
  const onDisk = await readEvents(join(runDir, 'events.jsonl'));
  assert.deepEqual(
    events.map((e) => [e.type, e.time]),
    onDisk.map((e) => [e.type, e.time]),
  );
  const snapshot = events.find((e) => e.type === 'attention-snapshot');
  assert.ok(snapshot?.type === 'attention-snapshot' && snapshot.payload.maps.length > 0);
  // stdout/stderr are logs: the progress printer's lines reach the sink, protocol messages do not.
  assert.ok(
    log.some((l) => /stage 2 "distill"/.test(l)),
    log.join('\n'),
  );
  assert.ok(!log.some((l) => l.includes('"type":"step"')));
});

test('a graceful stop over IPC leaves a signal checkpoint; resume finishes the run', async (t) => {
  const ws = tempWorkspace(t);
  const configFile = writeTinyRun(ws, { checkpoints: { everySteps: 0, keepLast: 3 } });
  const first = launch({ verb: 'train', configFile });
  first.trainer.onEvent((e) => {
    if (e.type === 'step' && e.payload.stage === 'distill' && e.payload.step === 2) void first.trainer.stop();
  });
  const stopped = await first.trainer.exited;
  const runDir = join(ws.dir, 'runs', 'tiny');
  assert.deepEqual(stopped, { kind: 'stopped', runDir, forced: false }, first.log.join('\n'));
  assert.ok(first.log.some((l) => /stop requested \(user\)/.test(l)));
  const lastCheckpoint = first.events.filter((e) => e.type === 'checkpoint').at(-1);
  assert.ok(lastCheckpoint?.type === 'checkpoint');
  assert.equal(lastCheckpoint.payload.reason, 'signal');
  assert.ok(existsSync(lastCheckpoint.payload.path), 'the signal checkpoint exists');
  assert.ok(lastCheckpoint.payload.globalStep > 6, 'stopped inside the distill stage');
  const registry = new RunRegistry();
  const record = await registry.readRun(runDir);
  assert.ok(record);
  assert.deepEqual(summarize(record).status, { kind: 'stopped', cause: 'requested' });

  const second = launch({ verb: 'resume', runDir });
  assert.equal(second.trainer.runDir, runDir, 'a resume knows its run folder at once');
  const done = await second.trainer.exited;
  assert.equal(done.kind, 'done', second.log.join('\n'));
  assert.equal(second.trainer.handshake?.verb, 'resume');
  const start = second.events[0];
  assert.ok(start?.type === 'run-start' && start.payload.resumedFrom !== undefined);
  assert.ok(existsSync(join(runDir, 'final', 'model.safetensors')));
  const after = summarize((await registry.readRun(runDir)) ?? assert.fail('no run'));
  assert.equal(after.status.kind, 'done');
  assert.equal(after.globalStep, 14);
  assert.ok(after.best !== undefined && after.best.n === 40);
});

test('a stop requested before the handshake is delivered after it', async (t) => {
  const ws = tempWorkspace(t);
  const configFile = writeTinyRun(ws);
  const { trainer, log } = launch({ verb: 'train', configFile });
  const exit = await trainer.stop();
  assert.equal(exit.kind, 'stopped', log.join('\n'));
  const runDir = join(ws.dir, 'runs', 'tiny');
  assert.ok(readdirSync(join(runDir, 'checkpoints')).some((n) => n.startsWith('step-')));
  assert.equal(existsSync(join(runDir, 'final')), false);
});

test('a run the trainer refuses fails with the trainer’s own reason', async (t) => {
  const ws = tempWorkspace(t);
  const configFile = writeTinyRun(ws, { data: { train: 'missing.tsv', eval: 'eval.tsv', maxLength: 32 } });
  const { trainer } = launch({ verb: 'train', configFile });
  const exit = await trainer.exited;
  assert.equal(exit.kind, 'failed');
  assert.ok(exit.kind === 'failed' && /missing\.tsv/.test(exit.reason), JSON.stringify(exit));
  assert.equal(exit.kind === 'failed' ? exit.code : undefined, 1);
});

/** A scripted stand-in for the trainer (plain JS run by node with an IPC channel). */
function fakeTrainer(ws: ReturnType<typeof tempWorkspace>, body: string): string {
  return ws.write('fake-trainer.js', `'use strict';\n${body}\n`);
}

test('a trainer speaking another protocol version is stopped with an explanation', async (t) => {
  const ws = tempWorkspace(t);
  const cli = fakeTrainer(
    ws,
    `process.send({ type: 'hello', payload: { protocolVersion: 999, pid: process.pid, verb: 'train' } });
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1000);`,
  );
  const { trainer } = launch({ verb: 'train', configFile: ws.path('x.distill.json') }, { cliPath: cli });
  const exit = await trainer.exited;
  assert.equal(exit.kind, 'failed');
  assert.match(exit.kind === 'failed' ? exit.reason : '', /protocol version 999, this extension version 1/);
});

test('malformed and out-of-order messages are logged and ignored, not trusted', async (t) => {
  const ws = tempWorkspace(t);
  const cli = fakeTrainer(
    ws,
    `const ev = { type: 'step', time: 1, payload: { stage: 's', step: 1, globalStep: 1, epoch: 0, losses: {}, learningRate: 0.1, samplesPerSecond: 1 } };
process.send({ type: 'event', payload: ev });
process.send({ type: 'hello', payload: { protocolVersion: ${PROTOCOL_VERSION}, pid: process.pid, verb: 'train' } });
process.send({ type: 'hello', payload: { protocolVersion: ${PROTOCOL_VERSION}, pid: process.pid, verb: 'train' } });
process.send('not an object');
process.send({ type: 'event', payload: { type: 'step', time: 2, payload: { stage: 's' } } });
process.send({ type: 'launch-missiles', payload: {} });
process.send({ type: 'event', payload: ev }, () => process.exit(3));`,
  );
  const { trainer, events, log } = launch(
    { verb: 'train', configFile: ws.path('x.distill.json') },
    { cliPath: cli },
  );
  const exit = await trainer.exited;
  assert.equal(exit.kind, 'failed');
  assert.equal(events.length, 1, 'only the well-formed event after the handshake');
  const text = log.join('\n');
  assert.match(text, /ignored a "event" message that arrived before the handshake/);
  assert.match(text, /ignored a second handshake/);
  assert.match(text, /ignored a malformed message from the trainer: "not an object"/);
  assert.match(text, /ignored a malformed message from the trainer: \{"type":"event"/);
  assert.match(text, /ignored a malformed message from the trainer: \{"type":"launch-missiles"/);
});

test('a trainer that ignores the stop request is killed after the timeout', async (t) => {
  const ws = tempWorkspace(t);
  const cli = fakeTrainer(
    ws,
    `process.send({ type: 'hello', payload: { protocolVersion: ${PROTOCOL_VERSION}, pid: process.pid, verb: 'train' } });
process.on('message', () => console.error('stop? no.'));
setInterval(() => {}, 1000);`,
  );
  const { trainer, log } = launch(
    { verb: 'train', configFile: ws.path('x.distill.json') },
    { cliPath: cli, stopTimeoutMs: 300 },
  );
  await new Promise<void>((done) => trainer.onStateChange((s) => s.kind === 'running' && done()));
  const started = Date.now();
  const exit = await trainer.stop();
  assert.deepEqual(exit, { kind: 'stopped', runDir: undefined, forced: true });
  assert.ok(Date.now() - started < 10_000);
  assert.ok(log.includes('stop? no.'));
});

test('a trainer that never says hello is given up on after the handshake timeout', async (t) => {
  const ws = tempWorkspace(t);
  const cli = fakeTrainer(ws, `setInterval(() => {}, 1000);`);
  const { trainer } = launch(
    { verb: 'train', configFile: ws.path('x.distill.json') },
    { cliPath: cli, handshakeTimeoutMs: 300, stopTimeoutMs: 300 },
  );
  const exit = await trainer.exited;
  assert.equal(exit.kind, 'failed');
  assert.match(exit.kind === 'failed' ? exit.reason : '', /did not complete the protocol handshake/);
});

test('a Node executable that cannot start fails with the reason', async (t) => {
  const ws = tempWorkspace(t);
  const { trainer } = launch(
    { verb: 'train', configFile: ws.path('x.distill.json') },
    { nodePath: ws.path('no-such-node') },
  );
  const exit = await trainer.exited;
  assert.equal(exit.kind, 'failed');
  assert.match(exit.kind === 'failed' ? exit.reason : '', /could not start.*ENOENT/);
});

/** Forks the built trainer with a raw IPC channel (no TrainerProcess) to poke at its end of the protocol. */
function rawTrainer(cwd: string): {
  child: ChildProcess;
  messages: unknown[];
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const child = fork(CLI, ['train', 'tiny.distill.json'], {
    cwd,
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  const messages: unknown[] = [];
  let err = '';
  child.on('message', (m) => messages.push(m));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdout?.resume();
  return {
    child,
    messages,
    stderr: () => err,
    exit: new Promise((done) => child.on('exit', (code) => done(code))),
  };
}

const typeOf = (m: unknown): unknown => (m as { type?: unknown }).type;

test('the trainer’s IPC end logs and ignores malformed host messages, and acknowledges a stop', async (t) => {
  const ws = tempWorkspace(t);
  writeTinyRun(ws);
  const { child, messages, stderr, exit } = rawTrainer(ws.dir);
  child.on('message', (m) => {
    if (typeOf(m) === 'hello') {
      child.send({ type: 'launch', payload: {} });
      child.send({ type: 'stop', payload: { reason: 'whenever' } });
      child.send({ type: 'stop', payload: { reason: 'user' } });
    }
  });
  assert.equal(await exit, 130, stderr());
  assert.match(stderr(), /ignored a malformed message from the host: \{"type":"launch","payload":\{\}\}/);
  assert.match(
    stderr(),
    /ignored a malformed message from the host: \{"type":"stop","payload":\{"reason":"whenever"\}\}/,
  );
  assert.match(stderr(), /stop requested \(user\): saving a checkpoint, then stopping/);
  const types = messages.map(typeOf);
  assert.equal(types[0], 'hello');
  assert.ok(types.includes('stopping'));
  assert.deepEqual(messages.at(-1), {
    type: 'finished',
    payload: { outcome: 'stopped', runDir: join(ws.dir, 'runs', 'tiny') },
  });
});

test('when the host goes away the trainer saves a checkpoint and stops instead of training unobserved', async (t) => {
  const ws = tempWorkspace(t);
  writeTinyRun(ws);
  const { child, stderr, exit } = rawTrainer(ws.dir);
  child.on('message', (m) => {
    if (typeOf(m) === 'event' && (m as { payload: { type: string } }).payload.type === 'step')
      child.disconnect();
  });
  assert.equal(await exit, 130, stderr());
  assert.match(stderr(), /the host disconnected: saving a checkpoint, then stopping/);
  const runDir = join(ws.dir, 'runs', 'tiny');
  const last = (await readEvents(join(runDir, 'events.jsonl'))).at(-1);
  assert.ok(last?.type === 'checkpoint' && last.payload.reason === 'signal');
});
