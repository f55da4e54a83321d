// A small stand-in for the `vscode` module so extension code runs under plain Node in unit tests. Importing this
// file installs it: `require('vscode')` then resolves to `vscodeMock`. It records what the extension shows and
// runs (messages, commands, progress) and answers prompts from a script. Only what src/extension uses is here;
// the real-VS-Code tests come with the end-to-end issue.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import Module from 'node:module';
import { join, relative } from 'node:path';

type Listener<T> = (value: T) => unknown;

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  event = (listener: Listener<T>): Disposable => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Disposable {
  constructor(private readonly callOnDispose: () => unknown = () => undefined) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.callOnDispose();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  get path(): string {
    return this.fsPath;
  }
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, join(base.fsPath, ...parts));
  }
  static parse(value: string): Uri {
    const match = /^([a-z]+):(.*)$/.exec(value);
    return match ? new Uri(match[1] ?? 'file', match[2] ?? '') : Uri.file(value);
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}
export class MarkdownString {
  constructor(readonly value = '') {}
}
export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}
export class Range {
  readonly startLine: number;
  readonly startCharacter: number;
  readonly endLine: number;
  readonly endCharacter: number;
  /** (startLine, startCharacter, endLine, endCharacter) or (start, end) positions, as in VS Code. */
  constructor(a: number | Position, b: number | Position, c = 0, d = 0) {
    if (typeof a === 'number' && typeof b === 'number') {
      [this.startLine, this.startCharacter, this.endLine, this.endCharacter] = [a, b, c, d];
    } else {
      const start = a as Position;
      const end = b as Position;
      [this.startLine, this.startCharacter, this.endLine, this.endCharacter] = [
        start.line,
        start.character,
        end.line,
        end.character,
      ];
    }
  }
  get start(): Position {
    return new Position(this.startLine, this.startCharacter);
  }
  get end(): Position {
    return new Position(this.endLine, this.endCharacter);
  }
}
export class RelativePattern {
  constructor(
    readonly baseUri: Uri,
    readonly pattern: string,
  ) {}
}
export const CodeActionKind = { QuickFix: 'quickfix' } as const;
export class WorkspaceEdit {
  readonly replacements: { uri: Uri; range: Range; newText: string }[] = [];
  replace(uri: Uri, range: Range, newText: string): void {
    this.replacements.push({ uri, range, newText });
  }
}
export class CodeAction {
  edit?: WorkspaceEdit;
  command?: { command: string; title: string; arguments?: unknown[] };
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  constructor(
    readonly title: string,
    readonly kind?: string,
  ) {}
}
export class Diagnostic {
  source?: string;
  code?: string;
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity: number,
  ) {}
}
export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string | MarkdownString;
  iconPath?: ThemeIcon;
  contextValue?: string;
  resourceUri?: Uri;
  accessibilityInformation?: { label: string };
  constructor(
    readonly label: string,
    readonly collapsibleState = 0,
  ) {}
}

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 } as const;
export const StatusBarAlignment = { Left: 1, Right: 2 } as const;
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 } as const;
export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 } as const;
export const FileType = { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 } as const;

/** `{0}` placeholders, as vscode.l10n.t formats them (English: no bundle loaded). */
export const l10n = {
  t(message: string, ...args: unknown[]): string {
    return message.replace(/\{(\d+)\}/g, (whole, i: string) =>
      args[Number(i)] === undefined ? whole : String(args[Number(i)]),
    );
  },
};

export interface ShownMessage {
  severity: 'info' | 'warning' | 'error';
  message: string;
  actions: string[];
}

