// Dashboard webview entry: registers the UI components, checks every host message once on receipt, and hands it
// to the dashboard. Messages that fail the check are dropped with a console warning (the host logs its own side).
import { parseHostToWebview } from '../../src/protocol/webviewMessages';
import { Dashboard, type VsCodeApi } from './dashboard';
import './styles.css';
import { registerToolkit } from './toolkit';

declare function acquireVsCodeApi(): VsCodeApi;

registerToolkit();
const root = document.getElementById('app');
if (root !== null) {
  const dashboard = new Dashboard(acquireVsCodeApi(), root);
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = parseHostToWebview(event.data);
    if (message === undefined) {
      console.warn('distill-studio dashboard: ignored a malformed message', event.data);
      return;
    }
    dashboard.receive(message);
  });
  // Exposed for the render test and the render benchmark (read-only counters; no data flows through it).
  (window as unknown as { distillDashboard: Dashboard }).distillDashboard = dashboard;
  dashboard.start();
}
