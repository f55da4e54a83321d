// One dashboard webview panel. The host owns the data: a full snapshot of the selected runs when the page says
// ready (it is rebuilt whenever the panel becomes visible: no retainContextWhenHidden) and when the selection
// changes; while visible, appends as the runs' events.jsonl grow; nothing while hidden (the page is gone then).
// The page keeps only UI choices (setState) and tells the host which runs it showed, so a restored panel
// (WebviewPanelSerializer, after a reload) asks for the same runs.
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DashboardTab, RunListEntry, RunSelection } from '../../protocol/dashboard';
import type { DashboardStrings } from '../../protocol/dashboardStrings';
import {
  parseWebviewToHost,
  type DashboardCommand,
  type HostToWebviewMessage,
  type RunSnapshot,
  type WebviewToHostMessage,
} from '../../protocol/webviewMessages';
import { PROTOCOL_VERSION } from '../../protocol/version';
import { makeNonce, renderPage } from './dashboardHtml';
import type { RunSource, RunSourcePool } from './runSource';

export const DASHBOARD_VIEW_TYPE = 'distillStudio.dashboard';

/** What a panel needs from the extension (Dashboards provides it; tests provide fakes). */
export interface DashboardHost {
  readonly extensionUri: vscode.Uri;
  readonly pool: RunSourcePool;
  /** The runs to offer (the Runs view's), each with its status in words. */
  runList(): RunListEntry[];
  readonly onDidChangeRuns: vscode.Event<void>;
  strings(): DashboardStrings;
  readonly locale: string;
  /** dist/webview/index.html */
  template(): Promise<string>;
  runCommand(command: DashboardCommand, runDir: string, source: RunSource): void;
  log(line: string): void;
}

export interface PanelOptions {
  selection: RunSelection;
  tab?: DashboardTab;
  /** How long to wait for the page's ready after the panel is shown again before sending anyway. */
  revealWaitMs?: number;
}

/** Only the built page and the extension's media may load into the webview. */
export function dashboardResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function dashboardWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: dashboardResourceRoots(extensionUri),
  };
}