/** Everything the extension did that a test may check, and the answers it will get. */
export const recorded = {
  messages: [] as ShownMessage[],
  executed: [] as { command: string; args: unknown[] }[],
  opened: [] as string[],
  logLines: [] as string[],
  progressTitles: [] as string[],
  progressReports: [] as string[],
  inputProblems: [] as string[],
  clipboard: '',
  context: new Map<string, unknown>(),
  /** Every quick pick shown: its items and placeholder. */
  quickPicks: [] as { items: readonly unknown[]; placeHolder: string | undefined }[],
  /** The diagnostics each collection holds per file (fsPath), as set last. */
  diagnostics: new Map<string, Diagnostic[]>(),
};

export const script = {
  /** Picks the action button of a message: given the message, return an action label or undefined. */
  answerMessage: ((): string | undefined => undefined) as (message: ShownMessage) => string | undefined,
  /** The first item; with canPickMany, the items marked `picked` (what accepting the pick unchanged returns). */
  quickPick: (items: readonly unknown[], options?: { canPickMany?: boolean }): unknown =>
    options?.canPickMany === true
      ? items.filter((i) => (i as { picked?: boolean }).picked === true)
      : items[0],
  inputBox: (value: string | undefined): string | undefined => value,
  saveDialog: (defaultUri: Uri | undefined): Uri | undefined => defaultUri,
};

function show(severity: ShownMessage['severity']) {
  return (message: string, ...rest: unknown[]): Promise<string | undefined> => {
    const actions = rest.filter((r): r is string => typeof r === 'string');
    const shown = { severity, message, actions };
    recorded.messages.push(shown);
    return Promise.resolve(script.answerMessage(shown));
  };
}

const registered = new Map<string, (...args: unknown[]) => unknown>();
const settings = new Map<string, unknown>();

export const commands = {
  registerCommand(id: string, fn: (...args: unknown[]) => unknown): Disposable {
    if (registered.has(id)) throw new Error(`command ${id} already registered`);
    registered.set(id, fn);
    return new Disposable(() => registered.delete(id));
  },
  async executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    recorded.executed.push({ command, args });
    if (command === 'setContext') recorded.context.set(String(args[0]), args[1]);
    const fn = registered.get(command);
    return fn ? fn(...args) : undefined;
  },
  registered: (): string[] => [...registered.keys()].sort(),
};

function outputChannel(name: string) {
  return {
    name,
    append: (text: string) => recorded.logLines.push(text),
    appendLine: (line: string) => recorded.logLines.push(line),
    show: () => undefined,
    clear: () => undefined,
    dispose: () => undefined,
  };
}

export const window = {
  activeTextEditor: undefined as undefined | { document: { uri: Uri; fileName: string } },
  showInformationMessage: show('info'),
  showWarningMessage: show('warning'),
  showErrorMessage: show('error'),
  createOutputChannel: outputChannel,
  createStatusBarItem: () => ({
    text: '',
    tooltip: '' as unknown,
    name: '',
    command: undefined as unknown,
    visible: false,
    show() {
      this.visible = true;
    },
    hide() {
      this.visible = false;
    },
    dispose: () => undefined,
  }),
  createTreeView: () => new Disposable(),
  setStatusBarMessage: () => new Disposable(),
  showQuickPick: (items: readonly unknown[], options?: { canPickMany?: boolean; placeHolder?: string }) => {
    recorded.quickPicks.push({ items, placeHolder: options?.placeHolder });
    return Promise.resolve(script.quickPick(items, options));
  },
  /** Answers from the script; a value the box's own validation rejects is recorded and cancels. */
  showInputBox: async (options: {
    value?: string;
    validateInput?: (value: string) => string | undefined | null | Thenable<string | undefined | null>;
  }) => {
    const value = script.inputBox(options.value);
    const problem = value !== undefined ? await options.validateInput?.(value) : undefined;
    if (typeof problem === 'string') {
      recorded.inputProblems.push(problem);
      return undefined;
    }
    return value;
  },
  showSaveDialog: (options: { defaultUri?: Uri }) => Promise.resolve(script.saveDialog(options.defaultUri)),
  showOpenDialog: () => Promise.resolve(undefined),
  showWorkspaceFolderPick: () => Promise.resolve(workspace.workspaceFolders?.[0]),
  createWebviewPanel: (viewType: string, title: string, _show: unknown, options: unknown) =>
    createMockPanel(viewType, title, options),
  registerWebviewPanelSerializer: (viewType: string, serializer: MockPanelSerializer) => {
    webviewSerializers.set(viewType, serializer);
    return new Disposable(() => webviewSerializers.delete(viewType));
  },
  showTextDocument: (uri: Uri) => {
    recorded.opened.push(uri.fsPath);
    return Promise.resolve(undefined);
  },
  /** Runs the task at once; `cancel` in `progressControl` cancels the latest one. */
  withProgress<R>(
    options: { title?: string },
    task: (
      progress: { report(value: { message?: string; increment?: number }): void },
      token: { isCancellationRequested: boolean; onCancellationRequested: (l: () => void) => Disposable },
    ) => Thenable<R>,
  ): Thenable<R> {
    recorded.progressTitles.push(options.title ?? '');
    const cancelled = new EventEmitter<void>();
    const token = {
      isCancellationRequested: false,
      onCancellationRequested: (listener: () => void) => cancelled.event(listener),
    };
    progressControl.cancel = () => {
      token.isCancellationRequested = true;
      cancelled.fire();
    };
    return task(
      { report: (v) => v.message !== undefined && recorded.progressReports.push(v.message) },
      token,
    );
  },
};

