// The trainer <-> host IPC protocol: well-formed messages narrow to their type, anything else is rejected at the
// receive point (malformed envelopes, unknown types, bad payloads, events that do not parse).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  describeMessage,
  parseHostToTrainer,
  parseTrainerToHost,
} from '../../../src/protocol/trainerMessages';
import { PROTOCOL_VERSION } from '../../../src/protocol/version';

const step = {
  type: 'step',
  time: 1,
  payload: {
    stage: 'distill',
    step: 1,
    globalStep: 7,
    epoch: 0,
    losses: { total: 1 },
    learningRate: 0.001,
    samplesPerSecond: 10,
  },
};

test('trainer -> host: each message type narrows', () => {
  assert.deepEqual(
    parseTrainerToHost({
      type: 'hello',
      payload: { protocolVersion: PROTOCOL_VERSION, pid: 12, verb: 'resume' },
    }),
    { type: 'hello', payload: { protocolVersion: PROTOCOL_VERSION, pid: 12, verb: 'resume' } },
  );
  assert.deepEqual(parseTrainerToHost({ type: 'event', payload: step }), { type: 'event', payload: step });
  assert.deepEqual(parseTrainerToHost({ type: 'stopping', payload: { reason: 'user' } }), {
    type: 'stopping',
    payload: { reason: 'user' },
  });
  assert.deepEqual(
    parseTrainerToHost({
      type: 'finished',
      payload: { outcome: 'done', runDir: '/r', finalModel: '/r/final', extra: 1 },
    }),
    { type: 'finished', payload: { outcome: 'done', runDir: '/r', finalModel: '/r/final' } },
    'unknown payload fields are dropped',
  );
  // Another protocol version still parses, so the host can say which one it got.
  assert.equal(
    parseTrainerToHost({ type: 'hello', payload: { protocolVersion: 99, pid: 1, verb: 'train' } })?.type,
    'hello',
  );
});

test('trainer -> host: malformed messages are rejected', () => {
  const bad: unknown[] = [
    undefined,
    null,
    'hello',
    42,
    [],
    { type: 'hello' },
    { type: 'hello', payload: [] },
    { type: 'hello', payload: { protocolVersion: '1', pid: 1, verb: 'train' } },
    { type: 'hello', payload: { protocolVersion: 1.5, pid: 1, verb: 'train' } },
    { type: 'hello', payload: { protocolVersion: 1, pid: 1, verb: 'predict' } },
    { type: 'event', payload: { type: 'step', time: 1, payload: { stage: 'x' } } },
    { type: 'event', payload: { type: 'no-such-event', time: 1, payload: {} } },
    { type: 'event', payload: { ...step, time: 'yesterday' } },
    { type: 'stopping', payload: { reason: 'bored' } },
    { type: 'finished', payload: { outcome: 'exploded' } },
    { type: 'finished', payload: { outcome: 'failed', message: 7 } },
    { type: 'finished', payload: { outcome: 'done', runDir: ['/r'] } },
    { type: 'stop', payload: { reason: 'user' } },
    { type: '__proto__', payload: {} },
  ];
  for (const value of bad) assert.equal(parseTrainerToHost(value), undefined, describeMessage(value));
});

test('host -> trainer: stop narrows; anything else is rejected', () => {
  assert.deepEqual(parseHostToTrainer({ type: 'stop', payload: { reason: 'shutdown' } }), {
    type: 'stop',
    payload: { reason: 'shutdown' },
  });
  for (const value of [
    { type: 'stop' },
    { type: 'stop', payload: {} },
    { type: 'stop', payload: { reason: 'now' } },
    { type: 'hello', payload: { protocolVersion: 1, pid: 1, verb: 'train' } },
    'stop',
  ])
    assert.equal(parseHostToTrainer(value), undefined, describeMessage(value));
});

test('describeMessage keeps log lines short', () => {
  assert.equal(describeMessage({ a: 1 }), '{"a":1}');
  assert.equal(describeMessage('x'.repeat(500)).length, 203);
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  assert.equal(describeMessage(cyclic), '[object Object]');
});
