// Inline validation of *.distill.json documents: the same engine as `distill-studio validate`, run as the user
// types (debounced), with exact ranges in the config and in the data files it references. Re-validated when a
// file or folder the config references appears, changes or vanishes (VS Code watchers inside the workspace,
// chokidar outside); the watchers go when the config closes.
import { basename, dirname, relative, isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import { validateConfigText } from '../config/validateConfig';
import type { ConfigDiagnostic } from '../protocol/diagnostics';
import { chokidarWatch, ReferenceWatchers, referencedPaths, type WatchFactory } from './configReferences';

const DEBOUNCE_MS = 300;

function isConfig(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && document.fileName.endsWith('.distill.json');
}

function toVsCode(d: ConfigDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(
    d.range.start.line,
    d.range.start.character,
    d.range.end.line,
    d.range.end.character,
  );
  const severity =
    d.severity === 'error'
      ? vscode.DiagnosticSeverity.Error
      : d.severity === 'warning'
        ? vscode.DiagnosticSeverity.Warning
        : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(range, d.message, severity);
  diagnostic.source = 'distill-studio';
  diagnostic.code = d.code;
  return diagnostic;
}

function insideWorkspace(path: string): boolean {
  return (vscode.workspace.workspaceFolders ?? []).some((folder) => {
    const rel = relative(folder.uri.fsPath, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  });
}

/** VS Code's watcher inside the workspace (the path itself, and a folder's direct entries), chokidar outside. */
export const defaultWatchFactory: WatchFactory = {
  inWorkspace: insideWorkspace,
  watchInWorkspace(path, onEvent) {
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(dirname(path)), `${basename(path)}{,/*}`),
    );
    return vscode.Disposable.from(
      watcher,
      watcher.onDidCreate(onEvent),
      watcher.onDidChange(onEvent),
      watcher.onDidDelete(onEvent),
    );
  },
  watchOutside: chokidarWatch,
};

export class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('distill-studio');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Other files (data, checkpoint configs) each config reported on, so stale entries can be cleared. */
  private readonly related = new Map<string, Set<string>>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The last findings per config (their JSON paths serve the quick fixes). */
  private readonly findings = new Map<string, ConfigDiagnostic[]>();
  private readonly documents = new Map<string, vscode.TextDocument>();
  private readonly watchers: ReferenceWatchers;

  constructor(factory: WatchFactory = defaultWatchFactory) {
    this.watchers = new ReferenceWatchers(factory, (key) => {
      const document = this.documents.get(key);
      if (document !== undefined && !document.isClosed) this.schedule(document, DEBOUNCE_MS);
    });
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
    );
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (!isConfig(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => void this.validate(document), delay),
    );
  }

  private async validate(document: vscode.TextDocument): Promise<void> {
    const version = document.version;
    const text = document.getText();
    const result = await validateConfigText(document.fileName, text);
    if (document.isClosed || document.version !== version) return; // a newer edit will report
    const key = document.uri.toString();
    this.documents.set(key, document);
    this.findings.set(
      key,
      result.diagnostics.filter((d) => d.file === document.fileName),
    );
    this.watchers.update(key, referencedPaths(document.fileName, text));
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of result.diagnostics) {
      const list = byFile.get(d.file) ?? [];
      list.push(toVsCode(d));
      byFile.set(d.file, list);
    }
    for (const file of this.related.get(key) ?? [])
      if (!byFile.has(file)) this.collection.delete(vscode.Uri.file(file));
    this.collection.set(document.uri, byFile.get(document.fileName) ?? []);
    byFile.delete(document.fileName);
    for (const [file, diagnostics] of byFile) this.collection.set(vscode.Uri.file(file), diagnostics);
    this.related.set(key, new Set(byFile.keys()));
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.collection.delete(uri);
    for (const file of this.related.get(key) ?? []) this.collection.delete(vscode.Uri.file(file));
    this.related.delete(key);
    this.findings.delete(key);
    this.documents.delete(key);
    this.watchers.release(key);
  }

  /** The JSON path of a diagnostic this collection reported for the config at `uri`. */
  pathOf(uri: vscode.Uri, diagnostic: vscode.Diagnostic): (string | number)[] | undefined {
    return this.findings
      .get(uri.toString())
      ?.find(
        (d) =>
          d.code === diagnostic.code &&
          d.message === diagnostic.message &&
          d.range.start.line === diagnostic.range.start.line,
      )?.path;
  }

  /** Validates the open config with URI string `key` again now (after a quick fix changed the files it names). */
  revalidate(key: string): void {
    const document = this.documents.get(key);
    if (document !== undefined && !document.isClosed) this.schedule(document, 0);
  }

  /** The referenced paths watched for the config at `uri` (for tests and diagnostics). */
  watchedFor(uri: vscode.Uri): string[] {
    return this.watchers.watched(uri.toString());
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const s of this.subscriptions) s.dispose();
    this.watchers.dispose();
    this.collection.dispose();
  }
}
