// The dashboard on the host side, with `vscode` mocked: events.jsonl read incrementally (a partial last line waits,
// a rewritten file starts over, attention maps come back from their byte range as Float32Arrays), the reports of a
// run folder, the page's CSP, and the panel's protocol: a snapshot on ready, appends while visible, nothing while
// hidden, a fresh snapshot when shown again, attention by request id, commands only for shown runs; Open Dashboard
// and Show Attention Diff through activate(), and a panel restored by the serializer.
import {
  commands,
  createMockPanel,
  extensionContext,
  recorded,
  resetMock,
  setSetting,
  Uri,
  webviewPanels,
  webviewSerializers,
  workspace,
  type MockWebviewPanel,
} from '../../helpers/vscodeMock';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import type * as vscode from 'vscode';
import { contentSecurityPolicy, renderPage } from '../../../src/extension/dashboard/dashboardHtml';
import { DashboardPanel, type DashboardHost } from '../../../src/extension/dashboard/dashboardPanel';
import { readRunReports } from '../../../src/extension/dashboard/dashboardReports';
import { dashboardStrings } from '../../../src/extension/dashboard/dashboardStrings';
import { RunEventsReader } from '../../../src/extension/dashboard/runEventsReader';
import { RunSource, RunSourcePool } from '../../../src/extension/dashboard/runSource';
import { Emitter } from '../../../src/extension/emitter';
import { activate, deactivate } from '../../../src/extension/extension';
import { PROTOCOL_VERSION } from '../../../src/protocol/version';
import { eventsText, fixtureEvents, writeFixtureRun } from '../../helpers/dashboardFixtures';
import { tempWorkspace } from '../../helpers/tempWorkspace';

async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('events.jsonl is read incrementally; attention maps come back from the file as Float32Arrays', async (t) => {
  const ws = tempWorkspace(t);
  const events = fixtureEvents({ stageSteps: [20, 30], attentionEvery: 10 });
  const text = eventsText(events);
  const file = join(ws.dir, 'events.jsonl');
  const cut = text.indexOf('\n', Math.floor(text.length / 2)) + 20; // mid-line
  writeFileSync(file, text.slice(0, cut));
  const reader = new RunEventsReader(file);
  const first = await reader.read();
  assert.equal(first.kind, 'appended');
  const seen = first.kind === 'appended' ? first.events.length : 0;
  appendFileSync(file, text.slice(cut));
  const second = await reader.read();
  assert.equal(
    second.kind === 'appended' ? second.events.length : -1,
    events.length - seen,
    'the partial line waited',
  );
  assert.equal(reader.history.rows, 50);
  const entry = reader.history.attention[2];
  assert.ok(entry !== undefined);
  assert.deepEqual(
    entry.probes.map((p) => p.tokens[1]),
    ['the', '정말'],
  );
  const maps = await reader.readAttention(entry.id);
  assert.ok(Array.isArray(maps));
  const source = events.filter((e) => e.type === 'attention-snapshot')[2];
  assert.ok(source?.type === 'attention-snapshot');
  const record = source.payload.maps[0];
  const map = maps[0];
  assert.ok(map !== undefined && record !== undefined);
  assert.ok(map.teacher instanceof Float32Array);
  assert.equal(map.teacher.length, record.teacher.length * record.tokens.length ** 2);
  assert.equal(
    map.teacher.buffer.byteLength,
    map.teacher.byteLength,
    'a standalone buffer (postMessage sends whole buffers)',
  );
  assert.ok(Math.abs((map.student[5] ?? 0) - (record.student[0]?.[0]?.[5] ?? 0)) < 1e-6);
  assert.match(String(await reader.readAttention(999)), /no attention snapshot 999/);
  // A torn line is skipped; a rewritten (shorter) file starts over.
  appendFileSync(file, '{"type":"step","ti\n');
  await reader.read();
  assert.equal(reader.skippedLines, 1);
  writeFileSync(file, eventsText(events.slice(0, 5)));
  assert.equal((await reader.read()).kind, 'reset');
  assert.equal(reader.history.eventCount, 5);
});

test('reports: bench files beside the run’s models, doctor.json, .onnx files; unreadable ones are listed', async (t) => {
  const ws = tempWorkspace(t);
  const dir = writeFixtureRun(join(ws.dir, 'runs', 'r'), fixtureEvents({ stageSteps: [5, 5] }), true);
  mkdirSync(join(dir, 'checkpoints', 'step-100'), { recursive: true });
  writeFileSync(join(dir, 'checkpoints', 'step-100', 'x.bench.json'), '{}');
  writeFileSync(join(dir, 'onnx', 'broken.bench.json'), '{ not json');
  const reports = await readRunReports(dir);
  assert.deepEqual(reports.benchmarks.map((b) => b.model.name).sort(), [
    'student',
    'student-int8',
    'teacher',
  ]);
  assert.equal(reports.doctor?.stages.length, 4);
  assert.equal(reports.doctor?.findings[0]?.code, 'TRUNCATION');
  assert.equal(reports.onnxFiles.length, 3);
  assert.equal(reports.problems.length, 1);
  assert.match(reports.problems[0] ?? '', /broken\.bench\.json/);
});

