// Stop Run: graceful stop of a run this window owns (checkpoint, then kill after distillStudio.stopTimeoutSeconds);
// a queued run leaves the queue. A run started elsewhere is stopped where it runs.
import * as vscode from 'vscode';
import { pathFromArg, pickRun, runNodeFromArg } from '../commandArgs';
import type { Services } from '../services';

export function registerStopRunCommand(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('distillStudio.stopRun', async (arg?: unknown) => {
    const t = vscode.l10n.t;
    // A job of this window named by its folder, even before the Runs view has caught up with it.
    const path = pathFromArg(arg);
    const owned = path !== undefined ? s.scheduler.jobFor(path) : undefined;
    if (owned !== undefined) {
      void s.scheduler.stop(owned);
      return;
    }
    const node =
      runNodeFromArg(s, arg) ??
      (await pickRun(
        s,
        (n) => n.kind === 'pending' || n.job !== undefined || n.summary.status.kind === 'running',
        t('Choose the run to stop'),
        t('No run is active.'),
      ));
    if (node === undefined) return;
    const job = node.job;
    if (job === undefined) {
      if (node.kind === 'run' && node.summary.status.kind === 'running')
        void vscode.window.showInformationMessage(
          t(
            '"{0}" was started outside this window. Stop it where it runs: Ctrl+C in its terminal saves a checkpoint.',
            node.summary.name,
          ),
        );
      else void vscode.window.showInformationMessage(t('This run is not running.'));
      return;
    }
    void s.scheduler.stop(job);
  });
}
