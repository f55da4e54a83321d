// Refresh: finds the configs again and re-reads the runs folders now.
import * as vscode from 'vscode';
import type { Services } from '../services';

export function registerRefreshRunsCommand(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('distillStudio.refreshRuns', () => s.runs.refresh(true));
}
