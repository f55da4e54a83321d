// Starts (or queues) a training run for Distill Model and Resume Run, explains refusals, and follows the run in a
// cancellable progress notification (cancel = graceful stop with a checkpoint). How it ended is reported with
// the next step: export a finished model, resume a stopped or crashed run, read the log of a failure.
import * as vscode from 'vscode';
import { nodeOrExplain } from './nodeCheck';
import { formatPercent, liveProgress, statusLabel } from './runFormat';
import { DEFAULT_STALE_AFTER_MS, summarize } from './runRegistry';
import type { Job, JobRequest } from './runScheduler';
import type { Services } from './services';
import { backendArgument, readSettings } from './settings';
import type { TrainerRequest } from './trainerProcess';

export interface RunTarget {
  request: TrainerRequest;
  label: string;
  /** The output folder it writes. */
  runDir: string;
  /** The config's output.ifExists (train only). */
  ifExists?: 'error' | 'resume' | 'new';
}

/** Submits a run; returns the job, or undefined when it was refused (the user has been told why). */
export async function startRun(s: Services, target: RunTarget): Promise<Job | undefined> {
  const t = vscode.l10n.t;
  const nodePath = await nodeOrExplain(s.log);
  if (nodePath === undefined) return undefined;
  const record = await s.runs.registry.readRun(target.runDir);
  const onDisk =
    record !== undefined
      ? {
          status: summarize(record, s.scheduler.statusOptions()).status,
          ...(target.ifExists !== undefined ? { ifExists: target.ifExists } : {}),
        }
      : undefined;
  const spec: JobRequest = {
    request: target.request,
    label: target.label,
    runDir: target.runDir,
    nodePath,
    backend: backendArgument(readSettings()),
  };
  const result = s.scheduler.submit(spec, onDisk);
  if (result.kind === 'refused') {
    const r = result.refusal;
    switch (r.kind) {
      case 'busy': {
        const showRuns = t('Show Runs');
        const choice = await vscode.window.showWarningMessage(
          r.queued
            ? t(
                '"{0}" is already queued to write {1}. A second run on the same output folder is refused: it would overwrite the first one’s checkpoints.',
                r.label,
                r.runDir,
              )
            : t(
                '"{0}" is already running in {1}. A second run on the same output folder is refused: it would overwrite the first one’s checkpoints. Stop it first, or give the config another name.',
                r.label,
                r.runDir,
              ),
          showRuns,
        );
        if (choice === showRuns) void vscode.commands.executeCommand('distillStudio.runs.focus');
        break;
      }
      case 'external':
        void vscode.window.showWarningMessage(
          t(
            '{0} is being written by a run started outside this window (a terminal?). A second run on the same output folder is refused; stop that one first (Ctrl+C saves a checkpoint). A run that crashed counts as interrupted {1} minutes after its last event.',
            r.runDir,
            DEFAULT_STALE_AFTER_MS / 60_000,
          ),
        );
        break;
      case 'exists': {
        const resume = t('Resume');
        const choice = await vscode.window.showWarningMessage(
          t(
            '{0} already holds a run ({1}). Resume it to continue, or set "output.ifExists" to "new" in the config to start a fresh numbered folder.',
            r.runDir,
            statusLabel(r.status, t),
          ),
          resume,
        );
        if (choice === resume) void vscode.commands.executeCommand('distillStudio.resumeRun', r.runDir);
        break;
      }
    }
    return undefined;
  }
  if (result.kind === 'queued')
    void vscode.window.showInformationMessage(
      t(
        '"{0}" is queued (position {1}). It starts when a running distillation ends (setting distillStudio.maxConcurrentRuns).',
        target.label,
        result.position,
      ),
    );
  void follow(s, result.job);
  // The dashboard follows the run live (over IPC) from its first event.
  void vscode.commands.executeCommand('distillStudio.openDashboard', result.job.runDir);
  return result.job;
}

/** A progress notification for the job until it ends; cancel asks for a graceful stop. */
function follow(s: Services, job: Job): Thenable<void> {
  const t = vscode.l10n.t;
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: t('Distilling {0}', job.label),
      cancellable: true,
    },
    async (progress, token) => {
      token.onCancellationRequested(() => {
        if (job.state.kind === 'running')
          progress.report({ message: t('saving a checkpoint, then stopping…') });
        void s.scheduler.stop(job);
      });
      let reported = 0;
      const report = (): void => {
        if (job.state.kind === 'queued') {
          progress.report({ message: t('waiting in the queue') });
          return;
        }
        if (job.state.kind === 'running' && job.state.stopping) {
          progress.report({ message: t('saving a checkpoint, then stopping…') });
          return;
        }
        const { message, fraction } = liveProgress(job.progress, t);
        const percent = fraction !== undefined ? Math.floor(fraction * 100) : reported;
        progress.report({ message, increment: Math.max(0, percent - reported) });
        reported = Math.max(reported, percent);
      };
      report();
      const subscription = job.onDidChange(report);
      const end = await job.ended;
      subscription.dispose();
      void showOutcome(s, job, end);
    },
  );
}

async function showOutcome(s: Services, job: Job, end: Awaited<Job['ended']>): Promise<void> {
  const t = vscode.l10n.t;
  void s.runs.refresh();
  if (end.kind === 'cancelled') {
    void vscode.window.showInformationMessage(t('"{0}" was removed from the queue.', job.label));
    return;
  }
  const exit = end.exit;
  const resume = t('Resume');
  const showLog = t('Show Log');
  const runDir = exit.runDir ?? job.runDir;
  let choice: string | undefined;
  switch (exit.kind) {
    case 'done': {
      const best = job.progress.best;
      const exportOnnx = t('Export to ONNX');
      choice = await vscode.window.showInformationMessage(
        best !== undefined
          ? t(
              '"{0}" finished: best accuracy {1}. The model is in {2}.',
              job.label,
              formatPercent(best.accuracy),
              exit.finalModel ?? runDir,
            )
          : t('"{0}" finished. The model is in {1}.', job.label, exit.finalModel ?? runDir),
        exportOnnx,
      );
      if (choice === exportOnnx) void vscode.commands.executeCommand('distillStudio.exportOnnx', runDir);
      return;
    }
    case 'stopped':
      choice = exit.forced
        ? await vscode.window.showWarningMessage(
            t(
              '"{0}" did not stop within {1} s and was killed. Resume continues from its newest good checkpoint.',
              job.label,
              readSettings().stopTimeoutSeconds,
            ),
            resume,
            showLog,
          )
        : await vscode.window.showInformationMessage(
            t('"{0}" stopped with a checkpoint. Resume continues from it.', job.label),
            resume,
          );
      break;
    case 'failed': {
      const canResume = (await s.runs.registry.readRun(runDir)) !== undefined;
      const actions = canResume ? [showLog, resume] : [showLog];
      choice = await vscode.window.showErrorMessage(
        t('"{0}" failed: {1}', job.label, exit.reason),
        ...actions,
      );
      break;
    }
  }
  if (choice === resume) void vscode.commands.executeCommand('distillStudio.resumeRun', runDir);
  else if (choice === showLog) s.log.show(true);
}
