// The Doctor tab: the run's `doctor.json` (written by `distill-studio doctor` and Diagnose Accuracy Drop): accuracy
// of each stage (teacher, student, ONNX, int8), agreement between consecutive stages, how much of the drop each
// step (distillation, conversion, quantization) caused, and each finding with its fix.
import { barChart } from '../barChart';
import { runColor, type ThemeColors } from '../colors';
import { h } from '../dom';
import { formatFixed, formatInteger, formatPercent, t } from '../i18n';
import type { Store } from '../store';
import { createButton, createDataGrid } from '../toolkit';

/** A drop in accuracy (positive = lost) as signed points. */
export function pointsText(drop: number): string {
  return drop > 0
    ? t('pointsLost', formatFixed(100 * drop, 1))
    : t('pointsGained', formatFixed(100 * Math.abs(drop), 1));
}

export class DoctorTab {
  readonly element: HTMLElement;
  private readonly content = h('div', { class: 'doctor-content', testid: 'doctor-results' });

  constructor(
    private readonly store: Store,
    private readonly theme: () => ThemeColors,
    private readonly command: () => void,
  ) {
    this.element = h('div', { class: 'tab doctor' }, this.content);
  }

  render(): void {
    const run = this.store.primary;
    const report = run?.reports.doctor;
    const problems = run?.reports.problems.filter((p) => p.startsWith('doctor.json')) ?? [];
    const rerun = createButton(t('runDoctor'), () => this.command(), {
      secondary: report !== undefined,
      testId: 'run-doctor',
    });
    if (report === undefined) {
      this.content.replaceChildren(
        h('p', { class: 'empty', testid: 'doctor-empty' }, t('noDoctor')),
        rerun,
        ...problems.map((p) => h('p', { class: 'problem' }, p)),
      );
      return;
    }
    const theme = this.theme();
    const stages = createDataGrid(
      t('stageAccuracy'),
      [t('colStage'), t('colAccuracy'), t('colMacroF1'), t('colMaxLength'), t('colPath')],
      report.stages.map((s) => [
        s.stage,
        formatPercent(s.accuracy),
        formatPercent(s.macroF1),
        formatInteger(s.maxLength),
        s.path,
      ]),
      'doctor-stages',
      [1, 1, 1, 1, 4],
    );
    const accuracyBars = barChart(
      t('stageAccuracy'),
      report.stages.map((s, i) => ({
        label: s.stage,
        bars: [{ name: '', value: s.accuracy, color: runColor(theme, i), text: formatPercent(s.accuracy) }],
      })),
      'doctor-accuracy',
    );
    const agreement =
      report.agreement.length > 0
        ? barChart(
            t('agreementTitle'),
            report.agreement.map((a, i) => ({
              label: t('agreementRow', a.from, a.to),
              bars: [{ name: '', value: a.rate, color: runColor(theme, i + 1), text: formatPercent(a.rate) }],
            })),
            'doctor-agreement',
          )
        : undefined;
    const at = report.attribution;
    const steps = [
      ['attrDistillation', at.distillation],
      ['attrConversion', at.conversion],
      ['attrQuantization', at.quantization],
    ] as const;
    const attribution = h(
      'dl',
      { class: 'attribution', testid: 'doctor-attribution' },
      h('dt', {}, t('attrTotal')),
      h('dd', {}, pointsText(at.total)),
      ...steps.flatMap(([key, drop]) =>
        drop === undefined
          ? []
          : [
              h('dt', {}, t(key)),
              h(
                'dd',
                {},
                `${pointsText(drop)}${at.total > 0 && drop > 0 ? ` · ${t('shareOfDrop', formatPercent(drop / at.total, 0))}` : ''}`,
              ),
            ],
      ),
    );
    const findings =
      report.findings.length === 0
        ? h('p', { class: 'ok', testid: 'doctor-no-findings' }, t('noFindings'))
        : h(
            'ul',
            { class: 'findings', testid: 'doctor-findings' },
            ...report.findings.map((f) => {
              // Not the toolkit's badge/tag: their template sets an inline style attribute, which the CSP refuses.
              const badge = h(
                'span',
                { class: 'severity' },
                t(f.severity === 'error' ? 'severityError' : 'severityWarning'),
              );
              return h(
                'li',
                { class: `finding ${f.severity}` },
                h('div', { class: 'finding-head' }, badge, h('code', {}, f.code), h('span', {}, f.stage)),
                h('p', {}, f.message),
              );
            }),
          );
    this.content.replaceChildren(
      h(
        'p',
        { class: 'provenance' },
        t('doctorMeta', formatInteger(report.n), report.data),
        report.createdAt !== undefined ? ` · ${report.createdAt.slice(0, 19).replace('T', ' ')}` : '',
      ),
      stages,
      h('div', { class: 'bar-charts' }, accuracyBars, agreement),
      h('h3', {}, t('attributionTitle')),
      attribution,
      h('h3', {}, t('findingsTitle')),
      findings,
      rerun,
      ...problems.map((p) => h('p', { class: 'problem' }, p)),
    );
  }
}
