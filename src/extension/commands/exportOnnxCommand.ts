// Export to ONNX: runs `distill-studio export --json` on a run's model (final/, else best/) or a model folder,
// then reports the verified file with a Benchmark action.
import { existsSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { reportCliFailure, runCliWithProgress } from '../cliLauncher';
import { formatMiB, readExportReport } from '../cliReports';
import { pathFromArg, pickRun, runNodeFromArg } from '../commandArgs';
import type { Services } from '../services';
import { backendArgument, readSettings } from '../settings';
import { requireTrust } from '../trust';

/** The model folder (config.json + weights) and a name for the export. */
async function modelFrom(s: Services, arg: unknown): Promise<{ model: string; name: string } | undefined> {
  const t = vscode.l10n.t;
  const node = runNodeFromArg(s, arg);
  if (node?.kind === 'run') {
    if (node.summary.modelPath === undefined) {
      void vscode.window.showInformationMessage(
        t('"{0}" has no model yet (final/ or best/).', node.summary.name),
      );
      return undefined;
    }
    return { model: node.summary.modelPath, name: node.summary.name };
  }
  const path = pathFromArg(arg);
  if (path !== undefined && existsSync(join(path, 'config.json'))) {
    // A model folder of a run (runs/<name>/final) takes the run's name; its trained teacher says so.
    if (!existsSync(join(dirname(path), 'run.json'))) return { model: path, name: basename(path) };
    const run = basename(dirname(path));
    return { model: path, name: basename(path) === 'teacher' ? `${run}-teacher` : run };
  }
  const picked = await pickRun(
    s,
    (n) => n.kind === 'run' && n.summary.modelPath !== undefined,
    t('Choose the run whose model to export'),
    t(
      'No run has a model yet. Distil one first, or right-click a model folder (config.json + model.safetensors).',
    ),
  );
  return picked?.kind === 'run' && picked.summary.modelPath !== undefined
    ? { model: picked.summary.modelPath, name: picked.summary.name }
    : undefined;
}

export function registerExportOnnxCommand(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('distillStudio.exportOnnx', async (arg?: unknown) => {
    const t = vscode.l10n.t;
    if (!requireTrust(t('Export to ONNX'))) return;
    const source = await modelFrom(s, arg);
    if (source === undefined) return;
    const precision = await vscode.window.showQuickPick(
      [
        { label: 'fp32', description: t('exact: verified within 1e-4 of the trained model') },
        { label: 'int8', description: t('dynamic int8 quantisation: about 4x smaller, faster on CPUs') },
        { label: 'fp16', description: t('half precision weights: 2x smaller') },
      ],
      { placeHolder: t('Precision of the ONNX model') },
    );
    if (precision === undefined) return;
    const suffix = precision.label === 'fp32' ? '' : `-${precision.label}`;
    const proposed = join(dirname(source.model), 'onnx', `${source.name}${suffix}.onnx`);
    // VS Code's own save dialog (remote windows, code-server, vscode.dev) drops a proposed file name whose folder
    // does not exist and shows only the nearest parent: create onnx/ first, and remove it again if it stays empty.
    const folder = dirname(proposed);
    const created = !existsSync(folder);
    if (created) await mkdir(folder, { recursive: true });
    const out = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(proposed),
      filters: { ONNX: ['onnx'] },
      saveLabel: t('Export'),
    });
    // Cancelled, or saved elsewhere: no empty onnx/ left behind (rmdir refuses a folder that is not empty).
    if (created && (out === undefined || dirname(out.fsPath) !== folder))
      await rmdir(folder).catch(() => undefined);
    if (out === undefined) return;
    const args = ['export', '--model', source.model, '--out', out.fsPath, '--json'];
    if (precision.label !== 'fp32') args.push('--quantize', precision.label);
    const backend = backendArgument(readSettings());
    if (backend !== undefined) args.push('--backend', backend);
    const result = await runCliWithProgress(
      s,
      t('Exporting {0} to ONNX', source.name),
      args,
      dirname(source.model),
    );
    if (!reportCliFailure(s, t('Export to ONNX'), result)) return;
    const report = readExportReport(result.json);
    if (report === undefined) {
      void vscode.window.showErrorMessage(t('Export to ONNX returned an unexpected report; see the log.'));
      s.log.appendLine(result.stdout);
      return;
    }
    s.log.appendLine(JSON.stringify(result.json, null, 2));
    for (const warning of report.warnings) void vscode.window.showWarningMessage(warning);
    if (!report.written) {
      void vscode.window.showErrorMessage(
        t(
          'The export failed verification (max |diff| {0}), so nothing was written. See the log for the report.',
          report.maxAbsDiff?.toExponential(1) ?? '?',
        ),
      );
      return;
    }
    const bench = t('Benchmark');
    const reveal = t('Reveal in Explorer');
    const choice = await vscode.window.showInformationMessage(
      t(
        'Exported {0} ({1}, {2}); max |diff| from the trained model {3}.',
        report.file,
        formatMiB(report.bytes),
        report.precision,
        report.maxAbsDiff?.toExponential(1) ?? '?',
      ),
      bench,
      reveal,
    );
    if (choice === bench)
      void vscode.commands.executeCommand('distillStudio.benchmarkOnnx', vscode.Uri.file(report.file));
    else if (choice === reveal)
      void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(report.file));
  });
}
