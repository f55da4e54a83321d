// The Runs view's items and texts from fixture runs (vscode mocked): contextValue per status (package.json menus
// match these), description, tooltip, icons; live progress text; the export/bench report readers.
import '../../helpers/vscodeMock';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { readBenchReport, readExportReport, formatBenchTable } from '../../../src/extension/cliReports';
import { describeRun, formatDuration, liveProgress, untranslated } from '../../../src/extension/runFormat';
import { foldEvents } from '../../../src/extension/runProgress';
import { RunRegistry, summarize, type RunSummary } from '../../../src/extension/runRegistry';
import { contextValue, treeItem } from '../../../src/extension/runsView';
import type { Job } from '../../../src/extension/runScheduler';
import { readEvents } from '../../../src/trainer/train/runDir';

const FIXTURES = resolve('test/unit/extension/fixtures/runFolders');
const NOW = 1_700_000_000_000 + 3_600_000;

async function fixture(name: string): Promise<RunSummary> {
  const record = await new RunRegistry().readRun(join(FIXTURES, name));
  assert.ok(record, name);
  return summarize({ ...record, lastWriteAt: 1_700_000_000_000 }, { now: NOW });
}

test('contextValue encodes status and model for the menus', async () => {
  const job = { label: 'q', runDir: '/ws/runs/q', state: { kind: 'queued' } } as unknown as Job;
  assert.equal(
    contextValue({ kind: 'run', summary: await fixture('done'), job: undefined }),
    'run:done:model',
  );
  assert.equal(contextValue({ kind: 'run', summary: await fixture('failed'), job: undefined }), 'run:failed');
  assert.equal(
    contextValue({ kind: 'run', summary: await fixture('stopped'), job: undefined }),
    'run:stopped',
  );
  const running = { ...(await fixture('quiet')), status: { kind: 'running', owner: 'extension' } as const };
  assert.equal(contextValue({ kind: 'run', summary: running, job: undefined }), 'run:running-extension');
  assert.equal(contextValue({ kind: 'pending', job, position: 1 }), 'pending:queued');
  // The package.json menu regexes select the intended items.
  assert.match('run:running-extension', /^(run:running-extension|pending:)/);
  assert.doesNotMatch('run:running-external', /^(run:running-extension|pending:)/);
  assert.match('run:done:model', /^run:.*:model$/);
  assert.match('run:stopped', /^run:(stopped|failed)/);
});

test('tree items: name, one-line description, markdown tooltip, status icon', async () => {
  const done = treeItem({ kind: 'run', summary: await fixture('done'), job: undefined });
  assert.equal(done.label, 'done');
  assert.equal(done.description, 'done · acc 75.0% · 1m00s');
  assert.equal((done.iconPath as { id: string }).id, 'pass');
  const tooltip = (done.tooltip as { value: string }).value;
  assert.match(tooltip, /Best: accuracy 75\.0%, macro-F1 70\.0% \(40 examples\)/);
  assert.match(tooltip, /Steps: 10 of 10/);
  const stopped = treeItem({ kind: 'run', summary: await fixture('stopped'), job: undefined });
  assert.equal(stopped.description, 'stopped · distill 2/2 · step 2/6 · 6s');
  const failed = treeItem({ kind: 'run', summary: await fixture('failed'), job: undefined });
  assert.match((failed.tooltip as { value: string }).value, /The loss became NaN/);
  assert.equal((failed.iconPath as { id: string }).id, 'error');
  const quiet = treeItem({ kind: 'run', summary: await fixture('quiet'), job: undefined });
  assert.equal(quiet.description, 'interrupted · teacher 1/2 · step 2/4 · 1s');
});

test('live progress text and fraction from events', async () => {
  const events = await readEvents(join(FIXTURES, 'stopped', 'events.jsonl'));
  const p = foldEvents(events.slice(0, 6));
  assert.deepEqual(liveProgress(p, untranslated), {
    message: 'distill 2/2 · step 2/6 · loss 1.1000',
    fraction: 0.6,
  });
  assert.deepEqual(liveProgress(foldEvents([]), untranslated), {
    message: 'setting up',
    fraction: undefined,
  });
  assert.equal(formatDuration(3_725_000), '1h02m');
  assert.equal(describeRun(await fixture('resumed'), untranslated), 'done · acc 80.0% · 40s');
});

test('export and bench reports are narrowed; malformed ones are rejected', () => {
  assert.deepEqual(
    readExportReport({
      file: '/m.onnx',
      written: true,
      bytes: 2 ** 20,
      precision: 'int8',
      verification: { maxAbsDiff: 0.002, agreement: { rate: 0.975 } },
      warnings: ['w', 3],
    }),
    {
      file: '/m.onnx',
      written: true,
      bytes: 2 ** 20,
      precision: 'int8',
      maxAbsDiff: 0.002,
      agreement: 0.975,
      warnings: ['w'],
    },
  );
  assert.equal(readExportReport({ file: '/m.onnx', written: 'yes', bytes: 1 }), undefined);
  assert.equal(readExportReport('nope'), undefined);
  const point = { batch: 1, sequence: 32, p50Ms: 1.5, p90Ms: 2, samplesPerSecond: 600 };
  const models = readBenchReport({
    models: [
      { path: '/t.onnx', name: 't.onnx', fileBytes: 4 * 2 ** 20, points: [point] },
      {
        path: '/s.onnx',
        name: 's.onnx',
        fileBytes: 2 ** 20,
        speedup: 3,
        points: [{ ...point, p50Ms: 0.5, speedup: 3 }],
      },
    ],
  });
  assert.equal(models?.length, 2);
  assert.deepEqual(formatBenchTable(models ?? []).slice(-1), [
    '      1    32      0.50      2.00       600.0 3.00x',
  ]);
  const onCpu = readBenchReport({
    models: [
      {
        path: '/g.onnx',
        points: [point],
        executionProvider: 'cpu',
        fallback: 'CUDA is unavailable (x); running on the CPU.',
        peakRssBytes: 3 * 2 ** 20,
      },
    ],
  });
  assert.deepEqual(formatBenchTable(onCpu ?? []).slice(0, 2), [
    '/g.onnx (0.000 MiB, CPU, peak RSS 3.0 MiB)',
    '  note: CUDA is unavailable (x); running on the CPU.',
  ]);
  assert.equal(readBenchReport({ models: [{ path: '/t.onnx', points: [{ batch: 1 }] }] }), undefined);
  assert.equal(readBenchReport({}), undefined);
});
