// What a run's events say about it: stage, step, best metric, duration and how its latest attempt ended, folded
// from RunEvents (events.jsonl, or live over IPC), and the status derived from that. Pure: no I/O, no vscode.
import type { EvalMetrics, RunEvent } from '../protocol/events';

/** How the latest attempt (since the last run-start) ended, as far as the events tell. */
export type RunEnding =
  | { kind: 'none' }
  | { kind: 'done'; finalModel: string }
  | { kind: 'error'; message: string }
  /** A `signal` checkpoint ended the attempt: Ctrl+C, SIGTERM or a stop request. */
  | { kind: 'signal'; checkpoint: string };

export interface RunProgress {
  runName: string | undefined;
  backend: string | undefined;
  stages: { name: string; kind: string; steps: number }[];
  stage: string | undefined;
  stageIndex: number | undefined;
  /** Steps done in the current stage. */
  stageStep: number;
  /** Steps the current stage has. */
  stageSteps: number | undefined;
  globalStep: number;
  /** Latest total loss. */
  loss: number | undefined;
  /** Best student evaluation so far. */
  best: EvalMetrics | undefined;
  /** Latest checkpoint. */
  checkpoint: { path: string; globalStep: number; reason: string } | undefined;
  /** Time of the first run-start (ms since the epoch). */
  startedAt: number | undefined;
  /** Time of the latest run-start. */
  attemptStartedAt: number | undefined;
  /** Time of the latest event. */
  lastEventAt: number | undefined;
  /** Milliseconds spent in earlier attempts (each from its run-start to its last event). */
  earlierAttemptsMs: number;
  attempts: number;
  ending: RunEnding;
}

export function emptyProgress(): RunProgress {
  return {
    runName: undefined,
    backend: undefined,
    stages: [],
    stage: undefined,
    stageIndex: undefined,
    stageStep: 0,
    stageSteps: undefined,
    globalStep: 0,
    loss: undefined,
    best: undefined,
    checkpoint: undefined,
    startedAt: undefined,
    attemptStartedAt: undefined,
    lastEventAt: undefined,
    earlierAttemptsMs: 0,
    attempts: 0,
    ending: { kind: 'none' },
  };
}

/** Folds one event into `progress` (mutated and returned). */
export function applyEvent(progress: RunProgress, event: RunEvent): RunProgress {
  const p = progress;
  switch (event.type) {
    case 'run-start': {
      if (p.attemptStartedAt !== undefined && p.lastEventAt !== undefined)
        p.earlierAttemptsMs += Math.max(0, p.lastEventAt - p.attemptStartedAt);
      p.startedAt ??= event.time;
      p.attemptStartedAt = event.time;
      p.attempts += 1;
      p.runName = event.payload.runName;
      p.backend = event.payload.backend;
      p.stages = event.payload.stages;
      p.ending = { kind: 'none' };
      if (event.payload.resumedFrom !== undefined) p.stage = event.payload.resumedFrom.stage;
      break;
    }
    case 'stage-change':
      p.stage = event.payload.stage;
      p.stageIndex = event.payload.index;
      p.stageSteps = event.payload.steps;
      p.stageStep = 0;
      break;
    case 'step':
      p.stage = event.payload.stage;
      p.stageStep = event.payload.step;
      p.globalStep = event.payload.globalStep;
      p.loss = event.payload.losses.total;
      if (p.stageIndex === undefined || p.stages[p.stageIndex]?.name !== event.payload.stage) {
        const index = p.stages.findIndex((s) => s.name === event.payload.stage);
        if (index >= 0) {
          p.stageIndex = index;
          p.stageSteps = p.stages[index]?.steps;
        }
      }
      break;
    case 'eval':
      if (event.payload.model === 'student' && event.payload.best) p.best = event.payload.metrics;
      p.globalStep = Math.max(p.globalStep, event.payload.globalStep);
      break;
    case 'masked-lm-eval':
      p.globalStep = Math.max(p.globalStep, event.payload.globalStep);
      break;
    case 'checkpoint':
      p.checkpoint = {
        path: event.payload.path,
        globalStep: event.payload.globalStep,
        reason: event.payload.reason,
      };
      if (event.payload.reason === 'signal') p.ending = { kind: 'signal', checkpoint: event.payload.path };
      break;
    case 'done':
      p.globalStep = event.payload.globalStep;
      if (event.payload.best !== undefined) p.best = event.payload.best;
      p.ending = { kind: 'done', finalModel: event.payload.finalModel };
      break;
    case 'error':
      p.ending = { kind: 'error', message: event.payload.message };
      break;
    case 'attention-snapshot':
      break;
  }
  p.lastEventAt = Math.max(p.lastEventAt ?? event.time, event.time);
  return p;
}

