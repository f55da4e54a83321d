// Messages between the extension host and the dashboard webview. One interface per direction maps the message
// type to its payload; the unions are derived from them, and each side checks what arrives once, on receipt.
//
// Transport: VS Code (engines >= 1.57) sends the ArrayBuffer behind every typed array in a host message as a
// buffer and recreates the typed array in the webview, so step columns (Float64Array) and attention maps
// (Float32Array) arrive as typed arrays, not as JSON number lists. It sends the *whole* underlying buffer of a
// view, so the host sends standalone copies (RunHistory.toData, runEventsReader), never views into a larger buffer.
import {
  DASHBOARD_TABS,
  parseAttentionMapData,
  parseRunListEntry,
  parseRunReports,
  parseRunSelection,
  type AttentionMapData,
  type DashboardTab,
  type RunListEntry,
  type RunReports,
  type RunSelection,
} from './dashboard';
import { parseDashboardStrings, type DashboardStrings } from './dashboardStrings';
import { parseHistoryEvent, parseRunHistoryData, type HistoryEvent, type RunHistoryData } from './runHistory';
import { PROTOCOL_VERSION } from './version';

/** Commands the dashboard may ask the host to run, always on one of the runs it shows. */
export type DashboardCommand = 'benchmark' | 'export' | 'diagnose' | 'openEvents' | 'revealFolder';
const COMMANDS: readonly DashboardCommand[] = [
  'benchmark',
  'export',
  'diagnose',
  'openEvents',
  'revealFolder',
];

/** Webview -> extension host. */
export interface WebviewToHost {
  /** The page has loaded and wants a full snapshot of the runs it last showed (from its saved UI state). */
  ready: { protocolVersion: number; selection: RunSelection };
  /** The user chose other runs: a snapshot of them follows. */
  select: { selection: RunSelection };
  /** The maps of one attention snapshot (`snapshotId` from the run's attention index). */
  attention: { requestId: number; runId: string; snapshotId: number };
  /** An append did not continue the webview's copy (`from` mismatch): it asks for a fresh snapshot. */
  resync: { runId: string };
  command: { command: DashboardCommand; runId: string };
}

/** One run's data in a snapshot. */
export interface RunSnapshot {
  runId: string;
  history: RunHistoryData;
  reports: RunReports;
}

/** Extension host -> webview. */
export interface HostToWebview {
  /** Everything the dashboard shows, sent on ready, on a selection change and when the panel is visible again. */
  snapshot: {
    protocolVersion: number;
    /** BCP 47 language of the VS Code UI, for number and date formats. */
    locale: string;
    strings: DashboardStrings;
    runs: RunListEntry[];
    selection: RunSelection;
    /** The data of the selected runs (primary first). */
    data: RunSnapshot[];
    /** Set when a command opened the dashboard on a tab (Show Attention Diff). */
    focusTab?: DashboardTab;
  };
  /** Events appended to a shown run since the last message; `from` is the run's event count they continue. */
  append: { runId: string; from: number; events: HistoryEvent[] };
  /** The run list or a run's status changed. */
  runs: { runs: RunListEntry[] };
  /** A shown run's reports changed (a benchmark or diagnosis finished). */
  reports: { runId: string; reports: RunReports };
  /** The answer to an `attention` request: the maps, or why they could not be read. */
  attention:
    | { requestId: number; runId: string; snapshotId: number; maps: AttentionMapData[] }
    | {
        requestId: number;
        runId: string;
        snapshotId: number;
        error: string;
      };
}

type Union<T> = { [K in keyof T]: { type: K; payload: T[K] } }[keyof T];
export type WebviewToHostMessage = Union<WebviewToHost>;
export type HostToWebviewMessage = Union<HostToWebview>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

