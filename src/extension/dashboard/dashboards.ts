// The dashboard panels of this window: Open Dashboard and Show Attention Diff reveal the open panel (switching it
// to the run) or create one; panels restored after a reload come back through the WebviewPanelSerializer with
// the runs their page had saved. One panel switching between runs, with any others overlaid on its curves, is
// what TensorBoard and W&B users expect (one place to compare); a second panel can still exist after a restore.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';
import type { DashboardTab, RunListEntry, RunSelection } from '../../protocol/dashboard';
import { parseRunSelection } from '../../protocol/dashboard';
import type { DashboardCommand } from '../../protocol/webviewMessages';
import { statusLabel } from '../runFormat';
import type { Services } from '../services';
import { DASHBOARD_VIEW_TYPE, DashboardPanel, type DashboardHost } from './dashboardPanel';
import { dashboardStrings } from './dashboardStrings';
import { RunSourcePool, type RunSource } from './runSource';

const BENCH_FILES_KEY = 'distillStudio.dashboard.benchFiles';
const MAX_BENCH_FILES = 20;

/** The .bench.json that `bench` writes beside a .onnx model. */
export function benchFileOf(model: string): string {
  return join(dirname(model), `${basename(model, extname(model))}.bench.json`);
}

/** The run folder holding `path` (it, or one of its parents up to 3 levels: a model, an export, a report). */
export function runFolderOf(path: string): string | undefined {
  let dir = path;
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'events.jsonl')) || existsSync(join(dir, 'run.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

export class Dashboards implements vscode.Disposable {
  private readonly panels = new Set<DashboardPanel>();
  private active: DashboardPanel | undefined;
  readonly pool: RunSourcePool;
  private readonly host: DashboardHost;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly runsChanged = new vscode.EventEmitter<void>();

  constructor(private readonly s: Services) {
    const trainerEvents = new vscode.EventEmitter<string>();
    this.subscriptions.push(trainerEvents, this.runsChanged);
    // Every event a trainer of this window sends over IPC also fires the scheduler's change event.
    const onJob = s.scheduler.onDidChange((job) => {
      trainerEvents.fire(job.runDir);
      if (job.spec.runDir !== job.runDir) trainerEvents.fire(job.spec.runDir);
    });
    this.subscriptions.push(
      { dispose: () => onJob.dispose() },
      s.runs.onDidChange(() => this.runsChanged.fire()),
    );
    this.pool = new RunSourcePool({
      onTrainerEvent: trainerEvents.event,
      extraBenchFiles: () => this.benchFiles,
      log: (line) => s.log.appendLine(line),
    });
    const extensionUri = s.context.extensionUri;
    this.host = {
      extensionUri,
      pool: this.pool,
      runList: () => this.runList(),
      onDidChangeRuns: this.runsChanged.event,
      strings: dashboardStrings,
      locale: vscode.env.language,
      template: () => readFile(join(extensionUri.fsPath, 'dist', 'webview', 'index.html'), 'utf8'),
      runCommand: (command, runDir, source) => this.runCommand(command, runDir, source),
      log: (line) => s.log.appendLine(line),
    };
    this.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
          // The page's saved UI state names the runs it showed; missing runs show as empty.
          const saved = state !== null && typeof state === 'object' ? (state as Record<string, unknown>) : {};
          const selection = parseRunSelection(saved['selection']) ?? { primary: undefined, compare: [] };
          this.adopt(new DashboardPanel(panel, this.host, { selection }));
        },
      }),
    );
  }

  /** Benchmark files outside run folders that Benchmark ONNX Model measured (kept per workspace). */
  get benchFiles(): string[] {
    return this.s.context.workspaceState?.get<string[]>(BENCH_FILES_KEY, []) ?? [];
  }

  /** Remembers the results of a benchmark and refreshes the Benchmark tabs. */
  async noteBenchmark(models: readonly string[]): Promise<void> {
    const files = models.map(benchFileOf);
    const kept = [...new Set([...files, ...this.benchFiles])].slice(0, MAX_BENCH_FILES);
    await this.s.context.workspaceState?.update(BENCH_FILES_KEY, kept);
    for (const source of this.pool.all) source.scheduleReports(0);
  }

  private runList(): RunListEntry[] {
    const t = vscode.l10n.t;
    const entries: RunListEntry[] = [];
    for (const node of this.s.runs.all) {
      if (node.kind !== 'run') continue;
      const summary = node.summary;
      const status = summary.status;
      const kind =
        status.kind === 'stopped' ? (status.cause === 'requested' ? 'stopped' : 'interrupted') : status.kind;
      const steps =
        summary.totalSteps > 0 ? t('step {0} of {1}', summary.globalStep, summary.totalSteps) : undefined;
      entries.push({
        id: summary.runDir,
        name: summary.name,
        status: kind,
        description: [statusLabel(status, t), steps].filter((x) => x !== undefined).join(', '),
      });
    }
    // A queued or setting-up run of this window has no folder yet, but its dashboard may already be open.
    for (const node of this.s.runs.all)
      if (node.kind === 'pending')
        entries.push({
          id: node.job.runDir,
          name: node.job.label,
          status: 'running',
          description: t('queued'),
        });
    return entries;
  }

  private adopt(panel: DashboardPanel): DashboardPanel {
    this.panels.add(panel);
    this.active = panel;
    panel.panel.onDidChangeViewState(() => {
      if (panel.panel.active) this.active = panel;
    });
    panel.onDidDispose(() => {
      this.panels.delete(panel);
      if (this.active === panel) this.active = [...this.panels][0];
    });
    return panel;
  }

  /** Shows `runDir` on `tab` in the open dashboard, or opens one. */
  open(runDir: string, tab?: DashboardTab): DashboardPanel {
    const existing = this.active ?? [...this.panels][0];
    if (existing !== undefined) {
      existing.show(runDir, tab);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      DASHBOARD_VIEW_TYPE,
      dashboardStrings().title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      // No retainContextWhenHidden: the host re-sends a snapshot when the panel is shown again.
      { enableScripts: true, enableFindWidget: true },
    );
    const selection: RunSelection = { primary: runDir, compare: [] };
    return this.adopt(
      new DashboardPanel(panel, this.host, { selection, ...(tab !== undefined ? { tab } : {}) }),
    );
  }

  /** The panels (tests). */
  get all(): DashboardPanel[] {
    return [...this.panels];
  }

  private runCommand(command: DashboardCommand, runDir: string, source: RunSource): void {
    switch (command) {
      case 'benchmark': {
        const models = source.reports.onnxFiles.map((f) => vscode.Uri.file(f));
        if (models.length === 0) void vscode.commands.executeCommand('distillStudio.exportOnnx', runDir);
        else void vscode.commands.executeCommand('distillStudio.benchmarkOnnx', models[0], models);
        return;
      }
      case 'export':
        void vscode.commands.executeCommand('distillStudio.exportOnnx', runDir);
        return;
      case 'diagnose':
        void vscode.commands.executeCommand('distillStudio.diagnoseAccuracyDrop', runDir);
        return;
      case 'openEvents':
        void vscode.window.showTextDocument(vscode.Uri.file(DashboardPanel.eventsFile(runDir)), {
          preview: true,
        });
        return;
      case 'revealFolder':
        void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(runDir));
        return;
    }
  }

  dispose(): void {
    for (const panel of [...this.panels]) panel.dispose();
    this.pool.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
