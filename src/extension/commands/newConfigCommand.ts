// New Distillation Config: runs the CLI's `init` (the same presets and example data as `distill-studio init`) in
// a workspace folder through the trainer process, then opens the config.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { reportCliFailure, runCliWithProgress } from '../cliLauncher';
import { pathFromArg } from '../commandArgs';
import type { Services } from '../services';
import { requireTrust } from '../trust';

const NAME = /^[\p{L}\p{N}._-]+$/u;

async function targetFolder(arg: unknown): Promise<string | undefined> {
  const path = pathFromArg(arg);
  if (path !== undefined && arg instanceof vscode.Uri) {
    const stat = await vscode.workspace.fs.stat(arg).then(
      (s) => s,
      () => undefined,
    );
    if (stat !== undefined && stat.type === vscode.FileType.Directory) return path;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 1) return folders[0]?.uri.fsPath;
  if (folders.length > 1) {
    const folder = await vscode.window.showWorkspaceFolderPick({
      placeHolder: vscode.l10n.t('Where should the config go?'),
    });
    return folder?.uri.fsPath;
  }
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    openLabel: vscode.l10n.t('Create Config Here'),
  });
  return picked?.[0]?.fsPath;
}

export function registerNewConfigCommand(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('distillStudio.newConfig', async (arg?: unknown) => {
    const t = vscode.l10n.t;
    if (!requireTrust(t('New Distillation Config'))) return;
    const folder = await targetFolder(arg);
    if (folder === undefined) return;
    const preset = await vscode.window.showQuickPick(
      [
        {
          label: 'reviews',
          description: t('English movie reviews: a small teacher trained first, then distilled'),
        },
        { label: 'reviews-ko', description: t('The same with Korean reviews') },
        {
          label: 'tinybert',
          description: t('TinyBERT-4 student, two-step distillation (give your teacher later)'),
        },
        { label: 'mobilebert', description: t('MobileBERT student, progressive layer-by-layer transfer') },
      ],
      { placeHolder: t('Choose a recipe') },
    );
    if (preset === undefined) return;
    const name = await vscode.window.showInputBox({
      prompt: t('Config name (the file is <name>.distill.json)'),
      value: preset.label,
      validateInput: (value) => {
        if (!NAME.test(value)) return t('Use letters, digits, ".", "_" or "-".');
        if (existsSync(join(folder, `${value}.distill.json`)))
          return t('{0}.distill.json already exists.', value);
        return undefined;
      },
    });
    if (name === undefined) return;
    const file = join(folder, `${name}.distill.json`);
    const result = await runCliWithProgress(
      s,
      t('Creating {0}.distill.json', name),
      ['init', file, '--preset', preset.label],
      folder,
    );
    // `init` exits 1 when it wrote a config that still needs fixes (its diagnostics then show in the editor).
    if (result?.kind === 'failed' && existsSync(file))
      void vscode.window.showWarningMessage(
        t('{0} was written but needs fixes: see the Problems view.', `${name}.distill.json`),
      );
    else if (!reportCliFailure(s, t('New Distillation Config'), result)) return;
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    void s.runs.refresh(true);
  });
}
