// The runs the Runs view and the status bar show: every run folder on disk (the registry, including runs started
// from a terminal) merged with the jobs this window owns (queued ones have no folder yet). Refreshed on file
// changes in the workspace, on job events, and by a slow poll for folders outside the workspace.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { Job, RunScheduler } from './runScheduler';
import { RunRegistry, runRoots, summarize, type RunSummary } from './runRegistry';
import { readSettings } from './settings';

export type RunsNode =
  | { kind: 'run'; summary: RunSummary; job: Job | undefined }
  /** A job of this window whose run folder does not exist yet (queued, or setting up). */
  | { kind: 'pending'; job: Job; position: number | undefined };

const CONFIG_GLOB = '**/*.distill.json';
const CONFIG_EXCLUDE = '{**/node_modules/**,**/.git/**}';
const POLL_MS = 15_000;
const THROTTLE_MS = 500;

/**
 * Hugging Face checkpoint folders anywhere in the workspace (config.json beside model.safetensors or its shard index),
 * so a model the user brought (a fine-tuned teacher) gets Export to ONNX in the explorer like a run's model.
 */
async function checkpointFolders(): Promise<string[]> {
  const found: vscode.Uri[] = [];
  for (const glob of ['**/*model.safetensors', '**/*model.safetensors.index.json'])
    found.push(...(await vscode.workspace.findFiles(glob, CONFIG_EXCLUDE, 500)));
  return found
    .filter((uri) => ['model.safetensors', 'model.safetensors.index.json'].includes(basename(uri.fsPath)))
    .map((uri) => dirname(uri.fsPath))
    .filter((dir) => existsSync(join(dir, 'config.json')));
}

export class RunsModel implements vscode.Disposable {
  readonly registry = new RunRegistry();
  private nodes: RunsNode[] = [];
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<void> | undefined;
  private again = false;
  private readonly poll: ReturnType<typeof setInterval>;
  private configs: { file: string; text: string }[] | undefined;

  constructor(private readonly scheduler: RunScheduler) {
    const watcher = vscode.workspace.createFileSystemWatcher(
      '**/{events.jsonl,run.json,*.distill.json,model.safetensors,model.safetensors.index.json}',
    );
    const schedule = (): void => this.schedule();
    const changed = (uri: vscode.Uri): void => {
      // A config's output.dir decides where its runs go: re-read the configs when one changes.
      if (uri.fsPath.endsWith('.distill.json')) this.configs = undefined;
      this.schedule();
    };
    this.subscriptions.push(
      watcher,
      watcher.onDidCreate(changed),
      watcher.onDidChange(changed),
      watcher.onDidDelete(changed),
      scheduler.onDidChange(schedule),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.configs = undefined;
        this.schedule();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('distillStudio.runsFolder')) schedule();
      }),
    );
    this.poll = setInterval(schedule, POLL_MS);
  }

  get all(): readonly RunsNode[] {
    return this.nodes;
  }

  /** The run shown for `runDir`, if any. */
  find(runDir: string): RunsNode | undefined {
    return this.nodes.find((n) => (n.kind === 'run' ? n.summary.runDir : n.job.runDir) === runDir);
  }

  /** Refreshes soon (changes come in bursts: one event per training step). */
  schedule(delayMs = THROTTLE_MS): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delayMs);
  }

  /** Re-reads the runs folders now (and the configs' output folders with `reloadConfigs`); calls coalesce. */
  async refresh(reloadConfigs = false): Promise<void> {
    if (reloadConfigs) this.configs = undefined;
    if (this.refreshing !== undefined) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = this.load().finally(() => {
      this.refreshing = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.refreshing;
  }

  /** The workspace's configs with their text; searched again only after a config changes. */
  private async loadConfigs(folders: readonly string[]): Promise<{ file: string; text: string }[]> {
    if (this.configs !== undefined) return this.configs;
    const uris = folders.length > 0 ? await vscode.workspace.findFiles(CONFIG_GLOB, CONFIG_EXCLUDE, 500) : [];
    const configs: { file: string; text: string }[] = [];
    for (const uri of uris) {
      const text = await readFile(uri.fsPath, 'utf8').catch(() => undefined);
      if (text !== undefined) configs.push({ file: uri.fsPath, text });
    }
    this.configs = configs;
    return configs;
  }

  private async load(): Promise<void> {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const roots = runRoots(await this.loadConfigs(folders), folders, readSettings().runsFolder);
    const records = await this.registry.scan(roots);
    const status = this.scheduler.statusOptions();
    const now = Date.now();
    const nodes: RunsNode[] = [];
    const shown = new Set<string>();
    for (const record of records) {
      const job = this.scheduler.jobFor(record.runDir);
      nodes.push({ kind: 'run', summary: summarize(record, { now, ...status }), job });
      shown.add(record.runDir);
    }
    const queued = this.scheduler.queued;
    const pending: RunsNode[] = this.scheduler.jobs
      .filter((job) => !shown.has(job.runDir))
      .map((job) => ({
        kind: 'pending',
        job,
        position: job.state.kind === 'queued' ? queued.indexOf(job) + 1 : undefined,
      }));
    this.nodes = [...pending, ...nodes];
    await this.updateContextKeys();
    this.emitter.fire();
  }

  /** Keys the package.json `when` clauses read (explorer context menus on run and model folders). */
  private async updateContextKeys(): Promise<void> {
    const runs = this.nodes.filter((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run');
    const runFolders = runs.map((n) => n.summary.runDir);
    const modelFolders = [
      ...new Set([...runs.flatMap((n) => n.summary.modelFolders), ...(await checkpointFolders())]),
    ];
    await vscode.commands.executeCommand('setContext', 'distillStudio.runFolders', runFolders);
    await vscode.commands.executeCommand('setContext', 'distillStudio.modelFolders', modelFolders);
    await vscode.commands.executeCommand(
      'setContext',
      'distillStudio.hasActiveRuns',
      this.scheduler.jobs.length > 0,
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearInterval(this.poll);
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
