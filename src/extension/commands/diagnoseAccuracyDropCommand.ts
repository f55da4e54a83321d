// Diagnose Accuracy Drop: runs `distill-studio doctor --json` on a teacher, a student, the ONNX and int8 exports
// found beside the run (offered, all checked) and a labelled data file (the run's eval data first), with the data
// columns of the run's own config, and shows the accuracy of each stage and each finding with its fix.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { reportCliFailure, runCliWithProgress } from '../cliLauncher';
import { pathFromArg, pickRun, runNodeFromArg } from '../commandArgs';
import {
  DEFAULT_COLUMNS,
  doctorArguments,
  doctorSourcesFromRun,
  formatDoctorLines,
  readDoctorReport,
  type DoctorSources,
} from '../doctorReport';
import { runFolderOf } from '../dashboard/dashboards';
import type { Services } from '../services';
import { backendArgument, readSettings } from '../settings';
import { requireTrust } from '../trust';

async function runDirFrom(s: Services, arg: unknown): Promise<string | undefined> {
  const node = runNodeFromArg(s, arg);
  if (node?.kind === 'run') return node.summary.runDir;
  const path = pathFromArg(arg);
  if (path !== undefined && existsSync(join(path, 'run.json'))) return path;
  if (path !== undefined && existsSync(join(dirname(path), 'run.json'))) return dirname(path);
  return undefined;
}

async function pickFolder(title: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    title,
  });
  return picked?.[0]?.fsPath;
}

async function sourcesFrom(s: Services, arg: unknown): Promise<DoctorSources | undefined> {
  const t = vscode.l10n.t;
  let runDir = await runDirFrom(s, arg);
  if (runDir === undefined && arg === undefined) {
    const node = await pickRun(
      s,
      (n) => n.kind === 'run' && n.summary.modelPath !== undefined,
      t('Choose the run whose accuracy drop to diagnose'),
      t('No run has a model yet. Distil one first.'),
    );
    if (node?.kind !== 'run') return undefined;
    runDir = node.summary.runDir;
  }
  const sources: DoctorSources =
    runDir !== undefined
      ? doctorSourcesFromRun(runDir)
      : {
          teacher: undefined,
          student: undefined,
          onnx: undefined,
          onnxInt8: undefined,
          columns: DEFAULT_COLUMNS,
          data: [],
        };
  sources.teacher ??= await pickFolder(t('Choose the teacher (checkpoint folder or .onnx file)'));
  if (sources.teacher === undefined) return undefined;
  sources.student ??= await pickFolder(t('Choose the student checkpoint folder'));
  if (sources.student === undefined) return undefined;
  return sources;
}

/** Offers the ONNX exports found beside the run (fp32, int8), all checked; undefined when the user cancels. */
async function chooseExports(sources: DoctorSources): Promise<DoctorSources | undefined> {
  const t = vscode.l10n.t;
  const items = [
    ...(sources.onnx !== undefined
      ? [{ label: t('ONNX export'), description: sources.onnx, picked: true, stage: 'onnx' as const }]
      : []),
    ...(sources.onnxInt8 !== undefined
      ? [
          {
            label: t('int8 ONNX export'),
            description: sources.onnxInt8,
            picked: true,
            stage: 'int8' as const,
          },
        ]
      : []),
  ];
  if (items.length === 0) return sources;
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    placeHolder: t('Stages to compare after the student (uncheck one to leave it out)'),
  });
  if (picked === undefined) return undefined;
  const chosen = new Set(picked.map((p) => p.stage));
  return {
    ...sources,
    onnx: chosen.has('onnx') ? sources.onnx : undefined,
    onnxInt8: chosen.has('int8') ? sources.onnxInt8 : undefined,
  };
}

/** The labelled data: the run's own eval/test files first, then every .tsv/.csv/.jsonl in the workspace. */
async function pickData(runData: readonly string[]): Promise<string | undefined> {
  const t = vscode.l10n.t;
  const found: vscode.Uri[] = [];
  for (const ext of ['tsv', 'csv', 'jsonl'])
    found.push(...(await vscode.workspace.findFiles(`**/*.${ext}`, '**/node_modules/**', 200)));
  const items = [
    ...runData.map((path) => ({
      label: vscode.workspace.asRelativePath(vscode.Uri.file(path)),
      description: t('this run’s evaluation data'),
      path,
    })),
    ...found
      .filter((uri) => !runData.includes(uri.fsPath))
      .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), description: '', path: uri.fsPath })),
  ];
  if (items.length === 0) {
    void vscode.window.showInformationMessage(
      t('There is no labelled data file (.tsv, .csv or .jsonl) in this workspace.'),
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder: t('Choose the labelled data to measure accuracy on'),
  });
  return picked?.path;
}

export function registerDiagnoseAccuracyDropCommand(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('distillStudio.diagnoseAccuracyDrop', async (arg?: unknown) => {
    const t = vscode.l10n.t;
    if (!requireTrust(t('Diagnose Accuracy Drop'))) return;
    const found = await sourcesFrom(s, arg);
    if (found?.teacher === undefined || found.student === undefined) return;
    const sources = await chooseExports(found);
    if (sources === undefined) return;
    const data = await pickData(sources.data);
    if (data === undefined) return;
    const args = doctorArguments(sources, data);
    const backend = backendArgument(readSettings());
    if (backend !== undefined) args.push('--backend', backend);
    const result = await runCliWithProgress(s, t('Diagnosing the accuracy drop'), args, dirname(data));
    if (!reportCliFailure(s, t('Diagnose Accuracy Drop'), result)) return;
    const report = readDoctorReport(result.json);
    if (report === undefined) {
      void vscode.window.showErrorMessage(
        t('Diagnose Accuracy Drop returned an unexpected report; see the log.'),
      );
      s.log.appendLine(result.stdout);
      return;
    }
    for (const line of formatDoctorLines(report)) s.log.appendLine(line);
    const accuracies = report.stages.map((st) => `${st.stage} ${(100 * st.accuracy).toFixed(1)}%`).join(', ');
    const showDetails = t('Show Details');
    // doctor saves its report in the student's run folder (doctor.json), which the dashboard's Doctor tab shows.
    const runDir = sources.student !== undefined ? runFolderOf(sources.student) : undefined;
    const openDashboard = t('Open Dashboard');
    const actions = runDir !== undefined ? [showDetails, openDashboard] : [showDetails];
    const choice = await vscode.window.showInformationMessage(
      report.findings.length === 0
        ? t('Accuracy: {0}. No findings: the stages agree.', accuracies)
        : t(
            'Accuracy: {0}. {1} finding(s), each with its fix, are in the output.',
            accuracies,
            report.findings.length,
          ),
      ...actions,
    );
    if (choice === showDetails) s.log.show(true);
    else if (choice === openDashboard && runDir !== undefined)
      void vscode.commands.executeCommand('distillStudio.openDashboard', runDir, { tab: 'doctor' });
  });
}
