// Workspace Trust: in a restricted (untrusted) workspace validation still works, but nothing runs the trainer on
// the workspace's files (training, export, benchmarks, init); each such command explains why and how to trust.
import * as vscode from 'vscode';

/** True when trusted; otherwise tells the user why `action` is unavailable and returns false. */
export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  const manage = vscode.l10n.t('Manage Workspace Trust');
  void vscode.window
    .showWarningMessage(
      vscode.l10n.t(
        '{0} is disabled in Restricted Mode: it runs the trainer on this folder’s files. Config validation still works. Trust the workspace to train, export and benchmark.',
        action,
      ),
      manage,
    )
    .then((choice) => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
