// Run events: the typed record of a training run. The trainer appends them to `runs/<name>/events.jsonl` (the
// durable record the CLI, the extension and the dashboard all read) and sends them over IPC to the extension.
// One interface maps each event type to its payload; the union is derived from it.

/** Loss terms reported each step, by name (total included). Absent terms were off. */
export type LossTerms = Partial<
  Record<
    'total' | 'softLabel' | 'hardLabel' | 'hidden' | 'attention' | 'embedding' | 'featureMap' | 'maskedLm',
    number
  >
>;

/** Evaluation metrics. */
export interface EvalMetrics {
  accuracy: number;
  macroF1: number;
  n: number;
}

/**
 * Masked-LM metrics of a `pretrain-distill` stage, at the selected positions of the eval texts (masked the same
 * way at every evaluation, so values are comparable through the stage).
 */
export interface MaskedLmMetrics {
  /** Share of masked positions where the student's top-1 token is the teacher's top-1 token. */
  agreement: number;
  /** Share of masked positions where the student's top-1 token is the original token. */
  studentAccuracy: number;
  /** The same for the teacher: what the student can reach at most by agreeing. */
  teacherAccuracy: number;
  /** Masked positions scored. */
  n: number;
}

/** Attention maps for one probe sentence at one mapped layer pair, averaged per the head mapping. */
export interface AttentionMapRecord {
  probe: number;
  teacherLayer: number;
  studentLayer: number;
  /** Token strings on both axes (capped at attentionSnapshots.maxTokens). */
  tokens: string[];
  /** [heads][T][T] row-major, heads after head mapping. */
  teacher: number[][][];
  student: number[][][];
  /** The head mapping applied to bring both to one head count (`none` when the counts were equal). */
  headMapping?: 'none' | 'mean' | 'group';
}

export interface RunEventPayloads {
  'run-start': {
    protocolVersion: number;
    runName: string;
    configFile: string;
    backend: string;
    stages: { name: string; kind: string; steps: number }[];
    resumedFrom?: { stage: string; step: number };
  };
  'stage-change': {
    stage: string;
    index: number;
    kind: string;
    steps: number;
    trainLayers: 'all' | number[];
  };
  step: {
    stage: string;
    step: number;
    globalStep: number;
    epoch: number;
    /**
     * The stage's loss terms on this batch, and `total`. A term that does not apply to the batch is absent, not 0:
     * an unlabelled batch has no `hardLabel`.
     */
    losses: LossTerms;
    learningRate: number;
    samplesPerSecond: number;
  };
  eval: {
    stage: string;
    step: number;
    globalStep: number;
    model: 'teacher' | 'student';
    metrics: EvalMetrics;
    best: boolean;
  };
  /** Evaluation of a `pretrain-distill` stage (instead of `eval`, whose task metrics mean nothing there). */
  'masked-lm-eval': { stage: string; step: number; globalStep: number; metrics: MaskedLmMetrics };
  'attention-snapshot': {
    stage: string;
    globalStep: number;
    maps: AttentionMapRecord[];
    /** The stage's attention loss (`mse-scores` compares pre-softmax scores; the maps are probabilities). */
    loss?: 'mse' | 'kl' | 'mse-scores';
  };
  checkpoint: {
    stage: string;
    globalStep: number;
    path: string;
    reason: 'interval' | 'stage-end' | 'signal' | 'best';
  };
  done: { globalStep: number; finalModel: string; best?: EvalMetrics; durationSeconds: number };
  error: { message: string; stage?: string; globalStep?: number };
}

export type RunEventType = keyof RunEventPayloads;

/** One line of events.jsonl. `time` is milliseconds since the epoch. */
export type RunEvent = {
  [K in RunEventType]: { type: K; time: number; payload: RunEventPayloads[K] };
}[RunEventType];

const EVENT_TYPES: readonly RunEventType[] = [
  'run-start',
  'stage-change',
  'step',
  'eval',
  'masked-lm-eval',
  'attention-snapshot',
  'checkpoint',
  'done',
  'error',
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Narrows one parsed events.jsonl line. Checks the envelope and the fields each consumer relies on; returns
 * undefined for anything else (a newer event type, a torn last line), which readers skip.
 */
export function parseRunEvent(value: unknown): RunEvent | undefined {
  if (!isRecord(value) || typeof value['time'] !== 'number' || !isRecord(value['payload'])) return undefined;
  const type = value['type'];
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) return undefined;
  const p = value['payload'];
  const num = (k: string): boolean => typeof p[k] === 'number' && Number.isFinite(p[k]);
  const str = (k: string): boolean => typeof p[k] === 'string';
  const ok = (() => {
    switch (type as RunEventType) {
      case 'run-start':
        return num('protocolVersion') && str('runName') && Array.isArray(p['stages']);
      case 'stage-change':
        return str('stage') && num('index') && num('steps');
      case 'step':
        return (
          str('stage') && num('step') && num('globalStep') && isRecord(p['losses']) && num('learningRate')
        );
      case 'eval':
        return str('stage') && num('globalStep') && isRecord(p['metrics']) && typeof p['best'] === 'boolean';
      case 'masked-lm-eval':
        return str('stage') && num('globalStep') && isRecord(p['metrics']);
      case 'attention-snapshot':
        return str('stage') && num('globalStep') && Array.isArray(p['maps']);
      case 'checkpoint':
        return str('stage') && num('globalStep') && str('path');
      case 'done':
        return num('globalStep') && str('finalModel');
      case 'error':
        return str('message');
    }
  })();
  return ok ? (value as unknown as RunEvent) : undefined;
}
