// Every run in the workspace, also ones started from a terminal: scans the runs folders (each config's
// `output.dir`, default `runs/`, plus the `distillStudio.runsFolder` setting), reads run.json and events.jsonl
// (incrementally: a long run's file grows by attention snapshots), and summarises status, stage, step, best metric
// and duration. Pure Node (no vscode), so it is unit-tested on fixture run folders.
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { resolveFrom } from '../config/paths';
import type { EvalMetrics } from '../protocol/events';
import { parseRunEvent } from '../protocol/events';
import {
  applyEvent,
  deriveStatus,
  durationMs,
  emptyProgress,
  totalSteps,
  type RunProgress,
  type RunStatus,
} from './runProgress';

/** What a run folder holds, read from disk. */
export interface RunRecord {
  runDir: string;
  /** The run name (from run-start, else the folder name). */
  name: string;
  /** The config the run was started from (run.json). */
  configFile: string | undefined;
  createdAt: string | undefined;
  progress: RunProgress;
  /** Latest modification of events.jsonl or run.json. */
  lastWriteAt: number | undefined;
  /** Model folders that exist: final/, best/, teacher/. */
  models: { final?: string; best?: string; teacher?: string };
  /** step-N checkpoint folders. */
  checkpoints: number;
}

/** A run as the Runs view shows it. */
export interface RunSummary {
  runDir: string;
  name: string;
  configFile: string | undefined;
  status: RunStatus;
  stage: string | undefined;
  /** 1-based stage number and the stage count, when known. */
  stageNumber: number | undefined;
  stageCount: number;
  stageStep: number;
  stageSteps: number | undefined;
  globalStep: number;
  totalSteps: number;
  loss: number | undefined;
  best: EvalMetrics | undefined;
  durationMs: number;
  /** The model to export or copy: final/, else best/. */
  modelPath: string | undefined;
  /** Every model folder the run holds (final/, best/, teacher/), for the explorer's context menus. */
  modelFolders: string[];
  checkpoints: number;
}

