// The Attention tab: for the selected snapshot and probe sentence, teacher, student and student - teacher heatmaps
// side by side for each mapped layer pair (or one pair), per head or averaged over heads, tokens on both axes, a
// diverging scale for the difference and a readout of the cell under the cursor. A slider (and Play) walks the
// snapshots taken during training; bars give the attention distance per layer pair at this snapshot and a line
// per pair follows it across all snapshots. Long inputs show a window of tokens that slides along both axes.
import type { AttentionMapData } from '../../../src/protocol/dashboard';
import type { AttentionIndexEntry } from '../../../src/protocol/runHistory';
import { barChart } from '../barChart';
import { cssRgb, diverging, mix, runColor, sequential, type ThemeColors } from '../colors';
import { h, slider } from '../dom';
import { formatFixed, formatInteger, formatValue, t } from '../i18n';
import type { Store } from '../store';
import { createButton, createDropdown } from '../toolkit';
import { LineChart } from '../training/lineChart';
import type { UiState } from '../uiState';
import {
  alignHeads,
  attentionDistance,
  cropMap,
  difference,
  maxAbs,
  normalizeDiff,
  probeText,
  selectHead,
  tokenWindow,
  type Distance,
  type HeadMaps,
} from './attentionMath';
import { cellSize, Heatmap, type HeatmapCell } from './heatmap';

const pairKey = (m: { teacherLayer: number; studentLayer: number }): string =>
  `${m.teacherLayer}:${m.studentLayer}`;

interface PairView {
  element: HTMLElement;
  maps: Heatmap[];
}

export class AttentionTab {
  readonly element: HTMLElement;
  private readonly snapshot: ReturnType<typeof slider>;
  private readonly play: HTMLElement;
  private readonly probe = createDropdown<string>(
    'probe',
    t('probe'),
    (v) => this.set((s) => (s.attention.probe = Number(v))),
    'probe',
  );
  private readonly pair = createDropdown<string>(
    'pair',
    t('layerPair'),
    (v) => this.set((s) => (s.attention.pair = v)),
    'layer-pair',
  );
  private readonly head = createDropdown<string>(
    'head',
    t('heads'),
    (v) => this.set((s) => (s.attention.head = v === 'mean' ? 'mean' : Number(v))),
    'head',
  );
  private readonly diffScale = createDropdown<string>(
    'diff-scale',
    t('diffScale'),
    (v) => this.set((s) => (s.attention.diffScale = Number(v))),
    'diff-scale',
  );
  private readonly distance = createDropdown<string>(
    'distance',
    t('distance'),
    (v) => this.set((s) => (s.attention.distance = v as UiState['attention']['distance'])),
    'distance',
  );
  private readonly windowSize = createDropdown<string>(
    'window-size',
    t('windowSize'),
    (v) => this.set((s) => (s.attention.windowSize = Number(v))),
    'window-size',
  );
  private readonly windowStart: ReturnType<typeof slider>;
  private readonly status = h('p', { class: 'status', role: 'status', testid: 'attention-status' });
  private readonly notes = h('p', { class: 'note' });
  private readonly readout = h('p', { class: 'readout', 'aria-live': 'polite', testid: 'attention-readout' });
  private readonly maps = h('div', { class: 'pairs', testid: 'attention-maps' });
  private readonly bars = h('div', { class: 'layer-bars' });
  private readonly convergence = new LineChart('attention-convergence', t('convergenceTitle'));
  private readonly empty = h('p', { class: 'empty', testid: 'attention-empty' }, t('noAttention'));
  private readonly body: HTMLElement;
  private timer: ReturnType<typeof setInterval> | undefined;
  private token = 0;
  private pairViews: PairView[] = [];
  /** Distances per snapshot id and pair key, for the convergence chart. */
  private readonly distances = new Map<string, Map<number, Map<string, number>>>();
  private loadingAll = false;

  constructor(
    private readonly store: Store,
    private readonly state: () => UiState,
    private readonly save: (change: (s: UiState) => void) => void,
    private readonly theme: () => ThemeColors,
  ) {
    this.snapshot = slider('snapshot', t('snapshot'), 0, 0, 1, 0, (v) => this.pick(v), 'snapshot-slider');
    this.windowStart = slider(
      'window-start',
      t('tokens'),
      0,
      0,
      1,
      0,
      (v) => this.set((s) => (s.attention.windowStart = v)),
      'window-start',
    );
    this.play = createButton(t('play'), () => this.togglePlay(), { secondary: true, testId: 'play' });
    const controls = h(
      'div',
      { class: 'controls', role: 'toolbar', 'aria-label': t('tabAttention') },
      this.snapshot.element,
      this.play,
      this.probe.element,
      this.pair.element,
      this.head.element,
      this.diffScale.element,
      this.distance.element,
      this.windowSize.element,
      this.windowStart.element,
    );
    this.body = h(
      'div',
      {},
      controls,
      this.status,
      this.notes,
      this.readout,
      this.maps,
      h('div', { class: 'attention-summary' }, this.bars, this.convergence.element),
    );
    this.element = h('div', { class: 'tab attention' }, this.empty, this.body);
  }

