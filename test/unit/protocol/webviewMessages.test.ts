// Messages between host and dashboard are checked where they arrive: wrong protocol versions, unknown types, missing
// fields and attention maps that are not Float32Arrays of heads x T x T are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DASHBOARD_STRING_KEYS } from '../../../src/protocol/dashboardStrings';
import { RunHistory } from '../../../src/protocol/runHistory';
import { PROTOCOL_VERSION } from '../../../src/protocol/version';
import { parseHostToWebview, parseWebviewToHost } from '../../../src/protocol/webviewMessages';

const strings = Object.fromEntries(DASHBOARD_STRING_KEYS.map((k) => [k, k]));
const reports = { benchmarks: [], doctor: undefined, onnxFiles: [], problems: [] };

test('webview -> host: each message type, and what is refused', () => {
  const selection = { primary: '/r', compare: ['/s'] };
  assert.deepEqual(
    parseWebviewToHost({ type: 'ready', payload: { protocolVersion: PROTOCOL_VERSION, selection } }),
    { type: 'ready', payload: { protocolVersion: PROTOCOL_VERSION, selection } },
  );
  assert.equal(
    parseWebviewToHost({ type: 'ready', payload: { protocolVersion: PROTOCOL_VERSION + 1, selection } }),
    undefined,
  );
  assert.equal(
    parseWebviewToHost({
      type: 'ready',
      payload: { protocolVersion: PROTOCOL_VERSION, selection: { compare: [1] } },
    }),
    undefined,
  );
  assert.ok(parseWebviewToHost({ type: 'attention', payload: { requestId: 1, runId: '/r', snapshotId: 2 } }));
  assert.equal(
    parseWebviewToHost({ type: 'attention', payload: { requestId: '1', runId: '/r', snapshotId: 2 } }),
    undefined,
  );
  assert.ok(parseWebviewToHost({ type: 'command', payload: { command: 'diagnose', runId: '/r' } }));
  assert.equal(
    parseWebviewToHost({ type: 'command', payload: { command: 'rm -rf', runId: '/r' } }),
    undefined,
    'only known commands',
  );
  assert.equal(parseWebviewToHost({ type: 'eval', payload: {} }), undefined);
  assert.equal(parseWebviewToHost('ready'), undefined);
});

test('host -> webview: a snapshot with typed columns, attention maps as Float32Array', () => {
  const history = new RunHistory().toData();
  const snapshot = {
    type: 'snapshot',
    payload: {
      protocolVersion: PROTOCOL_VERSION,
      locale: 'ko',
      strings,
      runs: [{ id: '/r', name: 'r', status: 'done', description: '' }],
      selection: { primary: '/r', compare: [] },
      data: [{ runId: '/r', history, reports }],
      focusTab: 'attention',
    },
  };
  const parsed = parseHostToWebview(snapshot);
  assert.equal(parsed?.type, 'snapshot');
  assert.equal(
    parseHostToWebview({ ...snapshot, payload: { ...snapshot.payload, focusTab: 'settings' } }),
    undefined,
  );
  assert.equal(
    parseHostToWebview({ ...snapshot, payload: { ...snapshot.payload, strings: { title: 'x' } } }),
    undefined,
    'every string',
  );
  assert.equal(
    parseHostToWebview({
      ...snapshot,
      payload: { ...snapshot.payload, runs: [{ id: '/r', name: 'r', status: 'weird', description: '' }] },
    }),
    undefined,
  );
  const map = {
    probe: 0,
    teacherLayer: 2,
    studentLayer: 1,
    tokens: ['a', 'b'],
    teacherHeads: 2,
    studentHeads: 1,
    teacher: new Float32Array(8),
    student: new Float32Array(4),
  };
  assert.equal(
    parseHostToWebview({
      type: 'attention',
      payload: { requestId: 1, runId: '/r', snapshotId: 3, maps: [map] },
    })?.type,
    'attention',
  );
  assert.equal(
    parseHostToWebview({
      type: 'attention',
      payload: {
        requestId: 1,
        runId: '/r',
        snapshotId: 3,
        maps: [{ ...map, teacher: [0, 0, 0, 0, 0, 0, 0, 0] }],
      },
    }),
    undefined,
    'plain arrays are refused',
  );
  assert.equal(
    parseHostToWebview({
      type: 'attention',
      payload: { requestId: 1, runId: '/r', snapshotId: 3, maps: [{ ...map, student: new Float32Array(3) }] },
    }),
    undefined,
    'sizes must match the tokens',
  );
  assert.ok(
    parseHostToWebview({
      type: 'attention',
      payload: { requestId: 1, runId: '/r', snapshotId: 3, error: 'gone' },
    }),
  );
  assert.ok(
    parseHostToWebview({
      type: 'append',
      payload: {
        runId: '/r',
        from: 0,
        events: [
          {
            type: 'eval',
            time: 1,
            payload: {
              stage: 's',
              step: 1,
              globalStep: 1,
              model: 'student',
              metrics: { accuracy: 1, macroF1: 1, n: 1 },
              best: true,
            },
          },
        ],
      },
    }),
  );
  assert.equal(
    parseHostToWebview({
      type: 'append',
      payload: { runId: '/r', from: 0, events: [{ type: 'step', time: 1, payload: {} }] },
    }),
    undefined,
  );
});
