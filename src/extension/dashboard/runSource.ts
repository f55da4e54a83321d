// One run folder as a live source for the dashboard: its events.jsonl folded incrementally, its reports, and
// change notifications. The file is the one record every run has, so the data always comes from it:
//  - a run this window trains: each event the trainer sends over IPC triggers a read at once (the trainer appends
//    the line before it sends the event, src/trainer/train/runDir.ts EventLog.emit, so the line is there);
//  - a run started in a terminal or another window: a file watcher (chokidar; it also works outside the
//    workspace), plus a slow poll in case the file system reports nothing (network drives, containers).
// Reading the file for IPC-announced events too keeps one code path, makes it impossible to fold an event twice
// when both sources see it, and gives every attention snapshot a byte range to fetch its maps from later.
// Pure Node (no vscode).
import { basename, join, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { RunReports } from '../../protocol/dashboard';
import type { HistoryEvent } from '../../protocol/runHistory';
import { Emitter, type Disposable, type Event } from '../emitter';
import { isReportFile, readRunReports } from './dashboardReports';
import { RunEventsReader } from './runEventsReader';

export interface RunSourceOptions {
  /** Fires with a run folder whenever this window's trainer for it reports an event (RunScheduler.onDidChange). */
  onTrainerEvent?: Event<string>;
  /** Benchmark files outside the run folder to show with it. */
  extraBenchFiles?: () => readonly string[];
  /** Poll interval for events.jsonl, milliseconds (default 2000). */
  pollMs?: number;
  /** Watch the folder with chokidar (default true; tests of the IPC path turn it off). */
  watchFiles?: boolean;
  /** Reports problems (a watcher error) for the log. */
  log?: (line: string) => void;
}

export interface Appended {
  /** The run's event count the events continue. */
  from: number;
  events: HistoryEvent[];
}

const EMPTY_REPORTS: RunReports = { benchmarks: [], doctor: undefined, onnxFiles: [], problems: [] };

export class RunSource implements Disposable {
  readonly reader: RunEventsReader;
  reports: RunReports = EMPTY_REPORTS;
  private readonly appendEmitter = new Emitter<Appended>();
  private readonly resetEmitter = new Emitter<void>();
  private readonly reportsEmitter = new Emitter<RunReports>();
  readonly onDidAppend: Event<Appended> = this.appendEmitter.event;
  /** The file was rewritten: the history starts over (send a snapshot). */
  readonly onDidReset: Event<void> = this.resetEmitter.event;
  readonly onDidChangeReports: Event<RunReports> = this.reportsEmitter.event;
  /** Resolves after the first read of events and reports. */
  readonly ready: Promise<void>;
  private readonly subscriptions: Disposable[] = [];
  private watcher: FSWatcher | undefined;
  private readonly poll: ReturnType<typeof setInterval>;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private reportsTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    readonly runDir: string,
    private readonly options: RunSourceOptions = {},
  ) {
    this.reader = new RunEventsReader(join(runDir, 'events.jsonl'));
    if (options.onTrainerEvent !== undefined)
      this.subscriptions.push(
        options.onTrainerEvent((dir) => {
          if (dir === runDir) void this.read();
        }),
      );
    if (options.watchFiles !== false) this.startWatching();
    this.poll = setInterval(() => void this.read(), options.pollMs ?? 2000);
    this.ready = Promise.all([this.read(), this.loadReports()]).then(() => undefined);
  }

  private startWatching(): void {
    const ignored = (path: string): boolean => {
      const rel = relative(this.runDir, path);
      if (rel === '' || rel.startsWith('..')) return false;
      const parts = rel.split(sep);
      return parts.some((p) => p.startsWith('.') || p === 'checkpoints' || p === 'node_modules');
    };
    try {
      this.watcher = watch(this.runDir, { ignoreInitial: true, depth: 3, ignored });
    } catch (error) {
      this.options.log?.(`dashboard: cannot watch ${this.runDir}: ${(error as Error).message}`);
      return;
    }
    const changed = (path: string): void => {
      if (basename(path) === 'events.jsonl') void this.read();
      else if (isReportFile(path)) this.scheduleReports();
    };
    this.watcher.on('add', changed).on('change', changed).on('unlink', changed);
    this.watcher.on('error', (error) =>
      this.options.log?.(
        `dashboard: watching ${this.runDir}: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }

  /** Reads what was appended (calls coalesce: one read at a time, one more if asked meanwhile). */
  read(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.reading !== undefined) {
      this.readAgain = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.readAgain = false;
        const before = this.reader.history.eventCount;
        let result;
        try {
          result = await this.reader.read();
        } catch (error) {
          this.options.log?.(`dashboard: reading ${this.reader.file}: ${(error as Error).message}`);
          return;
        }
        if (this.disposed) return;
        if (result.kind === 'reset') this.resetEmitter.fire();
        else if (result.events.length > 0) this.appendEmitter.fire({ from: before, events: result.events });
      } while (this.readAgain && !this.disposed);
    })().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** Re-reads the reports soon (a benchmark writes several files in a burst). */
  scheduleReports(delayMs = 300): void {
    if (this.reportsTimer !== undefined || this.disposed) return;
    this.reportsTimer = setTimeout(() => {
      this.reportsTimer = undefined;
      void this.loadReports().then(() => this.reportsEmitter.fire(this.reports));
    }, delayMs);
  }

  async loadReports(): Promise<RunReports> {
    this.reports = await readRunReports(this.runDir, this.options.extraBenchFiles?.() ?? []);
    return this.reports;
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.poll);
    clearTimeout(this.reportsTimer);
    for (const s of this.subscriptions) s.dispose();
    void this.watcher?.close();
    this.appendEmitter.dispose();
    this.resetEmitter.dispose();
    this.reportsEmitter.dispose();
  }
}

/** Run sources shared by all dashboard panels, one per folder, disposed when no panel uses it. */
export class RunSourcePool implements Disposable {
  private readonly sources = new Map<string, { source: RunSource; users: number }>();

  constructor(private readonly options: RunSourceOptions) {}

  acquire(runDir: string): RunSource {
    let entry = this.sources.get(runDir);
    if (entry === undefined) {
      entry = { source: new RunSource(runDir, this.options), users: 0 };
      this.sources.set(runDir, entry);
    }
    entry.users++;
    return entry.source;
  }

  release(source: RunSource): void {
    const entry = this.sources.get(source.runDir);
    if (entry === undefined || entry.source !== source) return;
    if (--entry.users > 0) return;
    this.sources.delete(source.runDir);
    source.dispose();
  }

  /** Every source currently in use (to refresh reports after a benchmark elsewhere). */
  get all(): RunSource[] {
    return [...this.sources.values()].map((e) => e.source);
  }

  dispose(): void {
    for (const { source } of this.sources.values()) source.dispose();
    this.sources.clear();
  }
}
