// A run's history as the dashboard charts it, folded from its events: step series in columns (one Float64Array per
// loss term, learning rate, samples/s), evaluations, stage boundaries, attempts (resumes), checkpoints, the index
// of attention snapshots (their maps stay in events.jsonl and travel on request) and how the run ended. The host
// folds events.jsonl into it and sends `toData()`; the webview rebuilds it with `fromData()` and folds the appends,
// so both sides run this one fold. Pure: no I/O.
import { parseRunEvent, type EvalMetrics, type MaskedLmMetrics, type RunEvent } from './events';

/** One mapped layer pair of an attention snapshot, without its maps. */
export interface AttentionPairInfo {
  probe: number;
  teacherLayer: number;
  studentLayer: number;
  /** Heads of the teacher and student maps as recorded (after the stage's head mapping). */
  teacherHeads: number;
  studentHeads: number;
  /** Token axis length. */
  tokens: number;
}

/** What the dashboard knows about an attention snapshot before its maps are fetched. */
export interface AttentionIndexEntry {
  /** Host-assigned id to fetch the maps with (unique within the run; not an array index). */
  id: number;
  globalStep: number;
  stage: string;
  time: number;
  /** Token strings of each probe, by probe number. */
  probes: { probe: number; tokens: string[] }[];
  pairs: AttentionPairInfo[];
  /** The stage's head mapping and attention loss, when the trainer recorded them. */
  headMapping?: 'none' | 'mean' | 'group';
  loss?: 'mse' | 'kl' | 'mse-scores';
}

/** An attention snapshot reduced to its index entry, in place of the `attention-snapshot` event. */
export interface AttentionIndexEvent {
  type: 'attention-index';
  time: number;
  payload: AttentionIndexEntry;
}

/** What the fold consumes: run events, with attention snapshots replaced by their index entries. */
export type HistoryEvent = Exclude<RunEvent, { type: 'attention-snapshot' }> | AttentionIndexEvent;

export interface StageMark {
  name: string;
  index: number;
  kind: string;
  steps: number;
  /** The stage's first step is `afterStep + 1`. */
  afterStep: number;
  time: number;
}

export interface EvalPoint {
  globalStep: number;
  time: number;
  stage: string;
  model: 'teacher' | 'student';
  metrics: EvalMetrics;
  best: boolean;
}

/** An evaluation of a pre-training (masked-LM) distillation stage. */
export interface MaskedLmEvalPoint {
  globalStep: number;
  time: number;
  stage: string;
  metrics: MaskedLmMetrics;
}

export interface CheckpointMark {
  globalStep: number;
  time: number;
  path: string;
  reason: string;
}

/** One `run-start` to the last event before the next one. */
export interface Attempt {
  startedAt: number;
  lastEventAt: number;
  resumedFrom?: { stage: string; step: number };
}

export type RunEnding =
  | { kind: 'none' }
  | { kind: 'done'; globalStep: number; finalModel: string; durationSeconds: number; best?: EvalMetrics }
  | { kind: 'error'; message: string; globalStep?: number };

/** Columns every step row has; loss terms are `loss.<term>` columns, NaN in rows where the term was off. */
export const STEP_COLUMNS = ['learningRate', 'samplesPerSecond', 'epoch'] as const;

/** The serialisable form (typed arrays are standalone copies, so postMessage sends no spare capacity). */
export interface RunHistoryData {
  /** Events folded so far: an append continues from exactly this count. */
  eventCount: number;
  runName: string | undefined;
  backend: string | undefined;
  plannedStages: { name: string; kind: string; steps: number }[];
  attempts: Attempt[];
  steps: { globalStep: Float64Array; time: Float64Array; columns: Record<string, Float64Array> };
  stageMarks: StageMark[];
  evals: EvalPoint[];
  maskedLmEvals: MaskedLmEvalPoint[];
  checkpoints: CheckpointMark[];
  attention: AttentionIndexEntry[];
  ending: RunEnding;
}

/** A Float64Array that grows by doubling. */
export class Column {
  private buffer: Float64Array;
  length = 0;

  constructor(initial?: Float64Array) {
    this.buffer = new Float64Array(Math.max(16, initial?.length ?? 0));
    if (initial !== undefined) {
      this.buffer.set(initial);
      this.length = initial.length;
    }
  }

  push(value: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Float64Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = value;
  }

  get(i: number): number {
    return this.buffer[i] ?? NaN;
  }

  truncate(length: number): void {
    this.length = Math.min(this.length, Math.max(0, length));
  }

  /** A view of the filled part (valid until the next push). */
  view(): Float64Array {
    return this.buffer.subarray(0, this.length);
  }

  /** A standalone copy of the filled part. */
  copy(): Float64Array {
    return this.buffer.slice(0, this.length);
  }
}