/** Narrows an untrusted message from the webview; undefined when it is not one this version knows. */
export function parseWebviewToHost(value: unknown): WebviewToHostMessage | undefined {
  if (!isRecord(value) || !isRecord(value['payload'])) return undefined;
  const p = value['payload'];
  switch (value['type']) {
    case 'ready': {
      const selection = parseRunSelection(p['selection']);
      return p['protocolVersion'] === PROTOCOL_VERSION && selection !== undefined
        ? { type: 'ready', payload: { protocolVersion: PROTOCOL_VERSION, selection } }
        : undefined;
    }
    case 'select': {
      const selection = parseRunSelection(p['selection']);
      return selection !== undefined ? { type: 'select', payload: { selection } } : undefined;
    }
    case 'attention':
      return isNum(p['requestId']) && isStr(p['runId']) && isNum(p['snapshotId'])
        ? {
            type: 'attention',
            payload: { requestId: p['requestId'], runId: p['runId'], snapshotId: p['snapshotId'] },
          }
        : undefined;
    case 'resync':
      return isStr(p['runId']) ? { type: 'resync', payload: { runId: p['runId'] } } : undefined;
    case 'command':
      return isStr(p['runId']) && COMMANDS.includes(p['command'] as DashboardCommand)
        ? { type: 'command', payload: { command: p['command'] as DashboardCommand, runId: p['runId'] } }
        : undefined;
  }
  return undefined;
}

function parseRunList(v: unknown): RunListEntry[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const runs: RunListEntry[] = [];
  for (const r of v as unknown[]) {
    const entry = parseRunListEntry(r);
    if (entry === undefined) return undefined;
    runs.push(entry);
  }
  return runs;
}

/** Narrows an untrusted message from the host (typed arrays included); undefined when malformed. */
export function parseHostToWebview(value: unknown): HostToWebviewMessage | undefined {
  if (!isRecord(value) || !isRecord(value['payload'])) return undefined;
  const p = value['payload'];
  switch (value['type']) {
    case 'snapshot': {
      const strings = parseDashboardStrings(p['strings']);
      const runs = parseRunList(p['runs']);
      const selection = parseRunSelection(p['selection']);
      const focusTab = p['focusTab'];
      if (p['protocolVersion'] !== PROTOCOL_VERSION || !isStr(p['locale']) || strings === undefined)
        return undefined;
      if (runs === undefined || selection === undefined || !Array.isArray(p['data'])) return undefined;
      if (focusTab !== undefined && !DASHBOARD_TABS.includes(focusTab as DashboardTab)) return undefined;
      const data: RunSnapshot[] = [];
      for (const d of p['data'] as unknown[]) {
        if (!isRecord(d) || !isStr(d['runId'])) return undefined;
        const history = parseRunHistoryData(d['history']);
        const reports = parseRunReports(d['reports']);
        if (history === undefined || reports === undefined) return undefined;
        data.push({ runId: d['runId'], history, reports });
      }
      return {
        type: 'snapshot',
        payload: {
          protocolVersion: PROTOCOL_VERSION,
          locale: p['locale'],
          strings,
          runs,
          selection,
          data,
          ...(focusTab !== undefined ? { focusTab: focusTab as DashboardTab } : {}),
        },
      };
    }
    case 'append': {
      if (!isStr(p['runId']) || !isNum(p['from']) || !Array.isArray(p['events'])) return undefined;
      const events: HistoryEvent[] = [];
      for (const e of p['events'] as unknown[]) {
        const event = parseHistoryEvent(e);
        if (event === undefined) return undefined;
        events.push(event);
      }
      return { type: 'append', payload: { runId: p['runId'], from: p['from'], events } };
    }
    case 'runs': {
      const runs = parseRunList(p['runs']);
      return runs !== undefined ? { type: 'runs', payload: { runs } } : undefined;
    }
    case 'reports': {
      const reports = parseRunReports(p['reports']);
      return isStr(p['runId']) && reports !== undefined
        ? { type: 'reports', payload: { runId: p['runId'], reports } }
        : undefined;
    }
    case 'attention': {
      const base = { requestId: p['requestId'], runId: p['runId'], snapshotId: p['snapshotId'] };
      if (!isNum(base.requestId) || !isStr(base.runId) || !isNum(base.snapshotId)) return undefined;
      const ids = { requestId: base.requestId, runId: base.runId, snapshotId: base.snapshotId };
      if (isStr(p['error'])) return { type: 'attention', payload: { ...ids, error: p['error'] } };
      if (!Array.isArray(p['maps'])) return undefined;
      const maps: AttentionMapData[] = [];
      for (const m of p['maps'] as unknown[]) {
        const map = parseAttentionMapData(m);
        if (map === undefined) return undefined;
        maps.push(map);
      }
      return { type: 'attention', payload: { ...ids, maps } };
    }
  }
  return undefined;
}
