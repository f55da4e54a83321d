// The built CLI (bin/distill-studio.js over dist/trainer/cli.js) under plain node, as users and the extension run
// it, and the events a run folder recorded, each checked against the shared protocol.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseRunEvent, type RunEvent } from '../../src/protocol/events';

export const BIN = resolve('bin/distill-studio.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], cwd = process.cwd(), timeoutMs = 240_000): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every line of `<runDir>/events.jsonl`, each a valid event (the test fails on one that is not). */
export function runEvents(runDir: string): RunEvent[] {
  return readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const event = parseRunEvent(JSON.parse(l));
      assert.ok(event, `not a valid event: ${l.slice(0, 200)}`);
      return event;
    });
}