export interface PlannedRun {
  name: string;
  /** `<config folder>/<output.dir>` */
  root: string;
  /** `<root>/<name>` */
  runDir: string;
  ifExists: 'error' | 'resume' | 'new';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Where a config's run goes (`output.dir`, `name`, `output.ifExists`); undefined when the text says nothing usable. */
export function plannedRun(configFile: string, text: string): PlannedRun | undefined {
  const value: unknown = parseJsonc(text, [], { allowTrailingComma: true });
  if (!isRecord(value) || typeof value['name'] !== 'string' || value['name'] === '') return undefined;
  const output = isRecord(value['output']) ? value['output'] : {};
  const dir = typeof output['dir'] === 'string' && output['dir'] !== '' ? output['dir'] : 'runs';
  const ifExists = output['ifExists'];
  const root = resolveFrom(dirname(configFile), dir);
  return {
    name: value['name'],
    root,
    runDir: join(root, value['name']),
    ifExists: ifExists === 'resume' || ifExists === 'new' ? ifExists : 'error',
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function mtime(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
}

/** Whether `dir` is a run folder (`train` wrote run.json or events.jsonl there). */
export async function isRunFolder(dir: string): Promise<boolean> {
  return (await exists(join(dir, 'run.json'))) || (await exists(join(dir, 'events.jsonl')));
}

interface EventsCache {
  offset: number;
  remainder: string;
  progress: RunProgress;
}

export interface SummaryOptions {
  now?: number;
  /** Run folders this extension owns a live trainer for. */
  owned?: ReadonlySet<string>;
  /** Run folders whose trainer (of this window) has exited: when, and why when it failed. */
  exited?: ReadonlyMap<string, { at: number; reason: string | undefined }>;
  staleAfterMs?: number;
}

/** Five minutes: set-up (tokenizer training, data loading) writes no events. */
export const DEFAULT_STALE_AFTER_MS = 5 * 60_000;

export class RunRegistry {
  private readonly cache = new Map<string, EventsCache>();

  /** Folds the events appended since the last read (all of them the first time, or after a rewrite). */
  private async readProgress(file: string): Promise<RunProgress> {
    const size = await stat(file).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) {
      this.cache.delete(file);
      return emptyProgress();
    }
    let entry = this.cache.get(file);
    if (entry === undefined || size < entry.offset) {
      entry = { offset: 0, remainder: '', progress: emptyProgress() };
      this.cache.set(file, entry);
    }
    if (size === entry.offset) return entry.progress;
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(size - entry.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, entry.offset);
      entry.offset += bytesRead;
      const lines = (entry.remainder + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      // The last piece is a line still being written (or a torn line after a crash): keep it for the next read.
      entry.remainder = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        try {
          const event = parseRunEvent(JSON.parse(line));
          if (event !== undefined) applyEvent(entry.progress, event);
        } catch {
          // a torn line in the middle (crash, then resume appended): skipped, as readEvents does
        }
      }
    } finally {
      await handle.close();
    }
    return entry.progress;
  }

  /** Reads one run folder; undefined when it is not one. */
  async readRun(runDir: string): Promise<RunRecord | undefined> {
    if (!(await isRunFolder(runDir))) return undefined;
    const manifest = await readFile(join(runDir, 'run.json'), 'utf8')
      .then((text) => JSON.parse(text) as unknown)
      .catch(() => undefined);
    const eventsFile = join(runDir, 'events.jsonl');
    const progress = await this.readProgress(eventsFile);
    const writes = [await mtime(eventsFile), await mtime(join(runDir, 'run.json'))].filter(
      (t): t is number => t !== undefined,
    );
    const models: RunRecord['models'] = {};
    for (const kind of ['final', 'best', 'teacher'] as const) {
      const dir = join(runDir, kind);
      if (await exists(join(dir, 'config.json'))) models[kind] = dir;
    }
    const checkpoints = await readdir(join(runDir, 'checkpoints')).then(
      (names) => names.filter((n) => /^step-\d+$/.test(n)).length,
      () => 0,
    );
    return {
      runDir,
      name: progress.runName ?? basename(runDir),
      configFile:
        isRecord(manifest) && typeof manifest['configFile'] === 'string' ? manifest['configFile'] : undefined,
      createdAt:
        isRecord(manifest) && typeof manifest['createdAt'] === 'string' ? manifest['createdAt'] : undefined,
      progress,
      lastWriteAt: writes.length > 0 ? Math.max(...writes) : undefined,
      models,
      checkpoints,
    };
  }

  /** Every run folder directly under `root` (missing roots are empty). */
  async scanRoot(root: string): Promise<RunRecord[]> {
    const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
    const records: RunRecord[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const record = await this.readRun(join(root, entry.name));
      if (record !== undefined) records.push(record);
    }
    return records;
  }

  /** Every run under the given roots, each once, newest activity first. */
  async scan(roots: Iterable<string>): Promise<RunRecord[]> {
    const byDir = new Map<string, RunRecord>();
    for (const root of new Set(roots))
      for (const record of await this.scanRoot(root)) byDir.set(record.runDir, record);
    return [...byDir.values()].sort((a, b) => (b.lastWriteAt ?? 0) - (a.lastWriteAt ?? 0));
  }
}

/** Combines what the folder says with what the host knows into the view's summary. */
export function summarize(record: RunRecord, options: SummaryOptions = {}): RunSummary {
  const now = options.now ?? Date.now();
  const p = record.progress;
  const status = deriveStatus(p, {
    now,
    owned: options.owned?.has(record.runDir) ?? false,
    lastWriteAt: record.lastWriteAt,
    staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    exitedHere: options.exited?.get(record.runDir),
  });
  return {
    runDir: record.runDir,
    name: record.name,
    configFile: record.configFile,
    status,
    stage: p.stage,
    stageNumber: p.stageIndex !== undefined ? p.stageIndex + 1 : undefined,
    stageCount: p.stages.length,
    stageStep: p.stageStep,
    stageSteps: p.stageSteps,
    globalStep: p.globalStep,
    totalSteps: totalSteps(p),
    loss: p.loss,
    best: p.best,
    durationMs: durationMs(p, status, now),
    modelPath: record.models.final ?? record.models.best,
    modelFolders: Object.values(record.models),
    checkpoints: record.checkpoints,
  };
}

/**
 * The folders to scan: each config's `output.dir` and `runsFolder` under each workspace folder. `configs` are
 * config files with their text.
 */
export function runRoots(
  configs: readonly { file: string; text: string }[],
  workspaceFolders: readonly string[],
  runsFolder: string,
): string[] {
  const roots = new Set<string>();
  for (const folder of workspaceFolders) roots.add(resolveFrom(folder, runsFolder || 'runs'));
  for (const { file, text } of configs) {
    const planned = plannedRun(file, text);
    roots.add(planned?.root ?? resolveFrom(dirname(file), 'runs'));
  }
  return [...roots];
}
