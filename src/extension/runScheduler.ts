// The runs this extension owns: each job has exactly one trainer process, started at once or queued until a slot
// frees (`distillStudio.maxConcurrentRuns`). A second run on an output folder that is busy (a job here, or a run
// writing from a terminal) is refused with the reason. Pure Node (no vscode): the trainer is injected.
import type { RunEvent } from '../protocol/events';
import type { StopReason } from '../protocol/trainerMessages';
import { Emitter, type Disposable, type Event } from './emitter';
import { applyEvent, emptyProgress, type RunProgress, type RunStatus } from './runProgress';
import type { TrainerExit, TrainerRequest, TrainerState } from './trainerProcess';

/** What the scheduler needs of a trainer process (TrainerProcess; fakes in tests). */
export interface TrainerHandle extends Disposable {
  readonly onEvent: Event<RunEvent>;
  readonly onStateChange: Event<TrainerState>;
  readonly exited: Promise<TrainerExit>;
  readonly runDir: string | undefined;
  stop(reason?: StopReason): Promise<TrainerExit>;
  kill(): void;
}

export type JobState =
  | { kind: 'queued' }
  | { kind: 'running'; trainer: TrainerHandle; stopping: boolean }
  | { kind: 'ended'; exit: TrainerExit }
  /** Removed from the queue before it started. */
  | { kind: 'cancelled' };

export interface JobRequest {
  request: TrainerRequest;
  /** Shown in the UI: the config or run name. */
  label: string;
  /** The output folder the run writes (the planned `<output.dir>/<name>` for train). */
  runDir: string;
  /** The Node.js executable resolved when the run was requested (a queued run starts with it later). */
  nodePath: string;
  /** `--backend` override, undefined to keep the config's. */
  backend?: string | undefined;
}

/** Why a run was not accepted. */
export type Refusal =
  /** This extension already runs or queues a run on that folder. */
  | { kind: 'busy'; runDir: string; label: string; queued: boolean }
  /** Something else (a terminal, another window) is writing a run there. */
  | { kind: 'external'; runDir: string }
  /** The folder holds a run and the config's `output.ifExists` is `error`: resume it instead. */
  | { kind: 'exists'; runDir: string; status: RunStatus };

export type SubmitResult =
  | { kind: 'started'; job: Job }
  | { kind: 'queued'; job: Job; position: number }
  | { kind: 'refused'; refusal: Refusal };

export type JobEnd = { kind: 'ended'; exit: TrainerExit } | { kind: 'cancelled' };

export class Job {
  private static nextId = 1;
  readonly id = Job.nextId++;
  private currentState: JobState = { kind: 'queued' };
  private knownRunDir: string;
  /** Folded from the events received over IPC. */
  readonly progress: RunProgress = emptyProgress();
  private readonly eventEmitter = new Emitter<RunEvent>();
  private readonly changeEmitter = new Emitter<Job>();
  readonly onEvent: Event<RunEvent> = this.eventEmitter.event;
  /** Fires on every state change and event. */
  readonly onDidChange: Event<Job> = this.changeEmitter.event;
  private resolveEnd: (end: JobEnd) => void = () => undefined;
  /** Resolves when the run ends or leaves the queue. */
  readonly ended: Promise<JobEnd> = new Promise((resolve) => (this.resolveEnd = resolve));

  constructor(readonly spec: JobRequest) {
    this.knownRunDir = spec.runDir;
  }

  get state(): JobState {
    return this.currentState;
  }

  get label(): string {
    return this.spec.label;
  }

  /** The run folder: the planned one, replaced by the trainer's once it says (ifExists "new" picks another). */
  get runDir(): string {
    return this.knownRunDir;
  }

  get active(): boolean {
    return this.currentState.kind === 'queued' || this.currentState.kind === 'running';
  }

  /** @internal the scheduler drives the state. */
  attach(trainer: TrainerHandle): void {
    this.setState({ kind: 'running', trainer, stopping: false });
    trainer.onEvent((event) => {
      applyEvent(this.progress, event);
      if (trainer.runDir !== undefined) this.knownRunDir = trainer.runDir;
      this.eventEmitter.fire(event);
      this.changeEmitter.fire(this);
    });
    trainer.onStateChange((state) => {
      if (state.kind === 'stopping' && this.currentState.kind === 'running')
        this.setState({ ...this.currentState, stopping: true });
    });
    void trainer.exited.then((exit) => {
      if (exit.runDir !== undefined) this.knownRunDir = exit.runDir;
      this.finish({ kind: 'ended', exit });
    });
  }

  /** @internal */
  finish(end: JobEnd): void {
    if (!this.active) return;
    this.setState(end);
    this.resolveEnd(end);
    this.eventEmitter.dispose();
    this.changeEmitter.dispose();
  }

  private setState(state: JobState): void {
    this.currentState = state;
    this.changeEmitter.fire(this);
  }
}

export interface SchedulerOptions {
  /** Starts the trainer for a job. */
  launch: (job: Job) => TrainerHandle;
  /** How many runs may train at once (read on every change, so a settings change applies). */
  maxConcurrent: () => number;
}

