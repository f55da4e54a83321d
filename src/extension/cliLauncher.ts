// Runs a one-shot CLI verb (init, export, bench) in a child process behind a cancellable progress notification.
import * as vscode from 'vscode';
import { runCli, type CliResult } from './cliProcess';
import { nodeOrExplain } from './nodeCheck';
import type { Services } from './services';

/** Undefined when Node.js is unusable (the user has been told). */
export async function runCliWithProgress(
  s: Services,
  title: string,
  args: string[],
  cwd: string,
): Promise<CliResult | undefined> {
  const nodePath = await nodeOrExplain(s.log);
  if (nodePath === undefined) return undefined;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (_progress, token) =>
      runCli({
        nodePath,
        cliPath: s.cliPath,
        args,
        cwd,
        log: (line) => s.log.appendLine(line),
        onCancel: (cancel) => token.onCancellationRequested(cancel),
      }),
  );
}

/** Shows a failed or cancelled result; returns true when the caller should go on (ok). */
export function reportCliFailure(
  s: Services,
  what: string,
  result: CliResult | undefined,
): result is Extract<CliResult, { kind: 'ok' }> {
  if (result === undefined) return false;
  if (result.kind === 'cancelled') {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} was cancelled.', what));
    return false;
  }
  if (result.kind === 'failed') {
    const showLog = vscode.l10n.t('Show Log');
    void vscode.window
      .showErrorMessage(vscode.l10n.t('{0} failed: {1}', what, result.reason), showLog)
      .then((choice) => choice === showLog && s.log.show(true));
    return false;
  }
  return true;
}
