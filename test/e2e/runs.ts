// What the scenarios read from disk besides the screen: a run's events.jsonl.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EventLine {
  type: string;
  payload: Record<string, unknown>;
}

/** The run's events (torn or foreign lines skipped, as every reader does). */
export function readEvents(runDir: string): EventLine[] {
  const file = join(runDir, 'events.jsonl');
  if (!existsSync(file)) return [];
  const events: EventLine[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const value = JSON.parse(line) as unknown;
      if (value !== null && typeof value === 'object' && 'type' in value && 'payload' in value)
        events.push(value as EventLine);
    } catch {
      // a torn last line
    }
  }
  return events;
}
