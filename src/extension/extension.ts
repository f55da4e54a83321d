// Extension entry point: wiring only. Computation runs in the trainer child process (src/trainer).
import type * as vscode from 'vscode';
import { ConfigDiagnostics } from './configDiagnostics';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(new ConfigDiagnostics());
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
