// What the scenarios read from disk besides the screen: a run's events.jsonl, and whether the installed
// extension still has the placeholder Open Dashboard (the dashboard webview is issue #7).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeServer } from './codeServer';

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

/** The sentence today's placeholder Open Dashboard shows (src/extension/commands/openDashboardCommand.ts). */
const PLACEHOLDER = 'The dashboard is not built yet';

/**
 * A skip reason while the installed extension still ships the placeholder; undefined once the dashboard has
 * landed, so from then on the dashboard assertions run (and fail if the dashboard does not show what they read).
 */
export function dashboardPlaceholder(server: CodeServer): string | undefined {
  const installed = readdirSync(server.extensionsDir).find((d) =>
    d.startsWith('distill-studio.distill-studio-'),
  );
  if (installed === undefined) return undefined;
  const bundle = join(server.extensionsDir, installed, 'dist', 'extension', 'extension.js');
  return existsSync(bundle) && readFileSync(bundle, 'utf8').includes(PLACEHOLDER)
    ? 'the dashboard webview is not built yet (issue #7): Open Dashboard still opens events.jsonl'
    : undefined;
}