export class DashboardPanel implements vscode.Disposable {
  private selection: RunSelection;
  private focusTab: DashboardTab | undefined;
  /** Set by `show`: the host's choice of runs beats the page's saved one at the next ready. */
  private hostChoice = false;
  private readonly shown = new Map<string, { source: RunSource; subscriptions: { dispose(): void }[] }>();
  /** The page has said ready since it was (re)loaded. */
  private pageReady = false;
  /** Data changed while the page could not receive appends: the next message must be a snapshot. */
  private stale = false;
  private revealTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  private disposed = false;
  /** Messages posted, for tests and the log. */
  posted = 0;
  private readonly revealWaitMs: number;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly host: DashboardHost,
    options: PanelOptions,
  ) {
    this.selection = options.selection;
    this.focusTab = options.tab;
    this.hostChoice = options.tab !== undefined || options.selection.primary !== undefined;
    panel.webview.options = dashboardWebviewOptions(host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'distill.svg');
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((value: unknown) => this.receive(value)),
      panel.onDidChangeViewState(() => this.visibilityChanged()),
      panel.onDidDispose(() => this.dispose()),
      host.onDidChangeRuns(() => {
        if (this.canAppend()) void this.post({ type: 'runs', payload: { runs: this.runList() } });
      }),
    );
    this.revealWaitMs = options.revealWaitMs ?? 1000;
    void this.loadPage();
  }

  get runs(): RunSelection {
    return { primary: this.selection.primary, compare: [...this.selection.compare] };
  }

  private async loadPage(): Promise<void> {
    const webview = this.panel.webview;
    const asset = (name: string): string =>
      webview.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview', name)).toString();
    const strings = this.host.strings();
    try {
      webview.html = renderPage(await this.host.template(), {
        cspSource: webview.cspSource,
        nonce: makeNonce(),
        scriptUri: asset('main.js'),
        styleUri: asset('main.css'),
        lang: this.host.locale,
        title: strings.title,
        loading: strings.loading,
      });
    } catch (error) {
      this.host.log(`dashboard: cannot load the page: ${(error as Error).message}. Run npm run build.`);
    }
  }

  /** Shows `runDir` (as the primary run) on `tab`, keeping the runs overlaid on it. */
  show(runDir: string, tab: DashboardTab | undefined): void {
    this.selection = { primary: runDir, compare: this.selection.compare.filter((r) => r !== runDir) };
    this.focusTab = tab;
    this.hostChoice = true;
    this.panel.reveal(undefined, false);
    if (this.pageReady) void this.sendSnapshot();
  }

  private canAppend(): boolean {
    return this.pageReady && this.panel.visible && !this.disposed;
  }

  private visibilityChanged(): void {
    clearTimeout(this.revealTimer);
    if (!this.panel.visible) {
      // Without retainContextWhenHidden the page is discarded: it will say ready when it is rebuilt.
      this.pageReady = false;
      return;
    }
    // Normally the rebuilt page says ready and gets its snapshot then; if it was kept (moved between groups), no
    // ready comes, so send one after a short wait.
    this.revealTimer = setTimeout(() => {
      if (this.disposed || !this.panel.visible || this.pageReady) return;
      this.pageReady = true;
      void this.sendSnapshot();
    }, this.revealWaitMs);
  }

  private receive(value: unknown): void {
    const message = parseWebviewToHost(value);
    if (message === undefined) {
      this.host.log(`dashboard: ignored a malformed message from the webview: ${describe(value)}`);
      return;
    }
    void this.handle(message);
  }

  private async handle(message: WebviewToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        clearTimeout(this.revealTimer);
        this.pageReady = true;
        if (!this.hostChoice && message.payload.selection.primary !== undefined)
          this.selection = message.payload.selection;
        this.hostChoice = false;
        await this.sendSnapshot();
        return;
      case 'select':
        this.selection = message.payload.selection;
        this.focusTab = undefined;
        await this.sendSnapshot();
        return;
      case 'resync':
        await this.sendSnapshot();
        return;
      case 'attention': {
        const { requestId, runId, snapshotId } = message.payload;
        const shown = this.shown.get(runId);
        const result =
          shown === undefined
            ? `${runId} is not shown in this dashboard`
            : await shown.source.reader.readAttention(snapshotId);
        const ids = { requestId, runId, snapshotId };
        await this.post({
          type: 'attention',
          payload: typeof result === 'string' ? { ...ids, error: result } : { ...ids, maps: result },
        });
        return;
      }
      case 'command': {
        const shown = this.shown.get(message.payload.runId);
        if (shown === undefined) {
          this.host.log(`dashboard: ignored "${message.payload.command}" for a run it does not show`);
          return;
        }
        this.host.runCommand(message.payload.command, message.payload.runId, shown.source);
        return;
      }
    }
  }

  /** The run list, plus shown runs the Runs view does not know (a folder opened from the explorer). */
  private runList(): RunListEntry[] {
    const list = this.host.runList();
    const known = new Set(list.map((r) => r.id));
    for (const [runId, { source }] of this.shown)
      if (!known.has(runId))
        list.push({
          id: runId,
          name: source.reader.history.runName ?? runId.split(/[\\/]/).pop() ?? runId,
          status: source.reader.history.ending.kind === 'done' ? 'done' : 'stopped',
          description: '',
        });
    return list;
  }

  /** Acquires sources for the selection and releases the others. */
  private syncSources(): void {
    const wanted = [this.selection.primary, ...this.selection.compare].filter(
      (r): r is string => r !== undefined,
    );
    for (const [runId, entry] of this.shown)
      if (!wanted.includes(runId)) {
        for (const s of entry.subscriptions) s.dispose();
        this.host.pool.release(entry.source);
        this.shown.delete(runId);
        this.sentCounts.delete(runId);
      }
    for (const runId of wanted) {
      if (this.shown.has(runId)) continue;
      const source = this.host.pool.acquire(runId);
      const subscriptions = [
        source.onDidAppend(({ from, events }) => {
          // Only what the page's copy lacks: events folded before the last snapshot was taken are in it already.
          const sent = this.sentCounts.get(runId);
          if (sent === undefined || from + events.length <= sent) return;
          const skip = Math.max(0, sent - from);
          if (this.canAppend() && !this.stale) {
            this.sentCounts.set(runId, from + events.length);
            void this.post({
              type: 'append',
              payload: { runId, from: from + skip, events: events.slice(skip) },
            });
          } else this.stale = true;
        }),
        source.onDidReset(() => {
          if (this.canAppend()) void this.sendSnapshot();
          else this.stale = true;
        }),
        source.onDidChangeReports((reports) => {
          if (this.canAppend() && !this.stale)
            void this.post({ type: 'reports', payload: { runId, reports } });
          else this.stale = true;
        }),
      ];
      this.shown.set(runId, { source, subscriptions });
    }
  }

  /** Per shown run: the event count the page's copy has (from the last snapshot and appends). */
  private readonly sentCounts = new Map<string, number>();
  private snapshotting: Promise<void> | undefined;
  private snapshotAgain = false;

  /** Sends the full state of the selected runs (calls coalesce). */
  sendSnapshot(): Promise<void> {
    if (this.snapshotting !== undefined) {
      this.snapshotAgain = true;
      return this.snapshotting;
    }
    this.snapshotting = (async () => {
      do {
        this.snapshotAgain = false;
        this.syncSources();
        const entries = [...this.shown.values()];
        await Promise.all(entries.map((e) => e.source.ready));
        if (this.disposed) return;
        // Appends that arrive from here on continue the event counts captured below.
        this.stale = false;
        const order = [this.selection.primary, ...this.selection.compare].filter(
          (r): r is string => r !== undefined,
        );
        const data: RunSnapshot[] = [];
        for (const runId of order) {
          const entry = this.shown.get(runId);
          if (entry === undefined) continue;
          const history = entry.source.reader.history.toData();
          this.sentCounts.set(runId, history.eventCount);
          data.push({ runId, history, reports: entry.source.reports });
        }
        const primary = this.selection.primary;
        const primaryName =
          primary !== undefined ? this.shown.get(primary)?.source.reader.history.runName : undefined;
        this.panel.title =
          primaryName !== undefined
            ? `${this.host.strings().title}: ${primaryName}`
            : this.host.strings().title;
        await this.post({
          type: 'snapshot',
          payload: {
            protocolVersion: PROTOCOL_VERSION,
            locale: this.host.locale,
            strings: this.host.strings(),
            runs: this.runList(),
            selection: this.runs,
            data,
            ...(this.focusTab !== undefined ? { focusTab: this.focusTab } : {}),
          },
        });
        this.focusTab = undefined;
      } while (this.snapshotAgain && !this.disposed);
    })().finally(() => {
      this.snapshotting = undefined;
    });
    return this.snapshotting;
  }

  private async post(message: HostToWebviewMessage): Promise<void> {
    if (this.disposed) return;
    this.posted++;
    const delivered = await this.panel.webview.postMessage(message);
    if (!delivered) this.stale = true;
  }

  /** events.jsonl of a shown run, for Open events.jsonl. */
  static eventsFile(runDir: string): string {
    return join(runDir, 'events.jsonl');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.revealTimer);
    for (const { source, subscriptions } of this.shown.values()) {
      for (const s of subscriptions) s.dispose();
      this.host.pool.release(source);
    }
    this.shown.clear();
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
