// The run-history fold the host and the webview share: columns per loss term, a resumed run redoing steps replaces
// them (no doubled curves), stage boundaries where the stage's first step lands, snapshot + appends equal one fold,
// relative time without the pause between attempts, and the checks on the data that crosses to the webview.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent } from '../../../src/protocol/events';
import {
  parseHistoryEvent,
  parseRunHistoryData,
  RunHistory,
  type HistoryEvent,
} from '../../../src/protocol/runHistory';
import { chartDefs } from '../../../webview/src/training/chartDefs';
import { fixtureEvents } from '../../helpers/dashboardFixtures';

const toHistory = (events: readonly RunEvent[]): HistoryEvent[] =>
  events.map((e, i) =>
    e.type === 'attention-snapshot'
      ? {
          type: 'attention-index',
          time: e.time,
          payload: {
            id: i,
            globalStep: e.payload.globalStep,
            stage: e.payload.stage,
            time: e.time,
            probes: [],
            pairs: [],
          },
        }
      : e,
  );

function fold(events: readonly HistoryEvent[]): RunHistory {
  const h = new RunHistory();
  for (const e of events) h.apply(e);
  return h;
}

test('steps fold into columns; terms absent in a stage are NaN there; stage boundaries at the first step', () => {
  const h = fold(toHistory(fixtureEvents({ stageSteps: [60, 140] })));
  assert.equal(h.rows, 200);
  assert.equal(h.columns.get('loss.hidden')?.get(10) !== undefined, true);
  assert.ok(Number.isNaN(h.columns.get('loss.hidden')?.get(100) ?? 0), 'hidden is off in the kd stage');
  assert.ok(
    Number.isNaN(h.columns.get('loss.softLabel')?.get(10) ?? 0),
    'softLabel is off in the hidden stage',
  );
  assert.deepEqual(
    h.marks.map((m) => [m.name, m.afterStep]),
    [
      ['hidden', 0],
      ['kd', 60],
    ],
  );
  assert.equal(h.evals.filter((e) => e.model === 'student').length, 10);
  assert.equal(h.ending.kind, 'done');
  assert.equal(h.attention.length, 9);
});

test('a resumed run redoing steps from its checkpoint replaces them, and its repeated stage-change is no boundary', () => {
  const first = fixtureEvents({ stageSteps: [60, 140], stopAfter: 150 });
  const resumeAt = Date.UTC(2025, 0, 7);
  const again = fixtureEvents({ stageSteps: [60, 140], start: resumeAt })
    .filter(
      (e) =>
        e.type !== 'run-start' &&
        !(e.type === 'step' && e.payload.globalStep <= 100) &&
        !(e.type === 'eval' && e.payload.globalStep <= 100) &&
        !(e.type === 'attention-snapshot' && e.payload.globalStep <= 100) &&
        !(e.type === 'checkpoint' && e.payload.globalStep <= 100),
    )
    .filter((e) => !(e.type === 'stage-change' && e.payload.index === 0));
  const resumed: RunEvent = {
    type: 'run-start',
    time: resumeAt,
    payload: {
      protocolVersion: 1,
      runName: 'reviews-kd',
      configFile: '/c',
      backend: 'wasm',
      stages: [],
      resumedFrom: { stage: 'kd', step: 40 },
    },
  };
  const h = fold(toHistory([...first, resumed, ...again]));
  assert.equal(h.rows, 200, 'steps 101-150 are not doubled');
  const steps = [...h.globalStep.view()];
  assert.deepEqual(
    steps,
    Array.from({ length: 200 }, (_, i) => i + 1),
  );
  assert.ok((h.time.get(120) ?? 0) >= resumeAt, 'the redone step 121 comes from the resumed attempt');
  assert.ok((h.time.get(99) ?? 0) < resumeAt, 'step 100 is kept from the first attempt');
  assert.deepEqual(
    h.marks.map((m) => m.name),
    ['hidden', 'kd'],
  );
  assert.ok(h.rewinds >= 1);
  assert.equal(
    new Set(h.evals.map((e) => `${e.model}:${e.globalStep}`)).size,
    h.evals.length,
    'no duplicated evals',
  );
  // Relative time leaves out the night between the attempts.
  const rel = h.relativeTimes();
  assert.ok((rel[199] ?? 0) < 3_600_000, `relative end ${rel[199]} ms`);
  for (let i = 1; i < rel.length; i++) assert.ok((rel[i] ?? 0) >= (rel[i - 1] ?? 0) - 60_000, `row ${i}`);
});