/** First index whose value is >= `value` in an ascending column view. */
export function lowerBound(values: ArrayLike<number>, value: number, from = 0, to = values.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] ?? NaN) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class RunHistory {
  eventCount = 0;
  runName: string | undefined;
  backend: string | undefined;
  plannedStages: RunHistoryData['plannedStages'] = [];
  attempts: Attempt[] = [];
  readonly globalStep = new Column();
  readonly time = new Column();
  readonly columns = new Map<string, Column>();
  stageMarks: StageMark[] = [];
  /** A stage-change whose first step has not arrived yet (its boundary is placed when it does). */
  private pendingStage: Omit<StageMark, 'afterStep'> | undefined;
  evals: EvalPoint[] = [];
  maskedLmEvals: MaskedLmEvalPoint[] = [];
  checkpoints: CheckpointMark[] = [];
  attention: AttentionIndexEntry[] = [];
  ending: RunEnding = { kind: 'none' };
  /** Bumped whenever rows were removed (a resumed run redoing steps), so caches of derived series reset. */
  rewinds = 0;

  get rows(): number {
    return this.globalStep.length;
  }

  get lastStep(): number {
    return this.rows > 0 ? this.globalStep.get(this.rows - 1) : 0;
  }

  /** Stage boundaries including a stage that has started but not stepped yet. */
  get marks(): StageMark[] {
    const pending = this.pendingStage;
    return pending === undefined
      ? this.stageMarks
      : [...this.stageMarks, { ...pending, afterStep: this.lastStep }];
  }

  /**
   * Folds one event. A step at or before the last recorded step means a resumed run is redoing steps from its
   * checkpoint: everything from that step on is replaced (the redone values supersede the lost attempt's), as
   * W&B does on resume, rather than drawing both attempts over each other.
   */
  apply(event: HistoryEvent): void {
    this.eventCount++;
    const attempt = this.attempts[this.attempts.length - 1];
    if (attempt !== undefined && event.type !== 'run-start')
      attempt.lastEventAt = Math.max(attempt.lastEventAt, event.time);
    switch (event.type) {
      case 'run-start': {
        const p = event.payload;
        this.runName = p.runName;
        this.backend = p.backend;
        this.plannedStages = p.stages.map((s) => ({ name: s.name, kind: s.kind, steps: s.steps }));
        this.attempts.push({
          startedAt: event.time,
          lastEventAt: event.time,
          ...(p.resumedFrom !== undefined ? { resumedFrom: p.resumedFrom } : {}),
        });
        this.ending = { kind: 'none' };
        return;
      }
      case 'stage-change': {
        const p = event.payload;
        const last = this.pendingStage ?? this.stageMarks[this.stageMarks.length - 1];
        // A resumed attempt announces the stage it resumes in again: not a new boundary.
        if (last !== undefined && last.index === p.index && last.name === p.stage) return;
        this.pendingStage = { name: p.stage, index: p.index, kind: p.kind, steps: p.steps, time: event.time };
        return;
      }
      case 'step': {
        const p = event.payload;
        if (this.rows > 0 && p.globalStep <= this.lastStep) this.rewind(p.globalStep);
        if (this.pendingStage !== undefined) {
          this.stageMarks.push({ ...this.pendingStage, afterStep: p.globalStep - 1 });
          this.pendingStage = undefined;
        }
        const row = this.rows;
        this.globalStep.push(p.globalStep);
        this.time.push(event.time);
        const values: Record<string, number> = {
          learningRate: p.learningRate,
          samplesPerSecond: p.samplesPerSecond,
          epoch: p.epoch,
        };
        for (const [term, value] of Object.entries(p.losses))
          if (typeof value === 'number') values[`loss.${term}`] = value;
        for (const [key, value] of Object.entries(values)) {
          let column = this.columns.get(key);
          if (column === undefined) {
            column = new Column();
            for (let i = 0; i < row; i++) column.push(NaN);
            this.columns.set(key, column);
          }
          column.push(typeof value === 'number' ? value : NaN);
        }
        for (const column of this.columns.values()) if (column.length === row) column.push(NaN);
        return;
      }
      case 'eval':
        this.evals.push({
          globalStep: event.payload.globalStep,
          time: event.time,
          stage: event.payload.stage,
          model: event.payload.model,
          metrics: event.payload.metrics,
          best: event.payload.best,
        });
        return;
      case 'masked-lm-eval':
        this.maskedLmEvals.push({
          globalStep: event.payload.globalStep,
          time: event.time,
          stage: event.payload.stage,
          metrics: event.payload.metrics,
        });
        return;
      case 'attention-index':
        this.attention.push(event.payload);
        return;
      case 'checkpoint':
        this.checkpoints.push({
          globalStep: event.payload.globalStep,
          time: event.time,
          path: event.payload.path,
          reason: event.payload.reason,
        });
        return;
      case 'done':
        this.ending = {
          kind: 'done',
          globalStep: event.payload.globalStep,
          finalModel: event.payload.finalModel,
          durationSeconds: event.payload.durationSeconds,
          ...(event.payload.best !== undefined ? { best: event.payload.best } : {}),
        };
        return;
      case 'error':
        this.ending = {
          kind: 'error',
          message: event.payload.message,
          ...(event.payload.globalStep !== undefined ? { globalStep: event.payload.globalStep } : {}),
        };
        return;
    }
  }

  /** Drops every row, evaluation, snapshot, checkpoint and boundary from `globalStep` on. */
  private rewind(globalStep: number): void {
    const keep = lowerBound(this.globalStep.view(), globalStep);
    this.globalStep.truncate(keep);
    this.time.truncate(keep);
    for (const column of this.columns.values()) column.truncate(keep);
    this.evals = this.evals.filter((e) => e.globalStep < globalStep);
    this.maskedLmEvals = this.maskedLmEvals.filter((e) => e.globalStep < globalStep);
    this.attention = this.attention.filter((a) => a.globalStep < globalStep);
    this.checkpoints = this.checkpoints.filter((c) => c.globalStep < globalStep);
    this.stageMarks = this.stageMarks.filter((m) => m.afterStep < globalStep);
    this.rewinds++;
  }

  toData(): RunHistoryData {
    const columns: Record<string, Float64Array> = {};
    for (const [key, column] of this.columns) columns[key] = column.copy();
    return {
      eventCount: this.eventCount,
      runName: this.runName,
      backend: this.backend,
      plannedStages: this.plannedStages.map((s) => ({ ...s })),
      attempts: this.attempts.map((a) => ({ ...a })),
      steps: { globalStep: this.globalStep.copy(), time: this.time.copy(), columns },
      // A stage that started without stepping yet is sent as a boundary at the last step.
      stageMarks: this.marks.map((m) => ({ ...m })),
      evals: [...this.evals],
      maskedLmEvals: [...this.maskedLmEvals],
      checkpoints: [...this.checkpoints],
      attention: [...this.attention],
      ending: this.ending,
    };
  }

  static fromData(data: RunHistoryData): RunHistory {
    const h = new RunHistory();
    h.eventCount = data.eventCount;
    h.runName = data.runName;
    h.backend = data.backend;
    h.plannedStages = data.plannedStages;
    h.attempts = data.attempts.map((a) => ({ ...a }));
    const { globalStep, time } = data.steps;
    for (let i = 0; i < globalStep.length; i++) {
      h.globalStep.push(globalStep[i] ?? NaN);
      h.time.push(time[i] ?? NaN);
    }
    for (const [key, values] of Object.entries(data.steps.columns)) h.columns.set(key, new Column(values));
    // The last boundary may be a stage that had not stepped when the snapshot was taken: keep it pending so its
    // first step places it.
    const marks = [...data.stageMarks];
    const lastMark = marks[marks.length - 1];
    if (lastMark !== undefined && lastMark.afterStep >= h.lastStep) {
      marks.pop();
      h.pendingStage = {
        name: lastMark.name,
        index: lastMark.index,
        kind: lastMark.kind,
        steps: lastMark.steps,
        time: lastMark.time,
      };
    }
    h.stageMarks = marks;
    h.evals = [...data.evals];
    h.maskedLmEvals = [...data.maskedLmEvals];
    h.checkpoints = [...data.checkpoints];
    h.attention = [...data.attention];
    h.ending = data.ending;
    return h;
  }

  /**
   * Milliseconds of training before each row, leaving out the pauses between attempts (a run resumed the next
   * day does not show a day-long gap): the run's "relative time", as TensorBoard's relative axis but per attempt.
   */
  relativeTimes(from = 0, out?: Float64Array): Float64Array {
    const result = out ?? new Float64Array(this.rows);
    const attempts = this.attempts;
    // Offset of each attempt: its start minus the active time of the attempts before it.
    const offsets: number[] = [];
    let active = 0;
    for (const a of attempts) {
      offsets.push(a.startedAt - active);
      active += Math.max(0, a.lastEventAt - a.startedAt);
    }
    let k = 0;
    for (let i = from; i < this.rows; i++) {
      const t = this.time.get(i);
      while (k + 1 < attempts.length && (attempts[k + 1]?.startedAt ?? Infinity) <= t) k++;
      const offset = offsets[k] ?? this.time.get(0);
      result[i] = t - offset;
    }
    return result;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
const isNum = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const optStr = (v: unknown): boolean => v === undefined || isStr(v);

function isMetrics(v: unknown): v is EvalMetrics {
  return isRecord(v) && isNum(v['accuracy']) && isNum(v['macroF1']) && isNum(v['n']);
}

function isMaskedLmMetrics(v: unknown): v is MaskedLmMetrics {
  return (
    isRecord(v) &&
    isNum(v['agreement']) &&
    isNum(v['studentAccuracy']) &&
    isNum(v['teacherAccuracy']) &&
    isNum(v['n'])
  );
}

/** Narrows an attention index entry (from a snapshot or an append). */
export function parseAttentionIndexEntry(v: unknown): AttentionIndexEntry | undefined {
  if (!isRecord(v) || !isNum(v['id']) || !isNum(v['globalStep']) || !isStr(v['stage']) || !isNum(v['time']))
    return undefined;
  const probes = v['probes'];
  const pairs = v['pairs'];
  if (!Array.isArray(probes) || !Array.isArray(pairs)) return undefined;
  for (const p of probes as unknown[])
    if (!isRecord(p) || !isNum(p['probe']) || !Array.isArray(p['tokens']) || !p['tokens'].every(isStr))
      return undefined;
  for (const p of pairs as unknown[]) {
    if (!isRecord(p)) return undefined;
    const keys = ['probe', 'teacherLayer', 'studentLayer', 'teacherHeads', 'studentHeads', 'tokens'];
    if (!keys.every((k) => isNum(p[k]))) return undefined;
  }
  const hm = v['headMapping'];
  const loss = v['loss'];
  if (hm !== undefined && hm !== 'none' && hm !== 'mean' && hm !== 'group') return undefined;
  if (loss !== undefined && loss !== 'mse' && loss !== 'kl' && loss !== 'mse-scores') return undefined;
  return v as unknown as AttentionIndexEntry;
}

/** Narrows a history event from the host: a run event (parseRunEvent's checks) or an attention index entry. */
export function parseHistoryEvent(v: unknown): HistoryEvent | undefined {
  if (isRecord(v) && v['type'] === 'attention-index') {
    const entry = parseAttentionIndexEntry(v['payload']);
    return entry !== undefined && isNum(v['time'])
      ? { type: 'attention-index', time: v['time'], payload: entry }
      : undefined;
  }
  const event = parseRunEvent(v);
  return event === undefined || event.type === 'attention-snapshot' ? undefined : event;
}

/** Narrows RunHistoryData from the host: every typed column as long as the step column. */
export function parseRunHistoryData(v: unknown): RunHistoryData | undefined {
  if (!isRecord(v) || !isNum(v['eventCount']) || !optStr(v['runName']) || !optStr(v['backend']))
    return undefined;
  const steps = v['steps'];
  if (
    !isRecord(steps) ||
    !(steps['globalStep'] instanceof Float64Array) ||
    !(steps['time'] instanceof Float64Array)
  )
    return undefined;
  const rows = steps['globalStep'].length;
  if (steps['time'].length !== rows || !isRecord(steps['columns'])) return undefined;
  for (const column of Object.values(steps['columns']))
    if (!(column instanceof Float64Array) || column.length !== rows) return undefined;
  const arrays = [
    'plannedStages',
    'attempts',
    'stageMarks',
    'evals',
    'maskedLmEvals',
    'checkpoints',
    'attention',
  ];
  if (!arrays.every((k) => Array.isArray(v[k]))) return undefined;
  const list = (k: string): unknown[] => v[k] as unknown[];
  if (!list('plannedStages').every((s) => isRecord(s) && isStr(s['name']) && isNum(s['steps'])))
    return undefined;
  if (!list('attempts').every((a) => isRecord(a) && isNum(a['startedAt']) && isNum(a['lastEventAt'])))
    return undefined;
  if (
    !list('stageMarks').every(
      (m) => isRecord(m) && isStr(m['name']) && isNum(m['index']) && isNum(m['afterStep']),
    )
  )
    return undefined;
  if (
    !list('evals').every(
      (e) =>
        isRecord(e) &&
        isNum(e['globalStep']) &&
        isNum(e['time']) &&
        isMetrics(e['metrics']) &&
        isStr(e['model']),
    )
  )
    return undefined;
  if (
    !list('maskedLmEvals').every(
      (e) => isRecord(e) && isNum(e['globalStep']) && isNum(e['time']) && isMaskedLmMetrics(e['metrics']),
    )
  )
    return undefined;
  if (!list('checkpoints').every((c) => isRecord(c) && isNum(c['globalStep']) && isStr(c['path'])))
    return undefined;
  if (!list('attention').every((a) => parseAttentionIndexEntry(a) !== undefined)) return undefined;
  const ending = v['ending'];
  if (!isRecord(ending)) return undefined;
  const endingOk =
    ending['kind'] === 'none' ||
    (ending['kind'] === 'done' && isStr(ending['finalModel']) && isNum(ending['globalStep'])) ||
    (ending['kind'] === 'error' && isStr(ending['message']));
  return endingOk ? (v as unknown as RunHistoryData) : undefined;
}
