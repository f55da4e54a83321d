// Resume Run: continue a stopped, interrupted or failed run from its newest good checkpoint.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { pathFromArg, pickRun, runNodeFromArg } from '../commandArgs';
import { isRunFolder } from '../runRegistry';
import { startRun } from '../runLauncher';
import type { Services } from '../services';
import { requireTrust } from '../trust';

export function registerResumeRunCommand(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('distillStudio.resumeRun', async (arg?: unknown) => {
    const t = vscode.l10n.t;
    if (!requireTrust(t('Resume Run'))) return;
    let runDir: string | undefined;
    let label: string | undefined;
    const node = runNodeFromArg(s, arg);
    if (node?.kind === 'run') {
      runDir = node.summary.runDir;
      label = node.summary.name;
      if (node.summary.status.kind === 'done') {
        void vscode.window.showInformationMessage(t('"{0}" has already finished.', label));
        return;
      }
    } else if (node === undefined) {
      const path = pathFromArg(arg);
      if (path !== undefined && (await isRunFolder(path))) runDir = path;
      else {
        const picked = await pickRun(
          s,
          (n) =>
            n.kind === 'run' && (n.summary.status.kind === 'stopped' || n.summary.status.kind === 'failed'),
          t('Choose the run to resume'),
          t('No stopped or failed run to resume.'),
        );
        if (picked?.kind !== 'run') return;
        runDir = picked.summary.runDir;
        label = picked.summary.name;
      }
    }
    if (runDir === undefined) return;
    await startRun(s, { request: { verb: 'resume', runDir }, label: label ?? basename(runDir), runDir });
  });
}