test('snapshot (toData -> fromData) then appends gives exactly the history of one fold', () => {
  const events = toHistory(fixtureEvents({ stageSteps: [60, 140] }));
  for (const cut of [1, 3, 62, 63, 64, 150]) {
    const head = fold(events.slice(0, cut));
    const copy = RunHistory.fromData(structuredClone(head.toData()));
    for (const e of events.slice(cut)) copy.apply(e);
    const whole = fold(events);
    assert.deepEqual(copy.toData(), whole.toData(), `cut at ${cut}`);
  }
});

test('the data sent to the webview is checked: typed columns of one length, known event shapes', () => {
  const data = fold(toHistory(fixtureEvents({ stageSteps: [10, 10] }))).toData();
  assert.ok(parseRunHistoryData(data));
  assert.ok(
    data.steps.globalStep.buffer.byteLength === data.steps.globalStep.byteLength,
    'standalone buffers',
  );
  const bad = structuredClone(data);
  bad.steps.columns['loss.total'] = new Float64Array(3);
  assert.equal(parseRunHistoryData(bad), undefined);
  assert.equal(parseRunHistoryData({ ...data, steps: { ...data.steps, time: [1, 2] } }), undefined);
  assert.equal(parseRunHistoryData({ ...data, ending: { kind: 'exploded' } }), undefined);
  assert.equal(
    parseHistoryEvent({
      type: 'attention-snapshot',
      time: 1,
      payload: { stage: 'a', globalStep: 1, maps: [] },
    }),
    undefined,
    'maps never travel in appends',
  );
  assert.ok(
    parseHistoryEvent({
      type: 'attention-index',
      time: 1,
      payload: { id: 1, globalStep: 1, stage: 'a', time: 1, probes: [], pairs: [] },
    }),
  );
  assert.equal(parseHistoryEvent({ type: 'attention-index', time: 1, payload: { id: 'x' } }), undefined);
});

test('masked-LM evaluations of a pre-training stage are kept, survive a snapshot and a rewind, and are checked', () => {
  const base = fixtureEvents({ stageSteps: [10, 10] });
  const start = base[0]?.time ?? 0;
  const mlm = (globalStep: number, agreement: number): HistoryEvent => ({
    type: 'masked-lm-eval',
    time: start + globalStep * 100 + 50,
    payload: {
      stage: 'hidden',
      step: globalStep,
      globalStep,
      metrics: { agreement, studentAccuracy: agreement / 2, teacherAccuracy: 0.6, n: 120 },
    },
  });
  // Evaluations after steps 4 and 8 of the first stage, in step order among the fixture's events.
  const events = toHistory(base).flatMap((e): HistoryEvent[] =>
    e.type === 'step' && (e.payload.globalStep === 4 || e.payload.globalStep === 8)
      ? [e, mlm(e.payload.globalStep, e.payload.globalStep / 10)]
      : [e],
  );
  const h = fold(events);
  assert.deepEqual(
    h.maskedLmEvals.map((e) => [e.globalStep, e.metrics.agreement, e.metrics.studentAccuracy]),
    [
      [4, 0.4, 0.2],
      [8, 0.8, 0.4],
    ],
  );
  const data = h.toData();
  assert.ok(parseRunHistoryData(structuredClone(data)));
  assert.deepEqual(RunHistory.fromData(structuredClone(data)).toData(), data);
  const bad = structuredClone(data);
  (bad.maskedLmEvals[0] as { metrics: unknown }).metrics = { agreement: 'high' };
  assert.equal(parseRunHistoryData(bad), undefined, 'malformed masked-LM metrics are refused');
  // A resume redoing steps from 6 on drops the evaluation at step 8 (it is redone).
  const step6 = events.find((e) => e.type === 'step' && e.payload.globalStep === 6);
  assert.ok(step6);
  h.apply(step6);
  assert.deepEqual(
    h.maskedLmEvals.map((e) => e.globalStep),
    [4],
  );
  assert.ok(parseHistoryEvent(mlm(4, 0.4)), 'masked-LM evaluations travel in appends');
});

test('the Training tab charts masked-LM agreement and accuracy only when a run has masked-LM evaluations', () => {
  const keys = (hasMaskedLm: boolean): string[] =>
    chartDefs(new Set(['loss.total', 'loss.maskedLm']), false, hasMaskedLm).map((d) => d.key);
  assert.deepEqual(keys(false), ['loss-total', 'loss-maskedLm']);
  assert.deepEqual(keys(true), ['loss-total', 'loss-maskedLm', 'mlm-agreement', 'mlm-accuracy']);
});