  private set(change: (s: UiState) => void): void {
    this.save(change);
    this.render();
  }

  private entries(): AttentionIndexEntry[] {
    return this.store.primary?.history.attention ?? [];
  }

  private selectedIndex(entries: readonly AttentionIndexEntry[]): number {
    const step = this.state().attention.step;
    if (step === undefined) return entries.length - 1;
    const i = entries.findIndex((e) => e.globalStep >= step);
    return i < 0 ? entries.length - 1 : i;
  }

  private pick(index: number): void {
    const entries = this.entries();
    const entry = entries[index];
    this.set(
      (s) =>
        (s.attention.step =
          index >= entries.length - 1 || entry === undefined ? undefined : entry.globalStep),
    );
  }

  private togglePlay(): void {
    if (this.timer !== undefined) {
      this.stop();
      return;
    }
    const entries = this.entries();
    if (this.selectedIndex(entries) >= entries.length - 1) this.pick(0);
    this.play.textContent = t('pause');
    this.timer = setInterval(() => {
      const all = this.entries();
      const next = this.selectedIndex(all) + 1;
      if (next >= all.length) this.stop();
      else this.pick(next);
    }, 700);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.play.textContent = t('play');
  }

  render(): void {
    const run = this.store.primary;
    const entries = this.entries();
    this.empty.hidden = entries.length > 0;
    this.body.hidden = entries.length === 0;
    if (run === undefined || entries.length === 0) return;
    const st = this.state().attention;
    const index = this.selectedIndex(entries);
    const entry = entries[index];
    if (entry === undefined) return;
    this.snapshot.input.max = String(entries.length - 1);
    this.snapshot.input.value = String(index);
    const text = t('snapshotOf', formatInteger(entry.globalStep), entry.stage, index + 1, entries.length);
    this.snapshot.output.textContent = text;
    this.snapshot.input.setAttribute('aria-valuetext', text);

    const probes = entry.probes;
    const probe = probes.find((p) => p.probe === st.probe) ?? probes[0];
    if (probe === undefined) return;
    this.probe.setOptions(
      probes.map((p) => ({
        value: String(p.probe),
        label: probeText(p.tokens).slice(0, 80) || `#${p.probe + 1}`,
      })),
      String(probe.probe),
    );
    const pairs = entry.pairs.filter((p) => p.probe === probe.probe);
    const pairOptions = [
      { value: 'all', label: t('allPairs') },
      ...pairs.map((p) => ({ value: pairKey(p), label: t('pairLabel', p.teacherLayer, p.studentLayer) })),
    ];
    const pairValue = pairOptions.some((o) => o.value === st.pair) ? st.pair : 'all';
    this.pair.setOptions(pairOptions, pairValue);
    const heads = Math.max(1, ...pairs.map((p) => Math.min(p.teacherHeads, p.studentHeads)));
    const headValue = st.head === 'mean' || st.head >= heads ? 'mean' : String(st.head);
    this.head.setOptions(
      [
        { value: 'mean', label: t('headMean', heads) },
        ...Array.from({ length: heads }, (_, i) => ({ value: String(i), label: t('headN', i + 1) })),
      ],
      headValue,
    );
    this.diffScale.setOptions(
      [
        { value: '0', label: t('diffAuto') },
        ...[1, 0.5, 0.2, 0.1, 0.05].map((v) => ({ value: String(v), label: `±${formatValue(v)}` })),
      ],
      String(st.diffScale),
    );
    const trained: Distance = entry.loss === 'kl' ? 'kl' : 'mse';
    const distance: Distance = st.distance === 'auto' ? trained : st.distance;
    this.distance.setOptions(
      [
        {
          value: 'auto',
          label: `${t(trained === 'kl' ? 'distanceKl' : 'distanceMse')} (${entry.loss ?? 'mse'})`,
        },
        { value: 'mse', label: t('distanceMse') },
        { value: 'kl', label: t('distanceKl') },
      ],
      st.distance,
    );
    const total = probe.tokens.length;
    const windowOptions = [32, 48, 64, 128]
      .filter((n) => n < total)
      .map((n) => ({ value: String(n), label: String(n) }));
    this.windowSize.setOptions(
      [...windowOptions, { value: '0', label: t('windowAll') }],
      windowOptions.some((o) => o.value === String(st.windowSize)) ? String(st.windowSize) : '0',
    );
    this.windowSize.element.hidden = windowOptions.length === 0;
    const size = st.windowSize > 0 && st.windowSize < total ? st.windowSize : total;
    const win = tokenWindow(total, st.windowStart, size);
    this.windowStart.input.max = String(Math.max(0, total - size));
    this.windowStart.input.value = String(win.start);
    this.windowStart.output.textContent = t('tokensShown', win.start + 1, win.end, total);
    this.windowStart.element.hidden = size >= total;
    this.notes.textContent = [
      entry.headMapping !== undefined ? t('headMappingNote', entry.headMapping) : t('headMappingUnknown'),
      t('distanceNote', entry.loss ?? 'mse'),
    ].join(' ');

    const token = ++this.token;
    const loaded = this.store.hasMaps(run.id, entry.id);
    if (!loaded) this.status.textContent = t('attnLoading');
    void this.store.attentionMaps(run.id, entry.id).then((result) => {
      if (token !== this.token) return;
      if ('error' in result) {
        this.status.textContent = t('attnError', result.error);
        return;
      }
      this.status.textContent = '';
      const shown = pairValue === 'all' ? pairs : pairs.filter((p) => pairKey(p) === pairValue);
      const maps = result.filter(
        (m) => m.probe === probe.probe && shown.some((p) => pairKey(p) === pairKey(m)),
      );
      this.drawPairs(maps, st.head === 'mean' || st.head >= heads ? 'mean' : st.head, win, st.diffScale);
      this.drawBars(result, distance);
      this.noteDistances(run.id, entry.id, result, distance);
      this.drawConvergence(run.id, entries, distance);
      void this.loadAll(run.id, entries, distance);
    });
  }

