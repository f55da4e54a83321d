// The webview's copy of the host's data: each shown run's history (rebuilt from a snapshot, then extended by
// appends that must continue it exactly, else a resync is asked for), its reports, the run list, and attention
// maps fetched on demand (by request id) and cached.
import type { AttentionMapData, RunListEntry, RunReports, RunSelection } from '../../src/protocol/dashboard';
import { RunHistory } from '../../src/protocol/runHistory';
import type { HostToWebview, WebviewToHostMessage } from '../../src/protocol/webviewMessages';

export interface ShownRun {
  id: string;
  history: RunHistory;
  reports: RunReports;
}

type MapsResult = AttentionMapData[] | { error: string };

/** Attention snapshots kept in memory per run (a slider sweep fetches them all; each is a few hundred KB). */
const ATTENTION_CACHE = 256;

export class Store {
  runs: RunListEntry[] = [];
  selection: RunSelection = { primary: undefined, compare: [] };
  /** Primary first, then the compared runs. */
  shown: ShownRun[] = [];
  private nextRequest = 1;
  private readonly pending = new Map<number, { key: string; resolve: (r: MapsResult) => void }>();
  private readonly maps = new Map<string, Promise<MapsResult>>();
  /** Bumped on every change, so views can skip work when nothing changed. */
  version = 0;

  constructor(private readonly post: (message: WebviewToHostMessage) => void) {}

  get primary(): ShownRun | undefined {
    return this.shown[0]?.id === this.selection.primary ? this.shown[0] : undefined;
  }

  entry(id: string): RunListEntry | undefined {
    return this.runs.find((r) => r.id === id);
  }

  name(id: string): string {
    return this.entry(id)?.name ?? this.shown.find((r) => r.id === id)?.history.runName ?? id;
  }

  applySnapshot(p: HostToWebview['snapshot']): void {
    this.runs = p.runs;
    this.selection = p.selection;
    this.shown = p.data.map((d) => ({
      id: d.runId,
      history: RunHistory.fromData(d.history),
      reports: d.reports,
    }));
    // A rebuilt history may have renumbered nothing, but a rewritten file gives new snapshot ids: start afresh.
    this.maps.clear();
    this.version++;
  }

  /** Folds an append; false (and a resync request) when it does not continue the copy. */
  applyAppend(p: HostToWebview['append']): boolean {
    const run = this.shown.find((r) => r.id === p.runId);
    if (run === undefined) return false;
    if (p.from !== run.history.eventCount) {
      this.post({ type: 'resync', payload: { runId: p.runId } });
      return false;
    }
    for (const event of p.events) run.history.apply(event);
    this.version++;
    return true;
  }

  applyReports(p: HostToWebview['reports']): void {
    const run = this.shown.find((r) => r.id === p.runId);
    if (run === undefined) return;
    run.reports = p.reports;
    this.version++;
  }

  applyRuns(runs: RunListEntry[]): void {
    this.runs = runs;
    this.version++;
  }

  /** The maps of a snapshot, from the cache or the host. */
  attentionMaps(runId: string, snapshotId: number): Promise<MapsResult> {
    const key = `${runId}\n${snapshotId}`;
    const cached = this.maps.get(key);
    if (cached !== undefined) return cached;
    const requestId = this.nextRequest++;
    const promise = new Promise<MapsResult>((resolve) => this.pending.set(requestId, { key, resolve }));
    this.maps.set(key, promise);
    if (this.maps.size > ATTENTION_CACHE) {
      const oldest = this.maps.keys().next().value;
      if (oldest !== undefined) this.maps.delete(oldest);
    }
    this.post({ type: 'attention', payload: { requestId, runId, snapshotId } });
    return promise;
  }

  /** Whether the maps are already here (no loading state needed). */
  hasMaps(runId: string, snapshotId: number): boolean {
    return this.maps.has(`${runId}\n${snapshotId}`);
  }

  applyAttention(p: HostToWebview['attention']): void {
    const pending = this.pending.get(p.requestId);
    if (pending === undefined) return;
    this.pending.delete(p.requestId);
    pending.resolve('error' in p ? { error: p.error } : p.maps);
    // An error is not cached: the next look asks again (the line may be readable once the write completes).
    if ('error' in p) this.maps.delete(pending.key);
  }
}
