// What a command was invoked on: a Runs view item, an explorer/editor resource, a path (status bar, notification
// buttons), or nothing (the palette: ask with a quick pick).
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { describeRun } from './runFormat';
import type { RunsNode } from './runsModel';
import type { Services } from './services';

function isRunsNode(arg: unknown): arg is RunsNode {
  if (arg === null || typeof arg !== 'object') return false;
  const kind = (arg as { kind?: unknown }).kind;
  return (kind === 'run' && 'summary' in arg) || (kind === 'pending' && 'job' in arg);
}

/** The file-system path a command argument names, if any. */
export function pathFromArg(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.scheme === 'file' ? arg.fsPath : undefined;
  if (typeof arg === 'string') return arg;
  if (isRunsNode(arg)) return arg.kind === 'run' ? arg.summary.runDir : arg.job.runDir;
  return undefined;
}

/** The run folder an argument names (a run item, a run folder, or a path inside one of the known runs). */
export function runNodeFromArg(s: Services, arg: unknown): RunsNode | undefined {
  if (isRunsNode(arg)) return arg;
  const path = pathFromArg(arg);
  return path === undefined ? undefined : s.runs.find(path);
}

/** Asks for one of the runs `filter` accepts; undefined when there is none or the user cancels. */
export async function pickRun(
  s: Services,
  filter: (node: RunsNode) => boolean,
  placeHolder: string,
  none: string,
): Promise<RunsNode | undefined> {
  await s.runs.refresh();
  const nodes = s.runs.all.filter(filter);
  if (nodes.length === 0) {
    void vscode.window.showInformationMessage(none);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    nodes.map((node) => ({
      label: node.kind === 'run' ? node.summary.name : node.job.label,
      description: node.kind === 'run' ? describeRun(node.summary, vscode.l10n.t) : vscode.l10n.t('queued'),
      detail: node.kind === 'run' ? node.summary.runDir : node.job.runDir,
      node,
    })),
    { placeHolder },
  );
  return picked?.node;
}

/** The config a command runs on: the argument, the active editor, or a pick among the workspace's configs. */
export async function configFromArg(arg: unknown): Promise<vscode.Uri | undefined> {
  const path = pathFromArg(arg);
  if (path !== undefined && path.endsWith('.distill.json')) return vscode.Uri.file(path);
  const active = vscode.window.activeTextEditor?.document;
  if (active !== undefined && active.uri.scheme === 'file' && active.fileName.endsWith('.distill.json'))
    return active.uri;
  const found = await vscode.workspace.findFiles('**/*.distill.json', '{**/node_modules/**,**/runs/**}', 200);
  if (found.length === 0) {
    const create = vscode.l10n.t('New Distillation Config');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('There is no *.distill.json config in this workspace yet.'),
      create,
    );
    if (choice === create) void vscode.commands.executeCommand('distillStudio.newConfig');
    return undefined;
  }
  if (found.length === 1) return found[0];
  const picked = await vscode.window.showQuickPick(
    found.map((uri) => ({
      label: basename(uri.fsPath),
      description: vscode.workspace.asRelativePath(uri),
      uri,
    })),
    { placeHolder: vscode.l10n.t('Choose the config to distil') },
  );
  return picked?.uri;
}
