// Code actions for *.distill.json: turns the edits of quickFixEdits.ts into VS Code quick fixes for the
// diagnostics ConfigDiagnostics reported, and folder fixes into actions that run the create-folder command.
import { getLocation } from 'jsonc-parser';
import * as vscode from 'vscode';
import { folderFixesFor, quickFixesFor } from './quickFixEdits';

/** The (palette-hidden) command a folder fix runs: arguments the folder and the config's URI. */
export const CREATE_FOLDER_COMMAND = 'distillStudio.createFolder';

/** The JSON path a diagnostic was reported at (ConfigDiagnostics knows it). */
export type PathLookup = (uri: vscode.Uri, diagnostic: vscode.Diagnostic) => (string | number)[] | undefined;

export class ConfigQuickFixProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly pathOf: PathLookup) {}

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const text = document.getText();
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'distill-studio' || typeof diagnostic.code !== 'string') continue;
      const path =
        this.pathOf(document.uri, diagnostic) ??
        getLocation(text, document.offsetAt(diagnostic.range.start)).path;
      const finding = { code: diagnostic.code, message: diagnostic.message, path };
      const fixes = quickFixesFor(text, finding, vscode.l10n.t);
      for (const fix of folderFixesFor(text, document.fileName, finding, vscode.l10n.t)) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.command = {
          command: CREATE_FOLDER_COMMAND,
          title: fix.title,
          arguments: [fix.folder, document.uri.toString()],
        };
        action.diagnostics = [diagnostic];
        action.isPreferred = fix.preferred;
        actions.push(action);
      }
      for (const fix of fixes) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        edit.replace(
          document.uri,
          new vscode.Range(
            document.positionAt(fix.edit.offset),
            document.positionAt(fix.edit.offset + fix.edit.length),
          ),
          fix.edit.content,
        );
        action.edit = edit;
        action.diagnostics = [diagnostic];
        action.isPreferred = fix.preferred;
        actions.push(action);
      }
    }
    return actions;
  }
}

export function registerConfigQuickFixes(pathOf: PathLookup): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider(
    { scheme: 'file', pattern: '**/*.distill.json' },
    new ConfigQuickFixProvider(pathOf),
    { providedCodeActionKinds: ConfigQuickFixProvider.kinds },
  );
}
