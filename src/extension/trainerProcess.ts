// One trainer child process (`dist/trainer/cli.js train|resume`) and its single owner: fork without a shell, an
// IPC channel with the protocol handshake, run events as they happen, stdout/stderr to a log, graceful stop (a stop
// request, the trainer checkpoints) then kill after a timeout. Pure Node (no vscode), so it is tested against the
// real built trainer.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import type { RunEvent } from '../protocol/events';
import {
  describeMessage,
  parseTrainerToHost,
  type HostToTrainerMessage,
  type StopReason,
  type TrainerToHost,
} from '../protocol/trainerMessages';
import { PROTOCOL_VERSION } from '../protocol/version';
import { Emitter, type Disposable, type Event } from './emitter';

export type TrainerRequest = { verb: 'train'; configFile: string } | { verb: 'resume'; runDir: string };

export interface TrainerLaunch {
  /** The Node.js executable (see nodeRuntime.ts). */
  nodePath: string;
  /** Absolute path of the built trainer, dist/trainer/cli.js. */
  cliPath: string;
  request: TrainerRequest;
  /** Working folder; defaults to the config's folder (train) or the run folder (resume). */
  cwd?: string;
  /** `--backend` override; undefined keeps the config's choice. */
  backend?: string;
  /** Extra environment variables for the child. */
  env?: Record<string, string>;
  /** Receives every line the child prints and every protocol problem. */
  log: (line: string) => void;
  /** Milliseconds between a stop request and the kill. Default 60 s: a checkpoint of a large model takes a while. */
  stopTimeoutMs?: number;
  /** Milliseconds to wait for the handshake before giving up on the child. Default 60 s. */
  handshakeTimeoutMs?: number;
}

/** How the child ended. */
export type TrainerExit =
  | { kind: 'done'; runDir: string | undefined; finalModel: string | undefined }
  /** `forced`: it did not stop within the timeout and was killed (the newest checkpoint may be older). */
  | { kind: 'stopped'; runDir: string | undefined; forced: boolean }
  | {
      kind: 'failed';
      reason: string;
      runDir: string | undefined;
      code: number | null;
      signal: NodeJS.Signals | null;
    };

export type TrainerState =
  | { kind: 'starting' }
  | { kind: 'running'; pid: number }
  | { kind: 'stopping'; reason: StopReason }
  | { kind: 'exited'; exit: TrainerExit };

/** The trainer's exit code after a stop (SIGINT convention), see trainCommand.ts. */
const EXIT_STOPPED = 130;
const STDERR_TAIL_LINES = 40;

/** Splits a byte stream into lines for the log. */
function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  let buffer = '';
  return {
    push(chunk) {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) onLine(line.replace(/\r$/, '').replace(/^.*\r/, ''));
    },
    flush() {
      if (buffer !== '') onLine(buffer);
      buffer = '';
    },
  };
}

/** The user-facing reason in the trainer's stderr: its `distill-studio: ...` message, to the end. */
export function reasonFromStderr(lines: readonly string[]): string | undefined {
  const start = lines.findIndex((l) => l.startsWith('distill-studio: '));
  if (start < 0) return undefined;
  return lines
    .slice(start)
    .join('\n')
    .replace(/^distill-studio: /, '')
    .trim();
}

export class TrainerProcess implements Disposable {
  private readonly child: ChildProcess;
  private readonly launch: TrainerLaunch;
  private currentState: TrainerState = { kind: 'starting' };
  private hello: TrainerToHost['hello'] | undefined;
  private finished: TrainerToHost['finished'] | undefined;
  private lastError: string | undefined;
  private protocolProblem: string | undefined;
  private spawnError: string | undefined;
  private readonly stderrTail: string[] = [];
  private pendingStop: StopReason | undefined;
  private stopRequested = false;
  private forced = false;
  private killTimer: ReturnType<typeof setTimeout> | undefined;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  private knownRunDir: string | undefined;
  private readonly eventEmitter = new Emitter<RunEvent>();
  private readonly stateEmitter = new Emitter<TrainerState>();
  /** Every run event received over IPC, in order. */
  readonly onEvent: Event<RunEvent> = this.eventEmitter.event;
  readonly onStateChange: Event<TrainerState> = this.stateEmitter.event;
  /** Resolves once when the child has exited (never rejects). */
  readonly exited: Promise<TrainerExit>;

