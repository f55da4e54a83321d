// A run folder: runs/<name>/ with the resolved config, events.jsonl, checkpoints/ (each written to a temporary
// folder, fsynced, then renamed, with a manifest of SHA-256 hashes written last) and final/. A checkpoint whose
// manifest is missing or whose files do not match it is reported and skipped for the previous good one.
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  parseRunEvent,
  type RunEvent,
  type RunEventPayloads,
  type RunEventType,
} from '../../protocol/events';
import { writeFileAtomic } from '../util/atomicWrite';

/** Appends typed events to events.jsonl (one JSON object per line) and hands each to `listeners`. */
export class EventLog {
  private readonly fd: number;
  readonly listeners: ((event: RunEvent) => void)[] = [];

  constructor(readonly file: string) {
    this.fd = openSync(file, 'a');
  }

  emit<K extends RunEventType>(type: K, payload: RunEventPayloads[K]): RunEvent {
    const event = { type, time: Date.now(), payload } as RunEvent;
    appendFileSync(this.fd, `${JSON.stringify(event)}\n`);
    for (const listener of this.listeners) listener(event);
    return event;
  }

  close(): void {
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }
}

/** Reads events.jsonl, skipping lines that do not parse (a torn last line after a crash). */
export async function readEvents(file: string): Promise<RunEvent[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const events: RunEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const event = parseRunEvent(JSON.parse(line));
      if (event !== undefined) events.push(event);
    } catch {
      // torn line
    }
  }
  return events;
}

const MANIFEST = 'manifest.json';

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes checkpoint `name` under `dir` atomically: temp folder, files, manifest last, then rename. */
export async function writeCheckpoint(
  dir: string,
  name: string,
  files: Map<string, Uint8Array | string>,
): Promise<string> {
  const final = join(dir, name);
  const temp = join(dir, `.${name}.partial`);
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  const manifest: Record<string, string> = {};
  for (const [file, data] of files) {
    await writeFileAtomic(join(temp, file), data);
    manifest[file] = sha256(data);
  }
  await writeFileAtomic(join(temp, MANIFEST), JSON.stringify({ files: manifest }, null, 1));
  await rm(final, { recursive: true, force: true });
  await rename(temp, final);
  return final;
}

/** Verifies a checkpoint folder against its manifest; returns the reason it is unusable, or undefined. */
export async function checkpointProblem(path: string): Promise<string | undefined> {
  let manifest: { files?: Record<string, string> };
  try {
    manifest = JSON.parse(await readFile(join(path, MANIFEST), 'utf8')) as { files?: Record<string, string> };
  } catch {
    return 'no readable manifest.json (the write was interrupted)';
  }
  for (const [file, hash] of Object.entries(manifest.files ?? {})) {
    const data = await readFile(join(path, file)).catch(() => undefined);
    if (data === undefined) return `${file} is missing`;
    if (sha256(data) !== hash) return `${file} does not match its recorded SHA-256 (corrupt or partial)`;
  }
  return undefined;
}

/** Checkpoint folders named step-<N>, newest first. */
export async function listCheckpoints(dir: string): Promise<{ path: string; step: number }[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((n) => ({ n, m: /^step-(\d+)$/.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .map((x) => ({ path: join(dir, x.n), step: Number(x.m[1]) }))
    .sort((a, b) => b.step - a.step);
}

/** Keeps the newest `keep` step checkpoints and deletes older ones. */
export async function pruneCheckpoints(dir: string, keep: number): Promise<void> {
  const all = await listCheckpoints(dir);
  for (const old of all.slice(keep)) await rm(old.path, { recursive: true, force: true });
}
