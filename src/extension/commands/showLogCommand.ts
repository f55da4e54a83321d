// Show Log: the trainer's output (stdout/stderr of every run, export and benchmark).
import * as vscode from 'vscode';
import type { Services } from '../services';

export function registerShowLogCommand(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('distillStudio.showLog', () => s.log.show(true));
}
