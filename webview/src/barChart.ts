// Horizontal bar charts in plain DOM (the attention loss per layer pair, latency, throughput, size, accuracy): a
// handful of labelled bars, grouped when a row has several (p50/p90/p99). uPlot draws time series; its core has no
// grouped categorical bars (that is a demo plugin), and a dozen divs are crisper, themeable through CSS variables
// and readable by screen readers without a canvas fallback.
import { cssRgb, type Rgb } from './colors';
import { h } from './dom';

export interface Bar {
  /** Series name within the group (p50), or empty. */
  name: string;
  value: number;
  color: Rgb;
  text: string;
}

export interface BarRow {
  label: string;
  bars: Bar[];
}

export function barChart(title: string, rows: readonly BarRow[], testId: string, note?: string): HTMLElement {
  const max = Math.max(
    0,
    ...rows.flatMap((r) => r.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0))),
  );
  const list = h('div', { class: 'bars', role: 'list' });
  for (const row of rows) {
    const bars = h('div', { class: 'bar-group' });
    for (const bar of row.bars) {
      const fill = h('span', { class: 'bar-fill' });
      fill.style.width = `${max > 0 && Number.isFinite(bar.value) ? Math.max(0.5, (100 * Math.max(0, bar.value)) / max) : 0}%`;
      fill.style.background = cssRgb(bar.color);
      bars.append(
        h(
          'div',
          { class: 'bar' },
          h('span', { class: 'bar-track' }, fill),
          h('span', { class: 'bar-text' }, bar.name !== '' ? `${bar.name} ${bar.text}` : bar.text),
        ),
      );
    }
    const description = row.bars.map((b) => (b.name !== '' ? `${b.name} ${b.text}` : b.text)).join(', ');
    list.append(
      h(
        'div',
        { class: 'bar-row', role: 'listitem', 'aria-label': `${row.label}: ${description}` },
        h('span', { class: 'bar-label', title: row.label }, row.label),
        bars,
      ),
    );
  }
  return h(
    'figure',
    { class: 'bar-chart', testid: testId },
    h('figcaption', {}, title),
    list,
    note !== undefined ? h('p', { class: 'note' }, note) : undefined,
  );
}