export const progressControl = { cancel: (): void => undefined };

/** Files under `dir` whose name ends with `suffix` (enough for the '**\/*.ext' globs the extension uses). */
function walk(dir: string, suffix: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === 'node_modules' || name === '.git') continue;
    const path = join(dir, name);
    const info = statSync(path, { throwIfNoEntry: false });
    if (info?.isDirectory()) walk(path, suffix, out);
    else if (name.endsWith(suffix)) out.push(path);
  }
}

const noop = () => new Disposable();

export interface MockFileWatcher {
  pattern: RelativePattern | string;
  disposed: boolean;
  fire(kind: 'create' | 'change' | 'delete', uri: Uri): void;
}
/** Fires workspace.onDidCloseTextDocument. */
export const documentEvents = { closed: new EventEmitter<unknown>() };
/** Every watcher createFileSystemWatcher made (cleared by resetMock). */
export const fileWatchers: MockFileWatcher[] = [];

export const workspace = {
  isTrusted: true,
  workspaceFolders: undefined as undefined | { uri: Uri; name: string; index: number }[],
  textDocuments: [] as unknown[],
  getConfiguration: (section: string) => ({
    get: <T>(key: string, fallback?: T): T | undefined =>
      settings.has(`${section}.${key}`) ? (settings.get(`${section}.${key}`) as T) : fallback,
  }),
  onDidGrantWorkspaceTrust: noop,
  onDidChangeConfiguration: noop,
  onDidChangeWorkspaceFolders: noop,
  onDidOpenTextDocument: noop,
  onDidChangeTextDocument: noop,
  onDidSaveTextDocument: noop,
  onDidCloseTextDocument: (listener: (document: unknown) => unknown) => documentEvents.closed.event(listener),
  /** Records each watcher; a test fires its events through `fileWatchers`. */
  createFileSystemWatcher: (pattern: RelativePattern | string) => {
    const created = new EventEmitter<Uri>();
    const changed = new EventEmitter<Uri>();
    const deleted = new EventEmitter<Uri>();
    const watcher = {
      pattern,
      disposed: false,
      onDidCreate: created.event,
      onDidChange: changed.event,
      onDidDelete: deleted.event,
      fire: (kind: 'create' | 'change' | 'delete', uri: Uri) =>
        (kind === 'create' ? created : kind === 'change' ? changed : deleted).fire(uri),
      dispose: () => {
        watcher.disposed = true;
      },
    };
    fileWatchers.push(watcher);
    return watcher;
  },
  findFiles: (include: string): Promise<Uri[]> => {
    const suffix = include.replace(/^\*\*\/\*/, '');
    const out: string[] = [];
    for (const folder of workspace.workspaceFolders ?? []) walk(folder.uri.fsPath, suffix, out);
    return Promise.resolve(out.sort().map((p) => Uri.file(p)));
  },
  asRelativePath: (uri: Uri) => {
    const folder = workspace.workspaceFolders?.[0]?.uri.fsPath;
    return folder !== undefined ? relative(folder, uri.fsPath) : uri.fsPath;
  },
  fs: {
    stat: (uri: Uri) => {
      const info = statSync(uri.fsPath, { throwIfNoEntry: false });
      return info === undefined
        ? Promise.reject(new Error(`ENOENT ${uri.fsPath}`))
        : Promise.resolve({ type: info.isDirectory() ? FileType.Directory : FileType.File });
    },
    /** Creates the folder and its parents, as vscode.workspace.fs.createDirectory does. */
    createDirectory: (uri: Uri) => {
      mkdirSync(uri.fsPath, { recursive: true });
      return Promise.resolve();
    },
  },
};

