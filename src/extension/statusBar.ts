// Status bar item for the runs this window owns: progress of one run, or a count; hidden when none is active.
// A click opens the dashboard of the single run, or the Runs view when there are several.
import * as vscode from 'vscode';
import { liveProgress } from './runFormat';
import type { RunScheduler } from './runScheduler';

export class RunsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'distillStudio.runs',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly subscription: vscode.Disposable;

  constructor(private readonly scheduler: RunScheduler) {
    this.item.name = vscode.l10n.t('Distill Studio runs');
    this.subscription = scheduler.onDidChange(() => this.update());
    this.update();
  }

  update(): void {
    const t = vscode.l10n.t;
    const running = this.scheduler.running;
    const queued = this.scheduler.queued.length;
    if (running.length === 0 && queued === 0) {
      this.item.hide();
      return;
    }
    const only = running.length === 1 && queued === 0 ? running[0] : undefined;
    if (only !== undefined) {
      const { message, fraction } = liveProgress(only.progress, t);
      const percent = fraction !== undefined ? ` ${Math.floor(fraction * 100)}%` : '';
      this.item.text = `$(sync~spin) ${only.label}${percent}`;
      this.item.tooltip = `${only.label}: ${message}\n${only.runDir}`;
      this.item.command = {
        title: t('Open Dashboard'),
        command: 'distillStudio.openDashboard',
        arguments: [only.runDir],
      };
    } else {
      this.item.text =
        queued > 0
          ? `$(sync~spin) ${t('{0} running, {1} queued', running.length, queued)}`
          : `$(sync~spin) ${t('{0} runs', running.length)}`;
      this.item.tooltip = running.map((j) => `${j.label}: ${liveProgress(j.progress, t).message}`).join('\n');
      this.item.command = { title: t('Show Runs'), command: 'distillStudio.runs.focus' };
    }
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