  constructor(launch: TrainerLaunch) {
    this.launch = launch;
    const { request } = launch;
    const args = request.verb === 'train' ? ['train', request.configFile] : ['resume', request.runDir];
    if (launch.backend !== undefined) args.push('--backend', launch.backend);
    if (request.verb === 'resume') this.knownRunDir = request.runDir;
    const cwd = launch.cwd ?? (request.verb === 'train' ? dirname(request.configFile) : request.runDir);
    launch.log(`$ ${launch.nodePath} ${launch.cliPath} ${args.join(' ')}`);
    this.child = fork(launch.cliPath, args, {
      execPath: launch.nodePath,
      // The extension host's (and a test runner's) own flags must not leak into the trainer.
      execArgv: [],
      cwd,
      env: { ...process.env, ...launch.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const stdout = lineSplitter((line) => launch.log(line));
    const stderr = lineSplitter((line) => {
      launch.log(line);
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
    });
    this.child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    this.child.on('message', (value: unknown) => this.receive(value));
    this.child.on('error', (error) => {
      this.spawnError = error.message;
      launch.log(`trainer process error: ${error.message}`);
    });
    this.handshakeTimer = setTimeout(() => {
      this.protocolProblem = `The trainer did not complete the protocol handshake within ${Math.round((launch.handshakeTimeoutMs ?? 60_000) / 1000)} s. Rebuild the extension (npm run build) or reinstall it.`;
      launch.log(this.protocolProblem);
      this.terminate();
    }, launch.handshakeTimeoutMs ?? 60_000);
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        stdout.flush();
        stderr.flush();
        clearTimeout(this.killTimer);
        clearTimeout(this.handshakeTimer);
        const exit = this.classify(code, signal);
        launch.log(
          `trainer exited (${code !== null ? `code ${code}` : `signal ${signal ?? '?'}`}): ${exit.kind}`,
        );
        this.setState({ kind: 'exited', exit });
        resolve(exit);
        this.eventEmitter.dispose();
        this.stateEmitter.dispose();
      });
    });
  }

  get state(): TrainerState {
    return this.currentState;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The run folder, once known (at once for resume; from run-start or the final message for train). */
  get runDir(): string | undefined {
    return this.knownRunDir;
  }

  /** The handshake, once received. */
  get handshake(): TrainerToHost['hello'] | undefined {
    return this.hello;
  }

  private setState(state: TrainerState): void {
    this.currentState = state;
    this.stateEmitter.fire(state);
  }

  private receive(value: unknown): void {
    const message = parseTrainerToHost(value);
    if (message === undefined) {
      this.launch.log(`ignored a malformed message from the trainer: ${describeMessage(value)}`);
      return;
    }
    if (message.type !== 'hello' && this.hello === undefined) {
      this.launch.log(`ignored a "${message.type}" message that arrived before the handshake`);
      return;
    }
    switch (message.type) {
      case 'hello': {
        if (this.hello !== undefined) {
          this.launch.log('ignored a second handshake');
          return;
        }
        clearTimeout(this.handshakeTimer);
        if (message.payload.protocolVersion !== PROTOCOL_VERSION) {
          this.protocolProblem = `The trainer speaks protocol version ${message.payload.protocolVersion}, this extension version ${PROTOCOL_VERSION}. Rebuild (npm run build) or reinstall the extension so both come from the same version.`;
          this.launch.log(this.protocolProblem);
          this.terminate();
          return;
        }
        this.hello = message.payload;
        this.launch.log(
          `trainer pid ${message.payload.pid}: protocol ${PROTOCOL_VERSION}, ${message.payload.verb}`,
        );
        if (this.currentState.kind === 'starting')
          this.setState({ kind: 'running', pid: message.payload.pid });
        if (this.pendingStop !== undefined)
          this.send({ type: 'stop', payload: { reason: this.pendingStop } });
        return;
      }
      case 'event': {
        const event = message.payload;
        if (event.type === 'run-start') this.knownRunDir = dirname(event.payload.configFile);
        if (event.type === 'error') this.lastError = event.payload.message;
        this.eventEmitter.fire(event);
        return;
      }
      case 'stopping':
        this.launch.log(`the trainer is saving a checkpoint and stopping (${message.payload.reason})`);
        return;
      case 'finished':
        this.finished = message.payload;
        if (message.payload.runDir !== undefined) this.knownRunDir = message.payload.runDir;
        return;
    }
  }

  private send(message: HostToTrainerMessage): boolean {
    if (!this.child.connected) return false;
    this.child.send(message, (error) => {
      if (error) this.launch.log(`could not send "${message.type}" to the trainer: ${error.message}`);
    });
    return true;
  }

  private classify(code: number | null, signal: NodeJS.Signals | null): TrainerExit {
    const runDir = this.knownRunDir;
    const failed = (reason: string): TrainerExit => ({ kind: 'failed', reason, runDir, code, signal });
    if (this.protocolProblem !== undefined) return failed(this.protocolProblem);
    const outcome = this.finished?.outcome;
    if (outcome === 'done' && code === 0)
      return { kind: 'done', runDir, finalModel: this.finished?.finalModel };
    if (outcome === 'stopped' || (code === EXIT_STOPPED && outcome !== 'failed'))
      return { kind: 'stopped', runDir, forced: false };
    if (this.stopRequested && this.forced) return { kind: 'stopped', runDir, forced: true };
    if (this.spawnError !== undefined) return failed(`The trainer could not start: ${this.spawnError}`);
    const reason =
      this.finished?.message ??
      this.lastError ??
      reasonFromStderr(this.stderrTail) ??
      (signal !== null
        ? `The trainer was killed by ${signal}.`
        : `The trainer exited with code ${code ?? '?'}: ${this.stderrTail.slice(-3).join(' ').trim() || 'no message'}`);
    return failed(reason);
  }

  /** Stop without a stop request: SIGTERM (the trainer's signal handler checkpoints), kill after the timeout. */
  private terminate(): void {
    if (this.currentState.kind === 'exited') return;
    this.child.kill('SIGTERM');
    this.armKill();
  }

  private armKill(): void {
    if (this.killTimer !== undefined) return;
    this.killTimer = setTimeout(() => this.kill(), this.launch.stopTimeoutMs ?? 60_000);
  }

  /**
   * Graceful stop: asks the trainer to save a checkpoint and stop (over IPC, else SIGTERM), then kills it when it
   * has not exited within the stop timeout. Resolves with the exit.
   */
  stop(reason: StopReason = 'user'): Promise<TrainerExit> {
    if (this.currentState.kind === 'exited' || this.stopRequested) return this.exited;
    this.stopRequested = true;
    this.setState({ kind: 'stopping', reason });
    if (this.hello === undefined && this.child.connected) {
      // The trainer listens once it has said hello; until then the request waits here.
      this.pendingStop = reason;
    } else if (!this.send({ type: 'stop', payload: { reason } })) {
      this.child.kill('SIGTERM');
    }
    this.armKill();
    return this.exited;
  }

  /** Kills the child at once (no checkpoint). */
  kill(): void {
    if (this.currentState.kind === 'exited') return;
    this.forced = true;
    this.child.kill('SIGKILL');
  }

  /** Stops the child gracefully (deactivate, owner disposed); the kill timer still guarantees it ends. */
  dispose(): void {
    void this.stop('shutdown');
  }
}
