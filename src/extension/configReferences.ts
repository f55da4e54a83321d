// The files and folders a config names (data, checkpoints, tokenizer), and a set of watchers per config that
// calls back when one of them appears, changes or vanishes. Pure Node: the watchers themselves are injected
// (VS Code's inside the workspace, chokidar outside), so unit tests can drive it.
import { parse } from 'jsonc-parser';
import { watch } from 'chokidar';
import { dirname } from 'node:path';
import { resolveFrom } from '../config/paths';

/** Absolute paths of everything `text` (the config at `configFile`) references, without duplicates. */
export function referencedPaths(configFile: string, text: string): string[] {
  const value: unknown = parse(text, [], { allowTrailingComma: true });
  if (value === null || typeof value !== 'object') return [];
  const config = value as Record<string, unknown>;
  const section = (key: string): Record<string, unknown> => {
    const v = config[key];
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  };
  const found: unknown[] = [];
  const data = section('data');
  found.push(data.train, data.eval, data.test);
  if (Array.isArray(data.unlabelled)) found.push(...(data.unlabelled as unknown[]));
  found.push(section('teacher').checkpoint, section('student').checkpoint, section('tokenizer').path);
  // The output folder too: creating it (the quick fix, or a run) clears its output-dir-missing diagnostic.
  found.push(section('output').dir);
  const corpus = section('tokenizer').corpus;
  if (Array.isArray(corpus)) found.push(...(corpus as unknown[]));
  const baseDir = dirname(configFile);
  const paths = found
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
    .map((p) => resolveFrom(baseDir, p));
  return [...new Set(paths)];
}

export interface Unwatch {
  dispose(): unknown;
}

export interface WatchFactory {
  /** Whether VS Code's watcher covers `path` (it is inside a workspace folder). */
  inWorkspace(path: string): boolean;
  /** Watches `path` (a file or a folder and its direct entries) with VS Code's watcher. */
  watchInWorkspace(path: string, onEvent: () => void): Unwatch;
  /** Watches `path` outside the workspace (chokidar). */
  watchOutside(path: string, onEvent: () => void): Unwatch;
}

/** One set of watchers per config, replaced when its references change and disposed when it closes. */
export class ReferenceWatchers {
  private readonly byConfig = new Map<string, Map<string, Unwatch>>();

  constructor(
    private readonly factory: WatchFactory,
    private readonly onChange: (configKey: string, path: string) => void,
  ) {}

  /** Watches exactly `paths` for `configKey`: new ones are added, ones no longer named are disposed. */
  update(configKey: string, paths: readonly string[]): void {
    const current = this.byConfig.get(configKey) ?? new Map<string, Unwatch>();
    for (const [path, watcher] of current)
      if (!paths.includes(path)) {
        watcher.dispose();
        current.delete(path);
      }
    for (const path of paths) {
      if (current.has(path)) continue;
      const onEvent = (): void => this.onChange(configKey, path);
      current.set(
        path,
        this.factory.inWorkspace(path)
          ? this.factory.watchInWorkspace(path, onEvent)
          : this.factory.watchOutside(path, onEvent),
      );
    }
    this.byConfig.set(configKey, current);
  }

  /** The paths watched for `configKey`. */
  watched(configKey: string): string[] {
    return [...(this.byConfig.get(configKey)?.keys() ?? [])];
  }

  release(configKey: string): void {
    for (const watcher of this.byConfig.get(configKey)?.values() ?? []) watcher.dispose();
    this.byConfig.delete(configKey);
  }

  dispose(): void {
    for (const key of [...this.byConfig.keys()]) this.release(key);
  }
}

/** Watches `path` (which may not exist yet) and the direct entries of a folder there, with chokidar. */
export function chokidarWatch(path: string, onEvent: () => void): Unwatch {
  const watcher = watch(path, { ignoreInitial: true, depth: 1 });
  watcher.on('all', () => onEvent());
  watcher.on('error', () => undefined);
  return { dispose: () => void watcher.close() };
}
