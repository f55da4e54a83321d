// Benchmark ONNX Model: runs `distill-studio bench --json` on one or more .onnx files (the first is the baseline
// of the speed-ups) with the default shapes, threads and execution provider from the settings, and shows the table
// (a GPU provider that fell back to the CPU is a warning). On a Runs view item it benchmarks that run's exports.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { reportCliFailure, runCliWithProgress } from '../cliLauncher';
import { formatBenchTable, readBenchReport } from '../cliReports';
import { pathFromArg, runNodeFromArg } from '../commandArgs';
import { runFolderOf, type Dashboards } from '../dashboard/dashboards';
import type { Services } from '../services';
import { readSettings } from '../settings';
import { requireTrust } from '../trust';

/** A run's exported models (runs/<name>/onnx/*.onnx, where Export to ONNX puts them), fp32 first. */
async function runModels(runDir: string, name: string): Promise<string[]> {
  const dir = join(runDir, 'onnx');
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.onnx'));
  const rank = (f: string): number => (f === `${name}.onnx` ? 0 : 1);
  return files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((f) => join(dir, f));
}

async function pickModels(s: Services, arg: unknown, selected: unknown): Promise<string[]> {
  // A Runs view item: that run's exports, not a pick among every .onnx in the workspace.
  const node = runNodeFromArg(s, arg);
  if (node?.kind === 'run') {
    const models = await runModels(node.summary.runDir, node.summary.name);
    if (models.length > 0) return models;
    const exportOnnx = vscode.l10n.t('Export to ONNX');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('"{0}" has no ONNX export yet. Export it first.', node.summary.name),
      exportOnnx,
    );
    if (choice === exportOnnx) void vscode.commands.executeCommand('distillStudio.exportOnnx', node);
    return [];
  }
  // Explorer multi-select passes (clicked, all selected).
  if (Array.isArray(selected)) {
    const paths = selected.map(pathFromArg).filter((p): p is string => p?.endsWith('.onnx') === true);
    if (paths.length > 0) return paths;
  }
  const path = pathFromArg(arg);
  if (path?.endsWith('.onnx') === true) return [path];
  const found = await vscode.workspace.findFiles('**/*.onnx', '**/node_modules/**', 200);
  if (found.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('There is no .onnx model in this workspace. Export one first (Export to ONNX).'),
    );
    return [];
  }
  const picked = await vscode.window.showQuickPick(
    found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    {
      canPickMany: true,
      placeHolder: vscode.l10n.t('Choose the models (the first is the baseline of the speed-ups)'),
    },
  );
  return (picked ?? []).map((p) => p.uri.fsPath);
}

export function registerBenchmarkOnnxCommand(s: Services, dashboards?: Dashboards): vscode.Disposable {
  return vscode.commands.registerCommand(
    'distillStudio.benchmarkOnnx',
    async (arg?: unknown, selected?: unknown) => {
      const t = vscode.l10n.t;
      if (!requireTrust(t('Benchmark ONNX Model'))) return;
      const models = await pickModels(s, arg, selected);
      const first = models[0];
      if (first === undefined) return;
      const settings = readSettings();
      const args = ['bench', ...models.flatMap((m) => ['--model', m])];
      args.push(
        '--batch',
        settings.benchBatchSizes.join(','),
        '--seq',
        settings.benchSequenceLengths.join(','),
        '--json',
      );
      if (settings.threads > 0) args.push('--threads', String(settings.threads));
      if (settings.benchExecutionProvider !== 'cpu') args.push('--ep', settings.benchExecutionProvider);
      const result = await runCliWithProgress(
        s,
        t('Benchmarking {0} model(s)', models.length),
        args,
        dirname(first),
      );
      if (!reportCliFailure(s, t('Benchmark ONNX Model'), result)) return;
      const report = readBenchReport(result.json);
      if (report === undefined) {
        void vscode.window.showErrorMessage(
          t('Benchmark ONNX Model returned an unexpected report; see the log.'),
        );
        s.log.appendLine(result.stdout);
        return;
      }
      for (const line of formatBenchTable(report)) s.log.appendLine(line);
      // A GPU provider that could not load: say so, or the CPU numbers pass for GPU ones.
      const fellBack = report.find((m) => m.fallback !== undefined);
      if (fellBack?.fallback !== undefined)
        void vscode.window.showWarningMessage(t('Benchmark ONNX Model: {0}', fellBack.fallback));
      // The results are saved beside each model; the dashboard's Benchmark tab shows them (also for models
      // outside a run folder, which it remembers).
      void dashboards?.noteBenchmark(models);
      const point = report[0]?.points[0];
      const fastest =
        report.length > 1
          ? report.slice(1).reduce((a, b) => ((b.speedup ?? 0) > (a.speedup ?? 0) ? b : a))
          : undefined;
      const showTable = t('Show Table');
      const openDashboard = t('Open Dashboard');
      const choice = await vscode.window.showInformationMessage(
        fastest?.speedup !== undefined
          ? t(
              'Benchmarked {0} models: {1} is {2}x the speed of {3}. Results are saved beside each model (.bench.json).',
              report.length,
              fastest.name,
              fastest.speedup.toFixed(2),
              report[0]?.name ?? '',
            )
          : t(
              'Benchmarked {0}: p50 {1} ms at batch {2} x {3} tokens. Results are saved beside it (.bench.json).',
              report[0]?.name ?? '',
              point?.p50Ms.toFixed(2) ?? '?',
              point?.batch ?? '?',
              point?.sequence ?? '?',
            ),
        showTable,
        openDashboard,
      );
      if (choice === showTable) s.log.show(true);
      else if (choice === openDashboard)
        void vscode.commands.executeCommand('distillStudio.openDashboard', runFolderOf(first), {
          tab: 'benchmark',
        });
    },
  );
}
