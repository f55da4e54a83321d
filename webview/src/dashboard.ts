// The dashboard page: the run chooser (primary run, runs to overlay), the four tabs, and the glue between the
// host's messages, the store, the saved UI state and the tabs. Renders only the visible tab; appends re-render at
// most five times a second; a theme change (VS Code swaps the body class) repaints with the new colours.
import type { DashboardTab, RunSelection } from '../../src/protocol/dashboard';
import { PROTOCOL_VERSION } from '../../src/protocol/version';
import type { HostToWebviewMessage, WebviewToHostMessage } from '../../src/protocol/webviewMessages';
import { AttentionTab } from './attention/attentionTab';
import { BenchmarkTab } from './benchmark/benchmarkTab';
import { cssRgb, readThemeColors, runColor, type ThemeColors } from './colors';
import { h } from './dom';
import { DoctorTab } from './doctor/doctorTab';
import { setStrings, t } from './i18n';
import { Store } from './store';
import { createButton, createCheckbox, createDropdown, createTabs, type Tabs } from './toolkit';
import { TrainingTab } from './training/trainingTab';
import { parseUiState, type UiState } from './uiState';

export interface VsCodeApi {
  postMessage(message: WebviewToHostMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

const RENDER_INTERVAL_MS = 200;

interface Views {
  tabs: Tabs<DashboardTab>;
  training: TrainingTab;
  attention: AttentionTab;
  benchmark: BenchmarkTab;
  doctor: DoctorTab;
  runPicker: ReturnType<typeof createDropdown<string>>;
  compare: HTMLElement;
  status: HTMLElement;
  header: HTMLElement;
}

export class Dashboard {
  readonly store: Store;
  state: UiState;
  private views: Views | undefined;
  private stringsSignature = '';
  private theme: ThemeColors;
  private renderTimer: ReturnType<typeof setTimeout> | undefined;
  private lastRender = 0;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly vscode: VsCodeApi,
    private readonly root: HTMLElement,
  ) {
    this.state = parseUiState(vscode.getState());
    this.store = new Store((m) => vscode.postMessage(m));
    this.theme = readThemeColors();
    new MutationObserver(() => {
      this.theme = readThemeColors();
      this.renderNow();
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /** Says ready with the runs this page showed before (a restored panel gets them back). */
  start(): void {
    this.vscode.postMessage({
      type: 'ready',
      payload: { protocolVersion: PROTOCOL_VERSION, selection: this.state.selection },
    });
  }

  private save(change: (s: UiState) => void): void {
    change(this.state);
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.vscode.setState(this.state), 100);
  }

  receive(message: HostToWebviewMessage): void {
    switch (message.type) {
      case 'snapshot': {
        const p = message.payload;
        const signature = `${p.locale}\n${JSON.stringify(p.strings)}`;
        setStrings(p.strings, p.locale);
        this.store.applySnapshot(p);
        this.save((s) => {
          s.selection = p.selection;
          if (p.focusTab !== undefined) s.tab = p.focusTab;
        });
        if (this.views === undefined || signature !== this.stringsSignature) {
          this.stringsSignature = signature;
          this.build();
        }
        if (p.focusTab !== undefined) this.views?.tabs.select(p.focusTab);
        this.renderNow();
        return;
      }
      case 'append':
        if (this.store.applyAppend(message.payload)) this.renderSoon();
        return;
      case 'reports':
        this.store.applyReports(message.payload);
        this.renderSoon();
        return;
      case 'runs':
        this.store.applyRuns(message.payload.runs);
        this.renderHeader();
        return;
      case 'attention':
        this.store.applyAttention(message.payload);
        return;
    }
  }

  private select(selection: RunSelection): void {
    this.save((s) => {
      s.selection = selection;
      s.attention.step = undefined;
    });
    this.vscode.postMessage({ type: 'select', payload: { selection } });
  }

  private command(command: 'benchmark' | 'export' | 'diagnose' | 'openEvents' | 'revealFolder'): void {
    const runId = this.store.selection.primary;
    if (runId !== undefined) this.vscode.postMessage({ type: 'command', payload: { command, runId } });
  }

  private build(): void {
    const state = (): UiState => this.state;
    const save = (change: (s: UiState) => void): void => this.save(change);
    const theme = (): ThemeColors => this.theme;
    this.views?.attention.stop();
    const training = new TrainingTab(this.store, state, save, theme);
    const attention = new AttentionTab(this.store, state, save, theme);
    const benchmark = new BenchmarkTab(this.store, state, save, theme, (c) => this.command(c));
    const doctor = new DoctorTab(this.store, theme, () => this.command('diagnose'));
    const tabs = createTabs<DashboardTab>(
      [
        { id: 'training', label: t('tabTraining'), view: training.element },
        { id: 'attention', label: t('tabAttention'), view: attention.element },
        { id: 'benchmark', label: t('tabBenchmark'), view: benchmark.element },
        { id: 'doctor', label: t('tabDoctor'), view: doctor.element },
      ],
      this.state.tab,
      (id) => {
        if (id === this.state.tab) return;
        this.save((s) => (s.tab = id));
        if (id !== 'attention') attention.stop();
        this.renderNow();
      },
    );
    const runPicker = createDropdown<string>(
      'run',
      t('runLabel'),
      (id) => {
        if (id === this.store.selection.primary) return;
        this.select({ primary: id, compare: this.store.selection.compare.filter((c) => c !== id) });
      },
      'run-picker',
    );
    const compare = h('fieldset', { class: 'compare', testid: 'compare-runs' });
    const status = h('span', { class: 'run-status', testid: 'run-status' });
    const header = h(
      'header',
      { class: 'header' },
      runPicker.element,
      status,
      h(
        'span',
        { class: 'actions' },
        createButton(t('openEvents'), () => this.command('openEvents'), {
          secondary: true,
          testId: 'open-events',
        }),
        createButton(t('revealFolder'), () => this.command('revealFolder'), {
          secondary: true,
          testId: 'reveal-folder',
        }),
      ),
      compare,
    );
    this.views = { tabs, training, attention, benchmark, doctor, runPicker, compare, status, header };
    this.root.replaceChildren(header, tabs.element);
    this.root.removeAttribute('aria-busy');
  }

  private renderHeader(): void {
    const v = this.views;
    if (v === undefined) return;
    const { runs, selection } = this.store;
    const primary = selection.primary;
    const options = runs.map((r) => ({ value: r.id, label: r.name }));
    if (primary !== undefined && !options.some((o) => o.value === primary))
      options.unshift({ value: primary, label: this.store.name(primary) });
    if (options.length === 0) {
      v.status.textContent = t('noRun');
      v.runPicker.element.hidden = true;
    } else {
      v.runPicker.element.hidden = false;
      v.runPicker.setOptions(options, primary ?? options[0]?.value ?? '');
      const entry = primary !== undefined ? this.store.entry(primary) : undefined;
      const history = this.store.primary?.history;
      v.status.textContent =
        entry?.description ?? (history?.rows === 0 && history.eventCount === 0 ? t('waitingForRun') : '');
    }
    const others = runs.filter((r) => r.id !== primary);
    const legend = h('legend', {}, t('compareLabel'));
    if (others.length === 0) {
      v.compare.replaceChildren(legend, h('span', { class: 'note' }, t('compareNone')));
      return;
    }
    const order = [primary, ...selection.compare];
    v.compare.replaceChildren(
      legend,
      ...others.map((r) => {
        const checked = selection.compare.includes(r.id);
        const box = createCheckbox(
          r.name,
          checked,
          (on) => {
            const compare = on ? [...selection.compare, r.id] : selection.compare.filter((c) => c !== r.id);
            this.select({ primary, compare });
          },
          `compare-${r.name}`,
        );
        const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
        const index = order.indexOf(r.id);
        if (checked && index >= 0) swatch.style.background = cssRgb(runColor(this.theme, index));
        return h('span', { class: 'compare-item', title: r.description }, swatch, box);
      }),
    );
  }

  /** Re-renders soon (appends come in bursts: one per training step). */
  private renderSoon(): void {
    if (this.renderTimer !== undefined) return;
    const wait = Math.max(0, RENDER_INTERVAL_MS - (performance.now() - this.lastRender));
    this.renderTimer = setTimeout(() => {
      this.renderTimer = undefined;
      requestAnimationFrame(() => this.renderNow());
    }, wait);
  }

  renderNow(): void {
    const v = this.views;
    if (v === undefined) return;
    this.lastRender = performance.now();
    this.renderHeader();
    switch (this.state.tab) {
      case 'training':
        v.training.render();
        return;
      case 'attention':
        v.attention.render();
        return;
      case 'benchmark':
        v.benchmark.render();
        return;
      case 'doctor':
        v.doctor.render();
        return;
    }
  }

  /** The views (tests and the render benchmark read their counters). */
  get debug(): Views | undefined {
    return this.views;
  }
}
