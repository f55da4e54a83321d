// Words for runs in the Runs view, the status bar and notifications: status, stage, step, metric, duration.
// Pure: the caller passes its translate function (vscode.l10n.t in the extension, identity in tests).
import type { RunProgress, RunStatus } from './runProgress';
import type { RunSummary } from './runRegistry';
import { totalSteps } from './runProgress';

/** vscode.l10n.t's shape: `{0}`-style placeholders. */
export type Translate = (message: string, ...args: (string | number | boolean)[]) => string;

/** Fills `{0}` placeholders without translating (tests, logs). */
export const untranslated: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatPercent(rate: number): string {
  return `${(100 * rate).toFixed(1)}%`;
}

export function statusLabel(status: RunStatus, t: Translate): string {
  switch (status.kind) {
    case 'running':
      return status.owner === 'extension' ? t('running') : t('running (outside this window)');
    case 'stopped':
      return status.cause === 'requested' ? t('stopped') : t('interrupted');
    case 'failed':
      return t('failed');
    case 'done':
      return t('done');
  }
}

/** "distill 2/2 · step 5/8" (stage name, stage number/count, step in stage). */
export function stageText(
  p: Pick<RunSummary, 'stage' | 'stageNumber' | 'stageCount' | 'stageStep' | 'stageSteps'>,
  t: Translate,
): string | undefined {
  if (p.stage === undefined) return undefined;
  const stage = p.stageNumber !== undefined ? `${p.stage} ${p.stageNumber}/${p.stageCount}` : p.stage;
  const step =
    p.stageSteps !== undefined ? t('step {0}/{1}', p.stageStep, p.stageSteps) : t('step {0}', p.stageStep);
  return `${stage} · ${step}`;
}

/** The one-line description beside a run's name in the Runs view. */
export function describeRun(summary: RunSummary, t: Translate): string {
  const parts = [statusLabel(summary.status, t)];
  if (summary.status.kind !== 'done') {
    const stage = stageText(summary, t);
    if (stage !== undefined) parts.push(stage);
  }
  if (summary.best !== undefined) parts.push(t('acc {0}', formatPercent(summary.best.accuracy)));
  if (summary.durationMs > 0) parts.push(formatDuration(summary.durationMs));
  return parts.join(' · ');
}

/** Markdown tooltip lines. */
export function runDetails(summary: RunSummary, t: Translate): string[] {
  const lines = [`**${summary.name}** — ${statusLabel(summary.status, t)}`];
  if (summary.status.kind === 'failed') lines.push(summary.status.message);
  const stage = stageText(summary, t);
  if (stage !== undefined) lines.push(t('Stage: {0}', stage));
  if (summary.totalSteps > 0) lines.push(t('Steps: {0} of {1}', summary.globalStep, summary.totalSteps));
  if (summary.loss !== undefined) lines.push(t('Loss: {0}', summary.loss.toFixed(4)));
  if (summary.best !== undefined)
    lines.push(
      t(
        'Best: accuracy {0}, macro-F1 {1} ({2} examples)',
        formatPercent(summary.best.accuracy),
        formatPercent(summary.best.macroF1),
        summary.best.n,
      ),
    );
  if (summary.durationMs > 0) lines.push(t('Duration: {0}', formatDuration(summary.durationMs)));
  lines.push(t('Checkpoints: {0}', summary.checkpoints));
  lines.push(t('Folder: {0}', summary.runDir));
  if (summary.configFile !== undefined) lines.push(t('Config: {0}', summary.configFile));
  return lines;
}

/** Progress of a live job: message and fraction done (0..1, when the stages are known). */
export function liveProgress(
  p: RunProgress,
  t: Translate,
): { message: string; fraction: number | undefined } {
  const total = totalSteps(p);
  const stage = stageText(
    {
      stage: p.stage,
      stageNumber: p.stageIndex !== undefined ? p.stageIndex + 1 : undefined,
      stageCount: p.stages.length,
      stageStep: p.stageStep,
      stageSteps: p.stageSteps,
    },
    t,
  );
  const parts = [stage ?? t('setting up')];
  if (p.loss !== undefined) parts.push(t('loss {0}', p.loss.toFixed(4)));
  if (p.best !== undefined) parts.push(t('acc {0}', formatPercent(p.best.accuracy)));
  return { message: parts.join(' · '), fraction: total > 0 ? Math.min(1, p.globalStep / total) : undefined };
}
