// Messages between the extension host and the trainer child process over Node's IPC channel (fork with
// `serialization: 'advanced'`). One interface per direction maps the message type to its payload; the unions are
// derived from them, and each side checks what arrives once, at the receive point, then trusts it. Run events
// travel as RunEvent, the same records the trainer appends to events.jsonl.
import { parseRunEvent, type RunEvent } from './events';

/** Why the host asks the trainer to stop. */
export type StopReason = 'user' | 'shutdown';

/** How a run ended, as the trainer saw it. */
export type TrainerOutcome = 'done' | 'stopped' | 'failed';

/** Trainer child process -> extension host. */
export interface TrainerToHost {
  /**
   * The handshake: the first message after start. The host compares `protocolVersion` with its own
   * PROTOCOL_VERSION and stops a trainer that speaks another version.
   */
  hello: {
    /** The trainer's PROTOCOL_VERSION. */
    protocolVersion: number;
    /** The trainer's process id (for logs). */
    pid: number;
    /** The verb the trainer runs. */
    verb: 'train' | 'resume';
  };
  /** One run event, exactly as appended to events.jsonl. */
  event: RunEvent;
  /** A stop request arrived: the trainer saves a checkpoint at the next step boundary and exits. */
  stopping: {
    /** The reason the host gave. */
    reason: StopReason;
  };
  /** The last message before the trainer exits. */
  finished: {
    outcome: TrainerOutcome;
    /** The run folder, when the run got far enough to have one. */
    runDir?: string;
    /** The final model folder (outcome `done`). */
    finalModel?: string;
    /** What went wrong (outcome `failed`), in words meant for the user. */
    message?: string;
  };
}

/** Extension host -> trainer child process. */
export interface HostToTrainer {
  /** Save a checkpoint at the next step boundary and stop (the same as Ctrl+C in a terminal). */
  stop: {
    /** Why; the trainer logs it. */
    reason: StopReason;
  };
}

type Union<T> = { [K in keyof T]: { type: K; payload: T[K] } }[keyof T];
export type TrainerToHostMessage = Union<TrainerToHost>;
export type HostToTrainerMessage = Union<HostToTrainer>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function optionalString(record: Record<string, unknown>, key: string): boolean {
  return record[key] === undefined || typeof record[key] === 'string';
}

const STOP_REASONS: readonly string[] = ['user', 'shutdown'] satisfies StopReason[];
const OUTCOMES: readonly string[] = ['done', 'stopped', 'failed'] satisfies TrainerOutcome[];

/**
 * Narrows an untrusted message from the trainer; undefined when it is malformed or of a type this version does
 * not know. `hello` accepts any protocol version so the host can say which one it got.
 */
export function parseTrainerToHost(value: unknown): TrainerToHostMessage | undefined {
  if (!isRecord(value) || !isRecord(value['payload'])) return undefined;
  const p = value['payload'];
  switch (value['type']) {
    case 'hello': {
      const { protocolVersion, pid, verb } = p;
      if (!Number.isInteger(protocolVersion) || !Number.isInteger(pid)) return undefined;
      if (verb !== 'train' && verb !== 'resume') return undefined;
      return {
        type: 'hello',
        payload: { protocolVersion: protocolVersion as number, pid: pid as number, verb },
      };
    }
    case 'event': {
      const event = parseRunEvent(p);
      return event === undefined ? undefined : { type: 'event', payload: event };
    }
    case 'stopping': {
      const reason = p['reason'];
      if (typeof reason !== 'string' || !STOP_REASONS.includes(reason)) return undefined;
      return { type: 'stopping', payload: { reason: reason as StopReason } };
    }
    case 'finished': {
      const outcome = p['outcome'];
      if (typeof outcome !== 'string' || !OUTCOMES.includes(outcome)) return undefined;
      if (!optionalString(p, 'runDir') || !optionalString(p, 'finalModel') || !optionalString(p, 'message'))
        return undefined;
      const payload: TrainerToHost['finished'] = { outcome: outcome as TrainerOutcome };
      if (typeof p['runDir'] === 'string') payload.runDir = p['runDir'];
      if (typeof p['finalModel'] === 'string') payload.finalModel = p['finalModel'];
      if (typeof p['message'] === 'string') payload.message = p['message'];
      return { type: 'finished', payload };
    }
    default:
      return undefined;
  }
}

/** Narrows an untrusted message from the host; undefined when it is malformed or unknown. */
export function parseHostToTrainer(value: unknown): HostToTrainerMessage | undefined {
  if (!isRecord(value) || !isRecord(value['payload'])) return undefined;
  if (value['type'] === 'stop') {
    const reason = value['payload']['reason'];
    if (typeof reason !== 'string' || !STOP_REASONS.includes(reason)) return undefined;
    return { type: 'stop', payload: { reason: reason as StopReason } };
  }
  return undefined;
}

/** A short description of an untrusted value for logs (never the whole thing: it may be large). */
export function describeMessage(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