export const languages = {
  registerCodeActionsProvider: () => new Disposable(),
  createDiagnosticCollection: () => ({
    set: (uri: Uri, diagnostics: Diagnostic[]) => void recorded.diagnostics.set(uri.fsPath, [...diagnostics]),
    delete: (uri: Uri) => void recorded.diagnostics.delete(uri.fsPath),
    dispose: () => undefined,
  }),
};

// --- Webview panels (the dashboard) ---------------------------------------------------------------------------

export interface MockPanelSerializer {
  deserializeWebviewPanel(panel: MockWebviewPanel, state: unknown): Thenable<void> | void;
}

/** A webview panel that records what the extension posts and lets a test play the page and the user. */
export interface MockWebviewPanel {
  viewType: string;
  title: string;
  iconPath: unknown;
  visible: boolean;
  active: boolean;
  disposed: boolean;
  revealed: number;
  createOptions: unknown;
  webview: {
    options: unknown;
    html: string;
    readonly cspSource: string;
    asWebviewUri(uri: Uri): Uri;
    postMessage(message: unknown): Promise<boolean>;
    onDidReceiveMessage: (listener: (message: unknown) => unknown) => Disposable;
  };
  /** Every message the extension posted, in order. */
  posted: { type: string; payload: Record<string, unknown> }[];
  onDidChangeViewState: (listener: (e: unknown) => unknown) => Disposable;
  onDidDispose: (listener: () => unknown) => Disposable;
  reveal(): void;
  dispose(): void;
  /** The page posts a message to the extension. */
  receive(message: unknown): void;
  /** The user hides or shows the panel (its page is discarded when hidden, as without retainContextWhenHidden). */
  setVisible(visible: boolean): void;
}

export const webviewPanels: MockWebviewPanel[] = [];
export const webviewSerializers = new Map<string, MockPanelSerializer>();

export function createMockPanel(viewType: string, title: string, options?: unknown): MockWebviewPanel {
  const received = new EventEmitter<unknown>();
  const viewState = new EventEmitter<unknown>();
  const disposed = new EventEmitter<void>();
  const panel: MockWebviewPanel = {
    viewType,
    title,
    iconPath: undefined,
    visible: true,
    active: true,
    disposed: false,
    revealed: 0,
    createOptions: options,
    posted: [],
    webview: {
      options: undefined,
      html: '',
      cspSource: 'https://mock.vscode-cdn.net',
      asWebviewUri: (uri: Uri) => Uri.parse(`https://mock.vscode-cdn.net${uri.fsPath}`),
      postMessage: (message: unknown) => {
        if (panel.disposed) return Promise.resolve(false);
        panel.posted.push(message as { type: string; payload: Record<string, unknown> });
        return Promise.resolve(true);
      },
      onDidReceiveMessage: received.event,
    },
    onDidChangeViewState: viewState.event,
    onDidDispose: (listener) => disposed.event(listener),
    reveal: () => {
      panel.revealed++;
      if (!panel.visible) panel.setVisible(true);
    },
    dispose: () => {
      if (panel.disposed) return;
      panel.disposed = true;
      disposed.fire();
    },
    receive: (message) => received.fire(message),
    setVisible: (visible) => {
      panel.visible = visible;
      panel.active = visible;
      viewState.fire({ webviewPanel: panel });
    },
  };
  webviewPanels.push(panel);
  return panel;
}