export function foldEvents(events: Iterable<RunEvent>, into: RunProgress = emptyProgress()): RunProgress {
  for (const event of events) applyEvent(into, event);
  return into;
}

/** Steps of all stages together. */
export function totalSteps(progress: RunProgress): number {
  return progress.stages.reduce((sum, s) => sum + s.steps, 0);
}

export type RunStatus =
  /** `owner`: this window's extension started it, or something else did (a terminal, another window). */
  | { kind: 'running'; owner: 'extension' | 'external' }
  /** `requested`: stopped with a checkpoint; `interrupted`: it went quiet without a final event (killed, crashed). */
  | { kind: 'stopped'; cause: 'requested' | 'interrupted' }
  | { kind: 'failed'; message: string }
  | { kind: 'done'; finalModel: string };

export interface StatusContext {
  now: number;
  /** This extension owns a live trainer process for the run. */
  owned: boolean;
  /** Latest write to the run folder's events.jsonl or run.json (ms since the epoch). */
  lastWriteAt: number | undefined;
  /**
   * A run without a final event counts as running (started elsewhere) while it wrote within this window, and as
   * interrupted after. Set-up (tokenizer training, data loading) writes no events, so keep it generous.
   */
  staleAfterMs: number;
  /**
   * A trainer of this window ran the folder and exited at `at` (ms since the epoch), with `reason` when it
   * failed. Without it, a crash that just happened would look like a run still writing from elsewhere.
   */
  exitedHere?: { at: number; reason: string | undefined } | undefined;
}

/** Derives the status from the folded events plus what the host knows. */
export function deriveStatus(progress: RunProgress, context: StatusContext): RunStatus {
  if (context.owned) return { kind: 'running', owner: 'extension' };
  switch (progress.ending.kind) {
    case 'done':
      return { kind: 'done', finalModel: progress.ending.finalModel };
    case 'error':
      return { kind: 'failed', message: progress.ending.message };
    case 'signal':
      return { kind: 'stopped', cause: 'requested' };
    case 'none': {
      const exited = context.exitedHere;
      // Events written after that exit come from someone else, so they fall through to the time rule.
      if (exited !== undefined && (progress.lastEventAt ?? 0) <= exited.at)
        return exited.reason !== undefined
          ? { kind: 'failed', message: exited.reason }
          : { kind: 'stopped', cause: 'interrupted' };
      const last = Math.max(progress.lastEventAt ?? 0, context.lastWriteAt ?? 0);
      if (last > 0 && context.now - last < context.staleAfterMs)
        return { kind: 'running', owner: 'external' };
      return { kind: 'stopped', cause: 'interrupted' };
    }
  }
}

/** Wall-clock time spent training: every attempt from its run-start to its last event (or `now` while running). */
export function durationMs(progress: RunProgress, status: RunStatus, now: number): number {
  if (progress.attemptStartedAt === undefined) return 0;
  const end = status.kind === 'running' ? now : (progress.lastEventAt ?? progress.attemptStartedAt);
  return progress.earlierAttemptsMs + Math.max(0, end - progress.attemptStartedAt);
}
