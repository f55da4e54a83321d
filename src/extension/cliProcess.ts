// One-shot CLI verbs (init, export, bench) run as a child process of the extension host: arguments as an array,
// no shell, stdout collected (the `--json` report), stderr to the log, cancellable. Pure Node (no vscode).
import { spawn } from 'node:child_process';

export interface CliRun {
  nodePath: string;
  /** Absolute path of dist/trainer/cli.js. */
  cliPath: string;
  args: string[];
  cwd: string;
  log: (line: string) => void;
  /** Called when the user cancels; the child gets SIGTERM, then SIGKILL after `killAfterMs`. */
  onCancel?: (cancel: () => void) => void;
  killAfterMs?: number;
}

export type CliResult =
  | { kind: 'ok'; code: number; stdout: string; json: unknown }
  | { kind: 'failed'; code: number | null; reason: string; stdout: string }
  | { kind: 'cancelled' };

/** The trainer's `distill-studio: ...` message (to the end), or the last stderr lines. */
function failureReason(stderr: string, code: number | null): string {
  const lines = stderr.split('\n').map((l) => l.trimEnd());
  const start = lines.findIndex((l) => l.startsWith('distill-studio: '));
  if (start >= 0)
    return lines
      .slice(start)
      .join('\n')
      .replace(/^distill-studio: /, '')
      .trim();
  const tail = lines.filter((l) => l !== '').slice(-3);
  return tail.length > 0 ? tail.join('\n') : `exit code ${code ?? '?'}`;
}

/**
 * Runs `node cli.js <args>`. `ok` carries the parsed stdout when it is JSON (`--json` verbs); `failed` carries
 * the trainer's message. Exit code 1 with a JSON report (export that failed verification) is still `ok`, with
 * its code, so the caller can show the report.
 */
export function runCli(run: CliRun): Promise<CliResult> {
  return new Promise((resolve) => {
    run.log(`$ ${run.nodePath} ${run.cliPath} ${run.args.join(' ')}`);
    const child = spawn(run.nodePath, [run.cliPath, ...run.args], {
      cwd: run.cwd,
      shell: false,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let cancelled = false;
    let spawnError: string | undefined;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderr += text;
      for (const line of text.split('\n')) if (line.trim() !== '') run.log(line.replace(/\r/g, ''));
    });
    child.on('error', (error) => (spawnError = error.message));
    run.onCancel?.(() => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      cancelled = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), run.killAfterMs ?? 5000).unref();
    });
    child.on('close', (code) => {
      if (cancelled) return resolve({ kind: 'cancelled' });
      if (spawnError !== undefined)
        return resolve({ kind: 'failed', code, reason: `could not start: ${spawnError}`, stdout });
      let json: unknown = undefined;
      try {
        json = stdout.trim() === '' ? undefined : (JSON.parse(stdout) as unknown);
      } catch {
        json = undefined;
      }
      if (code === 0 || (code === 1 && json !== undefined))
        return resolve({ kind: 'ok', code: code ?? 0, stdout, json });
      resolve({ kind: 'failed', code, reason: failureReason(stderr, code), stdout });
    });
  });
}
