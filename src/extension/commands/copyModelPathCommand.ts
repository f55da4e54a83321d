// Copy Model Path: puts a run's model folder (final/, else best/) on the clipboard.
import * as vscode from 'vscode';
import { runNodeFromArg } from '../commandArgs';
import type { Services } from '../services';

export function registerCopyModelPathCommand(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('distillStudio.copyModelPath', async (arg?: unknown) => {
    const node = runNodeFromArg(s, arg);
    const model = node?.kind === 'run' ? node.summary.modelPath : undefined;
    if (model === undefined) {
      void vscode.window.showInformationMessage(vscode.l10n.t('This run has no model yet.'));
      return;
    }
    await vscode.env.clipboard.writeText(model);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', model), 3000);
  });
}
