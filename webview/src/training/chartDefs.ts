// Which charts the Training tab shows, in what order, from what the shown runs recorded: one per loss term (total
// first), learning rate, samples/s, task evaluations, and masked-LM evaluations of pre-training stages. Pure.
import type { DashboardStringKey } from '../../../src/protocol/dashboardStrings';
import { formatFixed, t } from '../i18n';

export interface ChartDef {
  key: string;
  title: string;
  /** A step column, an eval metric, or a masked-LM evaluation (pre-training distillation stages). */
  source:
    | { column: string; smooth: boolean }
    | { metric: 'accuracy' | 'macroF1' }
    | { maskedLm: 'agreement' | 'accuracy' };
  format?: (y: number) => string;
}

const LOSS_TITLES: Record<string, DashboardStringKey> = {
  total: 'chartLossTotal',
  softLabel: 'chartLossSoftLabel',
  hardLabel: 'chartLossHardLabel',
  hidden: 'chartLossHidden',
  attention: 'chartLossAttention',
  embedding: 'chartLossEmbedding',
  featureMap: 'chartLossFeatureMap',
  maskedLm: 'chartLossMaskedLm',
};
const LOSS_ORDER = Object.keys(LOSS_TITLES);

/** The charts the shown runs have data for, in a fixed order (total first, evals last). */
export function chartDefs(
  columns: ReadonlySet<string>,
  hasEvals: boolean,
  hasMaskedLmEvals = false,
): ChartDef[] {
  const defs: ChartDef[] = [];
  const losses = [...columns].filter((c) => c.startsWith('loss.')).map((c) => c.slice(5));
  losses.sort((a, b) => {
    const ia = LOSS_ORDER.indexOf(a);
    const ib = LOSS_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  for (const term of losses) {
    const titleKey = LOSS_TITLES[term];
    defs.push({
      key: `loss-${term}`,
      title: titleKey !== undefined ? t(titleKey) : t('chartLossOther', term),
      source: { column: `loss.${term}`, smooth: true },
    });
  }
  if (columns.has('learningRate'))
    defs.push({
      key: 'learning-rate',
      title: t('chartLearningRate'),
      source: { column: 'learningRate', smooth: false },
    });
  if (columns.has('samplesPerSecond'))
    defs.push({
      key: 'samples-per-second',
      title: t('chartSamplesPerSecond'),
      source: { column: 'samplesPerSecond', smooth: true },
    });
  const pct = (y: number): string => `${formatFixed(100 * y, 1)}%`;
  if (hasEvals) {
    defs.push({
      key: 'eval-accuracy',
      title: t('chartEvalAccuracy'),
      source: { metric: 'accuracy' },
      format: pct,
    });
    defs.push({
      key: 'eval-macro-f1',
      title: t('chartEvalMacroF1'),
      source: { metric: 'macroF1' },
      format: pct,
    });
  }
  if (hasMaskedLmEvals) {
    // Task metrics mean nothing in pre-training distillation; these say whether the student learns the teacher's
    // masked-token predictions (agreement) and how close it gets to the teacher's own accuracy.
    defs.push({
      key: 'mlm-agreement',
      title: t('chartMaskedLmAgreement'),
      source: { maskedLm: 'agreement' },
      format: pct,
    });
    defs.push({
      key: 'mlm-accuracy',
      title: t('chartMaskedLmAccuracy'),
      source: { maskedLm: 'accuracy' },
      format: pct,
    });
  }
  return defs;
}