  private drawPairs(
    maps: AttentionMapData[],
    head: number | 'mean',
    win: { start: number; end: number },
    fixedScale: number,
  ): void {
    const theme = this.theme();
    const width = Math.max(480, this.maps.clientWidth || this.element.clientWidth || 900);
    const tokens = win.end - win.start;
    const cell = cellSize(tokens, width, 3);
    const outline = theme.foreground;
    const seq = (vmax: number) => (v: number) =>
      sequential(vmax > 0 ? v / vmax : 0, theme.background, theme.heat);
    this.pairViews = [];
    const sections: HTMLElement[] = [];
    for (const m of maps) {
      const teacher: HeadMaps = { heads: m.teacherHeads, size: m.tokens.length, values: m.teacher };
      const student: HeadMaps = { heads: m.studentHeads, size: m.tokens.length, values: m.student };
      const aligned = alignHeads(teacher, student);
      const h0 = head === 'mean' || head >= aligned.teacher.heads ? 'mean' : head;
      const crop = (x: HeadMaps): Float32Array => cropMap(selectHead(x, h0), x.size, win.start, win.end);
      const tv = crop(aligned.teacher);
      const sv = crop(aligned.student);
      const dv = difference(sv, tv);
      const vmax = Math.max(maxAbs(tv), maxAbs(sv));
      const scale = fixedScale > 0 ? fixedScale : maxAbs(dv);
      const words = m.tokens.slice(win.start, win.end);
      const headText = h0 === 'mean' ? t('headMean', aligned.teacher.heads) : t('headN', h0 + 1);
      const view: PairView = { element: h('section'), maps: [] };
      const onCell = (cellAt: HeatmapCell | undefined): void => {
        for (const map of view.maps) map.setCursor(cellAt);
        if (cellAt === undefined) {
          this.readout.textContent = '';
          return;
        }
        const [tm, sm, dm] = view.maps;
        this.readout.textContent = t(
          'attnHover',
          words[cellAt.row] ?? '',
          words[cellAt.col] ?? '',
          formatFixed(tm?.value(cellAt) ?? NaN, 4),
          formatFixed(sm?.value(cellAt) ?? NaN, 4),
          `${(dm?.value(cellAt) ?? 0) >= 0 ? '+' : ''}${formatFixed(dm?.value(cellAt) ?? NaN, 4)}`,
        );
      };
      const kinds = [
        ['teacher', t('teacherMap'), tv, seq(vmax)],
        ['student', t('studentMap'), sv, seq(vmax)],
        [
          'diff',
          t('diffMap'),
          dv,
          (v: number) => diverging(normalizeDiff(v, scale), theme.negative, theme.background, theme.positive),
        ],
      ] as const;
      for (const [kind, caption, values, color] of kinds) {
        const map = new Heatmap(kind, caption, onCell);
        const gradient =
          kind === 'diff'
            ? `linear-gradient(to right, ${cssRgb(theme.negative)}, ${cssRgb(theme.background)}, ${cssRgb(theme.positive)})`
            : `linear-gradient(to right, ${cssRgb(theme.background)}, ${cssRgb(mix(theme.background, theme.heat, 0.7))}, ${cssRgb(theme.heat)})`;
        const legend: [string, string, string] =
          kind === 'diff'
            ? [`−${formatValue(scale)}`, gradient, `+${formatValue(scale)}`]
            : ['0', gradient, formatValue(vmax)];
        map.draw(
          values,
          words,
          color,
          cell,
          t('mapAria', caption, m.teacherLayer, m.studentLayer, headText),
          legend,
          outline,
        );
        view.maps.push(map);
      }
      view.element = h(
        'section',
        { class: 'pair', testid: `pair-${pairKey(m).replace(':', '-')}` },
        h('h3', {}, `${t('pairLabel', m.teacherLayer, m.studentLayer)} · ${headText}`),
        h('div', { class: 'pair-maps' }, ...view.maps.map((x) => x.element)),
      );
      this.pairViews.push(view);
      sections.push(view.element);
    }
    this.maps.replaceChildren(...sections, h('p', { class: 'help' }, t('attnKeysHelp')));
  }

