// The trainer's end of the IPC channel to the extension host, present only when the process was forked with one
// (`process.send` exists). Posts the protocol handshake and every RunEvent, and turns a stop request from the host
// (or the host going away) into the same stop flag SIGINT sets, so the loop saves a checkpoint and stops.
import type { RunEvent } from '../protocol/events';
import {
  describeMessage,
  parseHostToTrainer,
  type TrainerToHost,
  type TrainerToHostMessage,
} from '../protocol/trainerMessages';
import { PROTOCOL_VERSION } from '../protocol/version';

export interface HostChannel {
  /** Posts one run event. */
  event(event: RunEvent): void;
  /** Posts the outcome and detaches (the channel then no longer keeps the process alive). */
  finish(outcome: TrainerToHost['finished']): void;
}

/**
 * Connects to the host when there is an IPC channel; undefined otherwise (a terminal run). `stop` is the flag the
 * training loop polls at step boundaries.
 */
export function connectToHost(
  verb: 'train' | 'resume',
  stop: { requested: boolean },
  log: (line: string) => void,
): HostChannel | undefined {
  const send = process.send?.bind(process);
  if (send === undefined || !process.connected) return undefined;
  const post = (message: TrainerToHostMessage): void => {
    // A host that went away cannot be told; the run folder still records everything.
    if (process.connected) send(message, undefined, {}, () => undefined);
  };
  const onMessage = (value: unknown): void => {
    const message = parseHostToTrainer(value);
    if (message === undefined) {
      log(`ignored a malformed message from the host: ${describeMessage(value)}`);
      return;
    }
    if (message.type === 'stop') {
      if (!stop.requested)
        log(`stop requested (${message.payload.reason}): saving a checkpoint, then stopping`);
      stop.requested = true;
      post({ type: 'stopping', payload: { reason: message.payload.reason } });
    }
  };
  // Without its host nobody watches the run: stop cleanly with a checkpoint rather than train unobserved.
  const onDisconnect = (): void => {
    if (!stop.requested) log('the host disconnected: saving a checkpoint, then stopping');
    stop.requested = true;
  };
  process.on('message', onMessage);
  process.on('disconnect', onDisconnect);
  post({ type: 'hello', payload: { protocolVersion: PROTOCOL_VERSION, pid: process.pid, verb } });
  let open = true;
  return {
    event: (event) => {
      if (open) post({ type: 'event', payload: event });
    },
    finish: (outcome) => {
      if (!open) return;
      open = false;
      post({ type: 'finished', payload: outcome });
      // With no listeners left the channel is unreferenced, so the process exits once the message is written.
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
    },
  };
}
