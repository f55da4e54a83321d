// Show Attention Diff: the dashboard's Attention tab for a run: teacher, student and difference heatmaps per
// mapped layer pair, across the snapshots taken during training.
import * as vscode from 'vscode';
import type { Dashboards } from '../dashboard/dashboards';
import type { Services } from '../services';
import { dashboardRunFrom } from './openDashboardCommand';

export function registerShowAttentionDiffCommand(s: Services, dashboards: Dashboards): vscode.Disposable {
  return vscode.commands.registerCommand('distillStudio.showAttentionDiff', async (arg?: unknown) => {
    const runDir = await dashboardRunFrom(s, arg, vscode.l10n.t('Choose the run whose attention to compare'));
    if (runDir !== undefined) dashboards.open(runDir, 'attention');
  });
}