  /** Mean distance over probes for each layer pair of one snapshot. */
  private perPair(maps: readonly AttentionMapData[], distance: Distance): Map<string, number> {
    const sums = new Map<string, { sum: number; n: number }>();
    for (const m of maps) {
      const d = attentionDistance(
        { heads: m.teacherHeads, size: m.tokens.length, values: m.teacher },
        { heads: m.studentHeads, size: m.tokens.length, values: m.student },
        distance,
      );
      if (!Number.isFinite(d)) continue;
      const s = sums.get(pairKey(m)) ?? { sum: 0, n: 0 };
      s.sum += d;
      s.n++;
      sums.set(pairKey(m), s);
    }
    return new Map([...sums].map(([k, s]) => [k, s.sum / s.n]));
  }

  private drawBars(maps: readonly AttentionMapData[], distance: Distance): void {
    const theme = this.theme();
    const values = this.perPair(maps, distance);
    const rows = [...values].map(([key, value], i) => {
      const [tl, sl] = key.split(':');
      return {
        label: t('pairLabel', tl ?? '', sl ?? ''),
        bars: [{ name: '', value, color: runColor(theme, i), text: formatValue(value) }],
      };
    });
    const name = t(distance === 'kl' ? 'distanceKl' : 'distanceMse');
    this.bars.replaceChildren(barChart(t('perLayerTitle', name), rows, 'attention-layer-bars'));
  }

  private noteDistances(
    runId: string,
    id: number,
    maps: readonly AttentionMapData[],
    distance: Distance,
  ): void {
    const key = `${runId}\n${distance}`;
    let byId = this.distances.get(key);
    if (byId === undefined) {
      byId = new Map();
      this.distances.set(key, byId);
    }
    if (!byId.has(id)) byId.set(id, this.perPair(maps, distance));
  }

  private drawConvergence(runId: string, entries: readonly AttentionIndexEntry[], distance: Distance): void {
    const byId = this.distances.get(`${runId}\n${distance}`);
    if (byId === undefined) return;
    const theme = this.theme();
    const keys = [...new Set([...byId.values()].flatMap((m) => [...m.keys()]))];
    const done = entries.filter((e) => byId.has(e.id));
    const series = keys.map((key, i) => {
      const [tl, sl] = key.split(':');
      return {
        label: t('pairLabel', tl ?? '', sl ?? ''),
        color: runColor(theme, i),
        xs: Float64Array.from(done, (e) => e.globalStep),
        ys: Float64Array.from(done, (e) => byId.get(e.id)?.get(key) ?? NaN),
        points: true,
      };
    });
    this.convergence.update(
      series,
      {
        xAxis: 'step',
        logX: false,
        logY: false,
        ignoreOutliers: false,
        showRaw: false,
        zoom: undefined,
        onZoom: () => undefined,
      },
      theme,
    );
  }

  /** Fetches every snapshot (at most 100, evenly spread) in the background for the convergence chart. */
  private async loadAll(
    runId: string,
    entries: readonly AttentionIndexEntry[],
    distance: Distance,
  ): Promise<void> {
    if (this.loadingAll) return;
    this.loadingAll = true;
    try {
      const stride = Math.max(1, Math.ceil(entries.length / 100));
      const wanted = entries.filter((_, i) => i % stride === 0 || i === entries.length - 1);
      for (const entry of wanted) {
        if (this.element.offsetParent === null) return;
        const byId = this.distances.get(`${runId}\n${distance}`);
        if (byId?.has(entry.id) === true) continue;
        const result = await this.store.attentionMaps(runId, entry.id);
        if ('error' in result) continue;
        this.noteDistances(runId, entry.id, result, distance);
        this.drawConvergence(runId, entries, distance);
      }
    } finally {
      this.loadingAll = false;
    }
  }

  /** Number of heatmaps on screen (tests). */
  get heatmapCount(): number {
    return this.pairViews.reduce((n, v) => n + v.maps.length, 0);
  }
}
