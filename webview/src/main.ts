// Dashboard webview entry: registers the UI components, says ready, and renders the host's snapshots.
// The loss-curve, attention, benchmark and doctor tabs arrive with the dashboard issue.
import { parseHostToWebview } from '../../src/protocol/webviewMessages';
import { PROTOCOL_VERSION } from '../../src/protocol/version';
import { registerToolkit } from './toolkit';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

registerToolkit();
const vscode = acquireVsCodeApi();
const status = document.getElementById('status');

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostToWebview(event.data);
  if (message === undefined || status === null) return;
  status.textContent = message.payload.runName ?? 'No run selected.';
});

vscode.postMessage({ type: 'ready', payload: { protocolVersion: PROTOCOL_VERSION } });
