// Distill Model: validate the config with the shared engine (errors stop here and open the Problems view), then
// start the run, or queue it, or explain why not.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { validateConfigText } from '../../config/validateConfig';
import { configFromArg } from '../commandArgs';
import { plannedRun } from '../runRegistry';
import { startRun } from '../runLauncher';
import type { Services } from '../services';
import { requireTrust } from '../trust';

export function registerDistillModelCommand(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('distillStudio.distill', async (arg?: unknown) => {
    const t = vscode.l10n.t;
    if (!requireTrust(t('Distill Model'))) return;
    const uri = await configFromArg(arg);
    if (uri === undefined) return;
    // The trainer reads the file from disk: save pending edits first.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open?.isDirty === true) await open.save();
    const text = open?.getText() ?? (await readFile(uri.fsPath, 'utf8').catch(() => undefined));
    if (text === undefined) {
      void vscode.window.showErrorMessage(t('Cannot read {0}.', uri.fsPath));
      return;
    }
    const result = await validateConfigText(uri.fsPath, text);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      // Opening the config runs the inline diagnostics, which point at the exact lines.
      await vscode.window.showTextDocument(uri, { preview: false });
      void vscode.commands.executeCommand('workbench.actions.view.problems');
      void vscode.window.showErrorMessage(
        t(
          '{0} has {1} error(s), so the run did not start. Fix them (see the Problems view) and run again. First: {2}',
          basename(uri.fsPath),
          errors.length,
          errors[0]?.message ?? '',
        ),
      );
      return;
    }
    const planned = plannedRun(uri.fsPath, text);
    if (planned === undefined) return; // a valid config always has a name
    await startRun(s, {
      request: { verb: 'train', configFile: uri.fsPath },
      label: planned.name,
      runDir: planned.runDir,
      ifExists: planned.ifExists,
    });
  });
}
