// Create Folder: what the "create the missing output folder" quick fix runs (hidden from the palette). Creates the
// folder with its parents through VS Code's file system API, then re-validates the config so its diagnostic goes.
import { isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import { CREATE_FOLDER_COMMAND } from '../configQuickFixes';

export function registerCreateFolderCommand(revalidate: (configUri: string) => void): vscode.Disposable {
  return vscode.commands.registerCommand(
    CREATE_FOLDER_COMMAND,
    async (folder?: unknown, config?: unknown) => {
      const t = vscode.l10n.t;
      if (typeof folder !== 'string' || !isAbsolute(folder)) return;
      try {
        await vscode.workspace.fs.createDirectory(vscode.Uri.file(folder));
      } catch (error) {
        void vscode.window.showErrorMessage(
          t('Cannot create the folder {0}: {1}', folder, (error as Error).message),
        );
        return;
      }
      if (typeof config === 'string') revalidate(config);
      vscode.window.setStatusBarMessage(t('Created {0}', folder), 5000);
    },
  );
}