export class RunScheduler implements Disposable {
  private readonly jobList: Job[] = [];
  private readonly exits = new Map<string, { at: number; reason: string | undefined }>();
  private readonly changeEmitter = new Emitter<Job>();
  /** Fires whenever a job is added, changes state or reports an event. */
  readonly onDidChange: Event<Job> = this.changeEmitter.event;
  private disposed = false;
  /** Set by stopAll: nothing new starts. */
  private draining = false;

  constructor(private readonly options: SchedulerOptions) {}

  /** Jobs that are queued or running, in submission order. */
  get jobs(): readonly Job[] {
    return this.jobList.filter((j) => j.active);
  }

  get running(): Job[] {
    return this.jobList.filter((j) => j.state.kind === 'running');
  }

  get queued(): Job[] {
    return this.jobList.filter((j) => j.state.kind === 'queued');
  }

  /** The active job writing `runDir`, if any. */
  jobFor(runDir: string): Job | undefined {
    return this.jobs.find((j) => samePath(j.runDir, runDir) || samePath(j.spec.runDir, runDir));
  }

  /** Run folders with a live trainer here. */
  ownedRunDirs(): Set<string> {
    return new Set(this.running.flatMap((j) => [j.runDir, j.spec.runDir]));
  }

  /** What the registry needs to know from this window: live trainers, and trainers that have exited. */
  statusOptions(): {
    owned: Set<string>;
    exited: ReadonlyMap<string, { at: number; reason: string | undefined }>;
  } {
    return { owned: this.ownedRunDirs(), exited: this.exits };
  }

  /**
   * Accepts a run (started now or queued) or refuses it. `onDisk` is what the output folder holds now, and
   * `ifExists` the config's `output.ifExists` (train only).
   */
  submit(
    spec: JobRequest,
    onDisk?: { status: RunStatus; ifExists?: 'error' | 'resume' | 'new' },
  ): SubmitResult {
    if (this.disposed) throw new Error('the run scheduler is disposed');
    const busy = this.jobFor(spec.runDir);
    if (busy !== undefined)
      return {
        kind: 'refused',
        refusal: {
          kind: 'busy',
          runDir: spec.runDir,
          label: busy.label,
          queued: busy.state.kind === 'queued',
        },
      };
    if (onDisk?.status.kind === 'running')
      return { kind: 'refused', refusal: { kind: 'external', runDir: spec.runDir } };
    if (spec.request.verb === 'train' && onDisk !== undefined && (onDisk.ifExists ?? 'error') === 'error')
      return { kind: 'refused', refusal: { kind: 'exists', runDir: spec.runDir, status: onDisk.status } };
    const job = new Job(spec);
    this.jobList.push(job);
    this.exits.delete(spec.runDir);
    job.onDidChange((j) => {
      if (j.state.kind === 'ended') {
        const exit = j.state.exit;
        const record = { at: Date.now(), reason: exit.kind === 'failed' ? exit.reason : undefined };
        for (const dir of new Set([j.runDir, j.spec.runDir])) this.exits.set(dir, record);
      }
      this.changeEmitter.fire(j);
      if (!j.active) {
        this.jobList.splice(this.jobList.indexOf(j), 1);
        this.pump();
      }
    });
    this.changeEmitter.fire(job);
    this.pump();
    if (job.state.kind === 'queued') return { kind: 'queued', job, position: this.queued.indexOf(job) + 1 };
    return { kind: 'started', job };
  }

  private pump(): void {
    if (this.disposed || this.draining) return;
    while (this.running.length < Math.max(1, this.options.maxConcurrent())) {
      const next = this.queued[0];
      if (next === undefined) return;
      let trainer: TrainerHandle;
      try {
        trainer = this.options.launch(next);
      } catch (error) {
        next.finish({
          kind: 'ended',
          exit: {
            kind: 'failed',
            reason: (error as Error).message,
            runDir: undefined,
            code: null,
            signal: null,
          },
        });
        continue;
      }
      next.attach(trainer);
    }
  }

  /** Graceful stop of a running job (checkpoint, then kill after the timeout); a queued job just leaves the queue. */
  stop(job: Job, reason: StopReason = 'user'): Promise<JobEnd> {
    const state = job.state;
    if (state.kind === 'queued') job.finish({ kind: 'cancelled' });
    else if (state.kind === 'running') void state.trainer.stop(reason);
    return job.ended;
  }

  /** Stops everything (deactivate): queued jobs are dropped, running ones stop gracefully. */
  async stopAll(reason: StopReason = 'shutdown'): Promise<void> {
    this.draining = true;
    for (const job of this.queued) job.finish({ kind: 'cancelled' });
    try {
      await Promise.all(this.running.map((job) => this.stop(job, reason)));
    } finally {
      this.draining = false;
    }
  }

  dispose(): void {
    void this.stopAll('shutdown');
    this.disposed = true;
    this.changeEmitter.dispose();
  }
}

function samePath(a: string, b: string): boolean {
  return process.platform === 'win32' ? a.toLowerCase() === b.toLowerCase() : a === b;
}
