// Messages between the extension host and the dashboard webview. One interface per direction maps the message
// type to its payload; the unions are derived from them, and each side checks what arrives once, on receipt.
import { PROTOCOL_VERSION } from './version';

/** Webview -> extension host. */
export interface WebviewToHost {
  /** The page has loaded and wants a full snapshot. */
  ready: { protocolVersion: number };
}

/** Extension host -> webview. */
export interface HostToWebview {
  /** Everything the dashboard shows, sent on ready and when the panel becomes visible again. */
  snapshot: { protocolVersion: number; runName: string | undefined };
}

type Union<T> = { [K in keyof T]: { type: K; payload: T[K] } }[keyof T];
export type WebviewToHostMessage = Union<WebviewToHost>;
export type HostToWebviewMessage = Union<HostToWebview>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Narrows an untrusted message from the webview; undefined when it is not one this version knows. */
export function parseWebviewToHost(value: unknown): WebviewToHostMessage | undefined {
  if (!isRecord(value) || !isRecord(value['payload'])) return undefined;
  if (value['type'] === 'ready' && value['payload']['protocolVersion'] === PROTOCOL_VERSION) {
    return { type: 'ready', payload: { protocolVersion: PROTOCOL_VERSION } };
  }
  return undefined;
}

/** Narrows an untrusted message from the host. */
export function parseHostToWebview(value: unknown): HostToWebviewMessage | undefined {
  if (!isRecord(value) || !isRecord(value['payload'])) return undefined;
  const payload = value['payload'];
  if (value['type'] === 'snapshot' && payload['protocolVersion'] === PROTOCOL_VERSION) {
    const runName = payload['runName'];
    if (runName !== undefined && typeof runName !== 'string') return undefined;
    return { type: 'snapshot', payload: { protocolVersion: PROTOCOL_VERSION, runName } };
  }
  return undefined;
}