export const ViewColumn = { Active: -1, Beside: -2, One: 1, Two: 2 } as const;

export const env = {
  language: 'en',
  clipboard: {
    writeText: (text: string) => {
      recorded.clipboard = text;
      return Promise.resolve();
    },
  },
  openExternal: () => Promise.resolve(true),
};

/** Sets a `distillStudio.*`-style setting (full key). */
export function setSetting(key: string, value: unknown): void {
  settings.set(key, value);
}

/** Clears what was recorded and the scripted answers between tests. */
export function resetMock(): void {
  recorded.messages.length = 0;
  recorded.executed.length = 0;
  recorded.opened.length = 0;
  recorded.logLines.length = 0;
  recorded.progressTitles.length = 0;
  recorded.progressReports.length = 0;
  recorded.inputProblems.length = 0;
  recorded.clipboard = '';
  recorded.context.clear();
  recorded.diagnostics.clear();
  recorded.quickPicks.length = 0;
  fileWatchers.length = 0;
  webviewPanels.length = 0;
  webviewSerializers.clear();
  script.answerMessage = () => undefined;
  settings.clear();
  workspace.isTrusted = true;
  workspace.workspaceFolders = undefined;
  window.activeTextEditor = undefined;
}

/** An ExtensionContext with what activate() uses. */
export function extensionContext(extensionPath: string): {
  subscriptions: { dispose(): unknown }[];
  extensionPath: string;
  extensionUri: Uri;
  workspaceState: {
    get<T>(key: string, fallback?: T): T | undefined;
    update(key: string, value: unknown): Promise<void>;
  };
  asAbsolutePath(relativePath: string): string;
} {
  const memento = new Map<string, unknown>();
  return {
    subscriptions: [],
    extensionPath,
    extensionUri: Uri.file(extensionPath),
    workspaceState: {
      get: <T>(key: string, fallback?: T) => (memento.has(key) ? (memento.get(key) as T) : fallback),
      update: (key, value) => {
        memento.set(key, value);
        return Promise.resolve();
      },
    },
    asAbsolutePath: (p) => join(extensionPath, p),
  };
}

export const vscodeMock = {
  EventEmitter,
  Disposable,
  Uri,
  ThemeIcon,
  ThemeColor,
  MarkdownString,
  Position,
  Range,
  RelativePattern,
  CodeAction,
  CodeActionKind,
  WorkspaceEdit,
  Diagnostic,
  TreeItem,
  TreeItemCollapsibleState,
  StatusBarAlignment,
  ProgressLocation,
  DiagnosticSeverity,
  FileType,
  l10n,
  commands,
  window,
  ViewColumn,
  workspace,
  languages,
  env,
};

// Install: `require('vscode')` anywhere resolves to the object above.
const MOCK_PATH = join(__dirname, '__vscode_mock__.js');
interface ModuleInternals {
  _resolveFilename(request: string, ...rest: unknown[]): string;
  _cache: Record<string, unknown>;
}
const internals = Module as unknown as ModuleInternals;
const originalResolve = internals._resolveFilename;
internals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? MOCK_PATH : originalResolve.call(this, request, ...rest);
};
const cached = new Module(MOCK_PATH);
cached.filename = MOCK_PATH;
cached.loaded = true;
cached.exports = vscodeMock;
internals._cache[MOCK_PATH] = cached;
