// Turns nodeRuntime's result into the executable path, or a clear, actionable, localized error.
import * as vscode from 'vscode';
import { MIN_NODE_VERSION, resolveNode } from './nodeRuntime';
import { readSettings } from './settings';

/** The Node.js executable for the trainer; undefined after telling the user what to fix. */
export async function nodeOrExplain(log: vscode.OutputChannel): Promise<string | undefined> {
  // In Restricted Mode VS Code ignores workspace values of restricted settings (nodePath is one).
  const result = await resolveNode({ setting: readSettings().nodePath });
  if (result.kind === 'ok') return result.path;
  let message: string;
  switch (result.kind) {
    case 'missing':
      message =
        result.source === 'setting'
          ? vscode.l10n.t(
              'Distill Studio found no Node.js executable at "{0}" (setting distillStudio.nodePath). Install Node.js {1} or newer, or correct the setting.',
              result.path ?? '',
              MIN_NODE_VERSION,
            )
          : vscode.l10n.t(
              'Distill Studio runs its trainer with Node.js {0} or newer and found no "node" on PATH. Install Node.js, or set distillStudio.nodePath to its executable.',
              MIN_NODE_VERSION,
            );
      break;
    case 'too-old':
      message = vscode.l10n.t(
        'Node.js {0} at "{1}" is too old: the trainer needs {2} or newer. Install a newer Node.js, or point distillStudio.nodePath at one.',
        result.version,
        result.path,
        MIN_NODE_VERSION,
      );
      break;
    case 'unusable':
      message = vscode.l10n.t(
        '"{0}" did not run as Node.js ({1}). Set distillStudio.nodePath to a Node.js {2}+ executable.',
        result.path,
        result.error,
        MIN_NODE_VERSION,
      );
      break;
  }
  log.appendLine(message);
  const openSettings = vscode.l10n.t('Open Settings');
  const download = vscode.l10n.t('Download Node.js');
  void vscode.window.showErrorMessage(message, openSettings, download).then((choice) => {
    if (choice === openSettings)
      void vscode.commands.executeCommand('workbench.action.openSettings', 'distillStudio.nodePath');
    else if (choice === download) void vscode.env.openExternal(vscode.Uri.parse('https://nodejs.org/'));
  });
  return undefined;
}
