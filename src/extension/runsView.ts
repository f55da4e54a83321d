// The Runs view (own activity-bar container): one item per run with status, stage, step, best metric and
// duration; the item's contextValue drives its actions (Stop, Resume, Export, Benchmark, Reveal, Copy Model Path).
import * as vscode from 'vscode';
import { describeRun, liveProgress, runDetails, statusLabel } from './runFormat';
import type { RunStatus } from './runProgress';
import type { RunsModel, RunsNode } from './runsModel';

/** `run:<status>[:model]` or `pending:<queued|starting>`; package.json menus match these with regexes. */
export function contextValue(node: RunsNode): string {
  if (node.kind === 'pending') return `pending:${node.job.state.kind === 'queued' ? 'queued' : 'starting'}`;
  const s = node.summary.status;
  const status = s.kind === 'running' ? `running-${s.owner}` : s.kind;
  return `run:${status}${node.summary.modelPath !== undefined ? ':model' : ''}`;
}

function icon(status: RunStatus): vscode.ThemeIcon {
  switch (status.kind) {
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'stopped':
      return status.cause === 'requested'
        ? new vscode.ThemeIcon('debug-pause')
        : new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
    case 'done':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  }
}

export function treeItem(node: RunsNode): vscode.TreeItem {
  const t = vscode.l10n.t;
  if (node.kind === 'pending') {
    const item = new vscode.TreeItem(node.job.label, vscode.TreeItemCollapsibleState.None);
    item.id = `job:${node.job.id}`;
    item.description =
      node.position !== undefined
        ? t('queued ({0})', node.position)
        : liveProgress(node.job.progress, t).message;
    item.iconPath = new vscode.ThemeIcon(node.position !== undefined ? 'clock' : 'loading~spin');
    item.tooltip = node.job.runDir;
    item.contextValue = contextValue(node);
    return item;
  }
  const summary = node.summary;
  const item = new vscode.TreeItem(summary.name, vscode.TreeItemCollapsibleState.None);
  item.id = `run:${summary.runDir}`;
  item.description = describeRun(summary, t);
  item.iconPath = icon(summary.status);
  item.tooltip = new vscode.MarkdownString(runDetails(summary, t).join('  \n'));
  item.resourceUri = vscode.Uri.file(summary.runDir);
  item.contextValue = contextValue(node);
  item.accessibilityInformation = { label: `${summary.name}, ${statusLabel(summary.status, t)}` };
  return item;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly model: RunsModel) {
    this.subscription = model.onDidChange(() => this.emitter.fire(undefined));
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    return treeItem(node);
  }

  getChildren(node?: RunsNode): RunsNode[] {
    return node === undefined ? [...this.model.all] : [];
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
