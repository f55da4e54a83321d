// Extension entry point: wiring only. Computation runs in the trainer child process (src/trainer); this host
// validates configs, owns the trainer processes, and shows runs (Runs view, status bar, dashboard panels).
import * as vscode from 'vscode';
import { registerBenchmarkOnnxCommand } from './commands/benchmarkOnnxCommand';
import { registerCopyModelPathCommand } from './commands/copyModelPathCommand';
import { registerCreateFolderCommand } from './commands/createFolderCommand';
import { registerDiagnoseAccuracyDropCommand } from './commands/diagnoseAccuracyDropCommand';
import { registerDistillModelCommand } from './commands/distillModelCommand';
import { registerExportOnnxCommand } from './commands/exportOnnxCommand';
import { registerNewConfigCommand } from './commands/newConfigCommand';
import { registerOpenDashboardCommand } from './commands/openDashboardCommand';
import { registerRefreshRunsCommand } from './commands/refreshRunsCommand';
import { registerResumeRunCommand } from './commands/resumeRunCommand';
import { registerRevealRunFolderCommand } from './commands/revealRunFolderCommand';
import { registerShowAttentionDiffCommand } from './commands/showAttentionDiffCommand';
import { registerShowLogCommand } from './commands/showLogCommand';
import { registerStopRunCommand } from './commands/stopRunCommand';
import { ConfigDiagnostics } from './configDiagnostics';
import { registerConfigQuickFixes } from './configQuickFixes';
import { Dashboards } from './dashboard/dashboards';
import { RunScheduler } from './runScheduler';
import { RunsModel } from './runsModel';
import { RunsTreeProvider } from './runsView';
import type { Services } from './services';
import { readSettings } from './settings';
import { RunsStatusBar } from './statusBar';
import { TrainerProcess } from './trainerProcess';

let scheduler: RunScheduler | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Distill Studio');
  const cliPath = context.asAbsolutePath('dist/trainer/cli.js');
  scheduler = new RunScheduler({
    launch: (job) =>
      new TrainerProcess({
        nodePath: job.spec.nodePath,
        cliPath,
        request: job.spec.request,
        ...(job.spec.backend !== undefined ? { backend: job.spec.backend } : {}),
        log: (line) => log.appendLine(`[${job.label}] ${line}`),
        stopTimeoutMs: readSettings().stopTimeoutSeconds * 1000,
      }),
    maxConcurrent: () => readSettings().maxConcurrentRuns,
  });
  const runs = new RunsModel(scheduler);
  const services: Services = { context, log, scheduler, runs, cliPath };
  const tree = new RunsTreeProvider(runs);
  const dashboards = new Dashboards(services);
  const diagnostics = new ConfigDiagnostics();
  context.subscriptions.push(
    log,
    runs,
    tree,
    vscode.window.createTreeView('distillStudio.runs', { treeDataProvider: tree, showCollapseAll: false }),
    new RunsStatusBar(scheduler),
    diagnostics,
    registerConfigQuickFixes((uri, diagnostic) => diagnostics.pathOf(uri, diagnostic)),
    registerCreateFolderCommand((config) => diagnostics.revalidate(config)),
    registerDistillModelCommand(services),
    registerStopRunCommand(services),
    registerResumeRunCommand(services),
    registerNewConfigCommand(services),
    dashboards,
    registerOpenDashboardCommand(services, dashboards),
    registerShowAttentionDiffCommand(services, dashboards),
    registerExportOnnxCommand(services),
    registerBenchmarkOnnxCommand(services, dashboards),
    registerDiagnoseAccuracyDropCommand(services),
    registerRevealRunFolderCommand(),
    registerCopyModelPathCommand(services),
    registerShowLogCommand(services),
    registerRefreshRunsCommand(services),
    vscode.workspace.onDidGrantWorkspaceTrust(() => runs.schedule()),
  );
  void runs.refresh();
}

/** Stops owned runs gracefully (each saves a checkpoint); VS Code waits a few seconds for the promise. */
export async function deactivate(): Promise<void> {
  const owned = scheduler;
  scheduler = undefined;
  if (owned === undefined) return;
  const stopping = owned.stopAll('shutdown');
  owned.dispose();
  await stopping;
}
