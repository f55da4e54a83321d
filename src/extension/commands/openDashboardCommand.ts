// Open Dashboard. PLACEHOLDER until the dashboard issue lands: it opens the run's events.jsonl (the record the
// dashboard will chart) and says so.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { pathFromArg, pickRun, runNodeFromArg } from '../commandArgs';
import type { Services } from '../services';

export function registerOpenDashboardCommand(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('distillStudio.openDashboard', async (arg?: unknown) => {
    const t = vscode.l10n.t;
    const node =
      runNodeFromArg(s, arg) ??
      (pathFromArg(arg) === undefined
        ? await pickRun(s, (n) => n.kind === 'run', t('Choose a run'), t('There are no runs yet.'))
        : undefined);
    const runDir = node !== undefined ? pathFromArg(node) : pathFromArg(arg);
    if (runDir === undefined) return;
    const events = vscode.Uri.file(join(runDir, 'events.jsonl'));
    const exists = await vscode.workspace.fs.stat(events).then(
      () => true,
      () => false,
    );
    if (!exists) {
      void vscode.window.showInformationMessage(t('{0} has no events yet.', runDir));
      return;
    }
    await vscode.window.showTextDocument(events, { preview: true });
    void vscode.window.showInformationMessage(
      t(
        'The dashboard is not built yet (it comes with the dashboard issue); this shows the run’s events.jsonl instead.',
      ),
    );
  });
}