test('the page: strict CSP with a fresh nonce, only bundled assets, no inline script or handlers', () => {
  const template = readFileSync('webview/index.html', 'utf8').replace(/<!--[\s\S]*?-->/g, '');
  assert.doesNotMatch(template, /\son[a-z]+=/i, 'no inline event handlers');
  assert.doesNotMatch(template, /<script(?![^>]*src=)/, 'no inline script');
  assert.doesNotMatch(template, /<style/, 'no inline style');
  assert.doesNotMatch(template, /https?:\/\//, 'nothing from the network');
  const html = renderPage(template, {
    cspSource: 'https://x.vscode-cdn.net',
    nonce: 'abc+/=',
    scriptUri: 'https://x.vscode-cdn.net/main.js',
    styleUri: 'https://x.vscode-cdn.net/main.css',
    lang: 'ko',
    title: 'T <&>',
    loading: '…',
  });
  assert.match(html, /<script nonce="abc\+\/=" src="https:\/\/x\.vscode-cdn\.net\/main\.js">/);
  assert.match(html, /T &lt;&amp;&gt;/);
  assert.equal(
    contentSecurityPolicy('S', 'N'),
    "default-src 'none'; script-src 'nonce-N'; style-src S 'nonce-N'; font-src S; img-src S data:",
  );
  assert.throws(
    () =>
      renderPage('{{nope}}', {
        cspSource: '',
        nonce: '',
        scriptUri: '',
        styleUri: '',
        lang: '',
        title: '',
        loading: '',
      }),
    /unknown placeholder/,
  );
});

function host(t: TestContext): {
  host: DashboardHost;
  pool: RunSourcePool;
  log: string[];
  commands: string[];
} {
  resetMock();
  const log: string[] = [];
  const ran: string[] = [];
  const pool = new RunSourcePool({ pollMs: 50, watchFiles: false });
  t.after(() => pool.dispose());
  const template = readFileSync('webview/index.html', 'utf8');
  const runsChanged = { listeners: [] as (() => void)[] };
  return {
    pool,
    log,
    commands: ran,
    host: {
      extensionUri: Uri.file(resolve('.')) as unknown as vscode.Uri,
      pool,
      runList: () => [],
      onDidChangeRuns: ((l: () => void) => {
        runsChanged.listeners.push(l);
        return { dispose: () => undefined };
      }) as unknown as vscode.Event<void>,
      strings: dashboardStrings,
      locale: 'en',
      template: () => Promise.resolve(template),
      runCommand: (command, runDir) => ran.push(`${command} ${runDir}`),
      log: (line) => log.push(line),
    },
  };
}

const types = (panel: MockWebviewPanel): string[] => panel.posted.map((m) => m.type);

test('panel: snapshot on ready, appends while visible, none while hidden, a new snapshot when shown again', async (t) => {
  const ws = tempWorkspace(t);
  const all = fixtureEvents({ stageSteps: [20, 30] });
  const dir = writeFixtureRun(join(ws.dir, 'runs', 'live'), all.slice(0, 30));
  const { host: h, log } = host(t);
  const mock = createMockPanel('distillStudio.dashboard', 'Distill');
  const panel = new DashboardPanel(mock as unknown as vscode.WebviewPanel, h, {
    selection: { primary: dir, compare: [] },
    revealWaitMs: 100,
  });
  t.after(() => panel.dispose());
  await until('the page html', () => mock.webview.html !== '');
  assert.match(mock.webview.html, /Content-Security-Policy/);
  assert.match(mock.webview.html, /mock\.vscode-cdn\.net.*dist\/webview\/main\.js/);
  const options = mock.webview.options as {
    enableScripts: boolean;
    localResourceRoots: { fsPath: string }[];
    retainContextWhenHidden?: boolean;
  };
  assert.equal(options.enableScripts, true);
  assert.equal(options.retainContextWhenHidden, undefined);
  assert.deepEqual(
    options.localResourceRoots.map((u) => u.fsPath),
    [resolve('dist/webview'), resolve('media')],
  );
  assert.deepEqual(types(mock), [], 'nothing before the page is ready');

  // The page's saved selection does not override the run the command asked for.
  mock.receive({
    type: 'ready',
    payload: { protocolVersion: PROTOCOL_VERSION, selection: { primary: '/elsewhere', compare: [] } },
  });
  await until('a snapshot', () => types(mock).includes('snapshot'));
  assert.deepEqual(
    types(mock),
    ['snapshot'],
    `posted ${JSON.stringify(mock.posted.map((m) => [m.type, m.payload['from'], (m.payload['events'] as unknown[] | undefined)?.length]))}`,
  );
  const snap = mock.posted[0]?.payload as {
    selection: { primary: string };
    data: { runId: string; history: { eventCount: number; steps: { globalStep: Float64Array } } }[];
  };
  assert.equal(snap.selection.primary, dir);
  assert.equal(snap.data[0]?.history.eventCount, 30);
  assert.ok(snap.data[0]?.history.steps.globalStep instanceof Float64Array, 'columns travel as typed arrays');

  appendFileSync(join(dir, 'events.jsonl'), eventsText(all.slice(30, 40)));
  await until('an append', () => types(mock).includes('append'));
  const append = mock.posted.find((m) => m.type === 'append')?.payload as { from: number; events: unknown[] };
  assert.equal(append.from, 30);
  assert.equal(append.events.length, 10);

  mock.setVisible(false);
  const hiddenAt = mock.posted.length;
  appendFileSync(join(dir, 'events.jsonl'), eventsText(all.slice(40, 50)));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(mock.posted.length, hiddenAt, 'nothing is posted while hidden');

  mock.setVisible(true);
  mock.receive({
    type: 'ready',
    payload: { protocolVersion: PROTOCOL_VERSION, selection: { primary: dir, compare: [] } },
  });
  await until('a snapshot after showing again', () => mock.posted.length > hiddenAt);
  assert.equal(mock.posted[hiddenAt]?.type, 'snapshot');
  assert.equal(
    (mock.posted[hiddenAt]?.payload as typeof snap).data[0]?.history.eventCount,
    50,
    'it includes what arrived while hidden',
  );

  // A kept page (no ready after showing): the snapshot comes after the wait.
  mock.setVisible(false);
  mock.setVisible(true);
  const shownAt = mock.posted.length;
  await until('a snapshot without ready', () => mock.posted.length > shownAt);
  assert.equal(mock.posted[shownAt]?.type, 'snapshot');

  // Attention by request id, for shown runs only.
  const snapshotId =
    (snap.data[0]?.history as unknown as { attention: { id: number }[] }).attention[0]?.id ?? -1;
  mock.receive({ type: 'attention', payload: { requestId: 7, runId: dir, snapshotId } });
  await until('the maps', () => mock.posted.some((m) => m.type === 'attention'));
  const answer = mock.posted.find((m) => m.type === 'attention')?.payload as {
    requestId: number;
    maps: { teacher: Float32Array }[];
  };
  assert.equal(answer.requestId, 7);
  assert.ok(answer.maps[0]?.teacher instanceof Float32Array);
  mock.receive({ type: 'attention', payload: { requestId: 8, runId: '/not/shown', snapshotId } });
  await until('the refusal', () =>
    mock.posted.some((m) => m.type === 'attention' && m.payload['requestId'] === 8),
  );
  assert.match(String(mock.posted.find((m) => m.payload['requestId'] === 8)?.payload['error']), /not shown/);

  mock.receive({ type: 'hello', payload: {} });
  assert.match(log.join('\n'), /ignored a malformed message/);
});

test('panel: commands are forwarded for shown runs only; the selection change loads the compared run', async (t) => {
  const ws = tempWorkspace(t);
  const a = writeFixtureRun(join(ws.dir, 'runs', 'a'), fixtureEvents({ stageSteps: [5, 5] }));
  const b = writeFixtureRun(join(ws.dir, 'runs', 'b'), fixtureEvents({ stageSteps: [4, 4], runName: 'b' }));
  const { host: h, pool, commands: ran, log } = host(t);
  const mock = createMockPanel('distillStudio.dashboard', 'Distill');
  const panel = new DashboardPanel(mock as unknown as vscode.WebviewPanel, h, {
    selection: { primary: a, compare: [] },
  });
  t.after(() => panel.dispose());
  mock.receive({
    type: 'ready',
    payload: { protocolVersion: PROTOCOL_VERSION, selection: { primary: undefined, compare: [] } },
  });
  await until('a snapshot', () => types(mock).includes('snapshot'));
  mock.receive({ type: 'select', payload: { selection: { primary: a, compare: [b] } } });
  await until('a second snapshot', () => types(mock).filter((x) => x === 'snapshot').length === 2);
  const snap = mock.posted[mock.posted.length - 1]?.payload as { data: { runId: string }[] };
  assert.deepEqual(
    snap.data.map((d) => d.runId),
    [a, b],
  );
  assert.equal(pool.all.length, 2);
  mock.receive({ type: 'command', payload: { command: 'diagnose', runId: a } });
  mock.receive({ type: 'command', payload: { command: 'diagnose', runId: '/etc' } });
  await until('the command', () => ran.length === 1);
  assert.deepEqual(ran, [`diagnose ${a}`]);
  assert.match(log.join('\n'), /ignored "diagnose" for a run it does not show/);
  panel.dispose();
  assert.equal(pool.all.length, 0, 'sources are released with the panel');
});

test('Open Dashboard and Show Attention Diff open one panel; the serializer restores a panel with its runs', async (t) => {
  const ws = tempWorkspace(t);
  const dir = writeFixtureRun(join(ws.dir, 'runs', 'done'), fixtureEvents({ stageSteps: [5, 5] }));
  resetMock();
  workspace.workspaceFolders = [{ uri: Uri.file(ws.dir), name: 'ws', index: 0 }];
  setSetting('distillStudio.nodePath', process.execPath);
  const context = extensionContext(resolve('.'));
  activate(context as unknown as vscode.ExtensionContext);
  t.after(async () => {
    await deactivate();
    for (const s of context.subscriptions) s.dispose();
  });
  await commands.executeCommand('distillStudio.openDashboard', dir);
  assert.equal(webviewPanels.length, 1);
  const panel = webviewPanels[0];
  assert.ok(panel !== undefined);
  panel.receive({
    type: 'ready',
    payload: { protocolVersion: PROTOCOL_VERSION, selection: { primary: undefined, compare: [] } },
  });
  await until('a snapshot', () => types(panel).includes('snapshot'));
  await commands.executeCommand('distillStudio.showAttentionDiff', Uri.file(join(dir, 'final')));
  assert.equal(webviewPanels.length, 1, 'the open panel is reused');
  await until('the attention snapshot', () =>
    panel.posted.some((m) => m.type === 'snapshot' && m.payload['focusTab'] === 'attention'),
  );
  assert.ok(panel.revealed >= 1);
  await commands.executeCommand('distillStudio.openDashboard', ws.dir);
  assert.match(recorded.messages.at(-1)?.message ?? '', /is not a run folder/);

  const serializer = webviewSerializers.get('distillStudio.dashboard');
  assert.ok(serializer !== undefined);
  const restored = createMockPanel('distillStudio.dashboard', 'Distill');
  await serializer.deserializeWebviewPanel(restored, {
    selection: { primary: dir, compare: [] },
    tab: 'benchmark',
  });
  restored.receive({
    type: 'ready',
    payload: { protocolVersion: PROTOCOL_VERSION, selection: { primary: dir, compare: [] } },
  });
  await until('the restored snapshot', () => types(restored).includes('snapshot'));
  assert.equal((restored.posted[0]?.payload as { selection: { primary: string } }).selection.primary, dir);
});

test('run sources: a trainer event over IPC reads at once; a terminal run is picked up by the file watcher', async (t) => {
  const ws = tempWorkspace(t);
  const all = fixtureEvents({ stageSteps: [10, 10] });
  const ipcRun = writeFixtureRun(join(ws.dir, 'runs', 'ipc'), all.slice(0, 10));
  const terminalRun = writeFixtureRun(join(ws.dir, 'runs', 'terminal'), all.slice(0, 10));
  const trainer = new Emitter<string>();
  const ipc = new RunSource(ipcRun, { onTrainerEvent: trainer.event, watchFiles: false, pollMs: 3_600_000 });
  const watched = new RunSource(terminalRun, { pollMs: 3_600_000 });
  t.after(() => {
    ipc.dispose();
    watched.dispose();
  });
  await Promise.all([ipc.ready, watched.ready]);
  const appended: string[] = [];
  ipc.onDidAppend((a) => appended.push(`ipc ${a.from}+${a.events.length}`));
  watched.onDidAppend((a) => appended.push(`watch ${a.from}+${a.events.length}`));
  appendFileSync(join(ipcRun, 'events.jsonl'), eventsText(all.slice(10, 12)));
  trainer.fire('/some/other/run');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(appended.length, 0, 'another run’s event reads nothing');
  trainer.fire(ipcRun);
  await until('the IPC-triggered read', () => appended.includes('ipc 10+2'));
  await new Promise((r) => setTimeout(r, 300)); // chokidar is ready
  appendFileSync(join(terminalRun, 'events.jsonl'), eventsText(all.slice(10, 13)));
  await until('the watcher-triggered read', () => appended.includes('watch 10+3'));
  writeFileSync(join(terminalRun, 'doctor.json'), JSON.stringify({ stages: [], findings: [] }));
  const reports = await new Promise<unknown>((r) => watched.onDidChangeReports(r));
  assert.ok((reports as { doctor?: unknown }).doctor !== undefined, 'a new doctor.json is read');
});
