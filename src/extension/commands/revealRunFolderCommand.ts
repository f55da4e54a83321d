// Reveal Folder: shows a run folder in the operating system's file manager.
import * as vscode from 'vscode';
import { pathFromArg } from '../commandArgs';

export function registerRevealRunFolderCommand(): vscode.Disposable {
  return vscode.commands.registerCommand('distillStudio.revealRunFolder', (arg?: unknown) => {
    const path = pathFromArg(arg);
    if (path !== undefined) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path));
  });
}
