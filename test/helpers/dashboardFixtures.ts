// Synthetic but realistic run records for the dashboard tests: events.jsonl of a two-stage distillation (every
// loss term, learning-rate warm-up and decay, samples/s, evaluations, attention snapshots whose student maps
// converge to the teacher's, checkpoints, done), plus the bench and doctor reports such a run folder holds.
// Deterministic (seeded), so tests can assert exact counts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttentionMapRecord, RunEvent } from '../../src/protocol/events';
import { PROTOCOL_VERSION } from '../../src/protocol/version';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const PROBES = [
  ['[CLS]', 'the', 'movie', 'was', 'not', 'good', '[SEP]'],
  ['[CLS]', '정말', '재미', '##있', '##어요', '[SEP]'],
];

export interface FixtureOptions {
  runName?: string;
  /** Steps of the two stages. */
  stageSteps?: [number, number];
  attentionEvery?: number;
  evalEvery?: number;
  heads?: number;
  /** Token axis of a third, long probe (0 = none). */
  longProbe?: number;
  seed?: number;
  start?: number;
  /** Stop after this many steps (a live run), without done. */
  stopAfter?: number;
}

/** Row-stochastic attention: teacher peaked on a pattern, student = blend of uniform and teacher by `progress`. */
function attention(
  tokens: number,
  heads: number,
  progress: number,
  random: () => number,
): { teacher: number[][][]; student: number[][][] } {
  const teacher: number[][][] = [];
  const student: number[][][] = [];
  for (let h = 0; h < heads; h++) {
    const th: number[][] = [];
    const sh: number[][] = [];
    for (let i = 0; i < tokens; i++) {
      const target = (i + h + 1) % tokens;
      const raw = Array.from({ length: tokens }, (_, j) =>
        j === target ? 6 : j === 0 ? 2 : 0.2 + random() * 0.3,
      );
      const sum = raw.reduce((a, b) => a + b, 0);
      const t = raw.map((v) => v / sum);
      const noise = Array.from({ length: tokens }, () => random());
      const ns = noise.reduce((a, b) => a + b, 0);
      const s = t.map((v, j) => progress * v + (1 - progress) * ((noise[j] ?? 0) / ns));
      const round = (x: number): number => Math.round(x * 1e4) / 1e4;
      th.push(t.map(round));
      sh.push(s.map(round));
    }
    teacher.push(th);
    student.push(sh);
  }
  return { teacher, student };
}

export function fixtureEvents(options: FixtureOptions = {}): RunEvent[] {
  const random = mulberry32(options.seed ?? 7);
  const [s1, s2] = options.stageSteps ?? [60, 140];
  const total = s1 + s2;
  const heads = options.heads ?? 2;
  const attentionEvery = options.attentionEvery ?? 25;
  const evalEvery = options.evalEvery ?? 20;
  const name = options.runName ?? 'reviews-kd';
  let time = options.start ?? Date.UTC(2025, 0, 6, 9, 0, 0);
  const events: RunEvent[] = [];
  const stages = [
    { name: 'hidden', kind: 'distill', steps: s1 },
    { name: 'kd', kind: 'distill', steps: s2 },
  ];
  const push = (event: RunEvent): void => {
    events.push(event);
  };
  push({
    type: 'run-start',
    time,
    payload: {
      protocolVersion: PROTOCOL_VERSION,
      runName: name,
      configFile: `/runs/${name}/config.json`,
      backend: 'wasm',
      stages,
    },
  });
  push({
    type: 'eval',
    time: (time += 400),
    payload: {
      stage: 'hidden',
      step: 0,
      globalStep: 0,
      model: 'teacher',
      metrics: { accuracy: 0.86, macroF1: 0.85, n: 200 },
      best: false,
    },
  });
  const probes =
    options.longProbe !== undefined && options.longProbe > 0
      ? [...PROBES, ['[CLS]', ...Array.from({ length: options.longProbe - 2 }, (_, i) => `w${i}`), '[SEP]']]
      : PROBES;
  let globalStep = 0;
  let best = 0;
  for (const [index, stage] of stages.entries()) {
    push({
      type: 'stage-change',
      time: (time += 5),
      payload: { stage: stage.name, index, kind: stage.kind, steps: stage.steps, trainLayers: 'all' },
    });
    for (let step = 1; step <= stage.steps; step++) {
      if (options.stopAfter !== undefined && globalStep >= options.stopAfter) return events;
      globalStep++;
      time += 180 + Math.floor(random() * 40);
      const progress = globalStep / total;
      const decay = Math.exp(-3 * progress);
      const noise = (): number => 1 + (random() - 0.5) * 0.3;
      const losses: Record<string, number> =
        index === 0
          ? {
              hidden: 2 * decay * noise(),
              attention: 0.5 * decay * noise(),
              embedding: 0.3 * decay * noise(),
            }
          : {
              softLabel: 1.2 * decay * noise(),
              hardLabel: 0.7 * decay * noise(),
              attention: 0.2 * decay * noise(),
            };
      // A loss spike the decimation must keep.
      if (globalStep === Math.floor(total * 0.7)) losses['softLabel'] = 9;
      losses['total'] = Object.values(losses).reduce((a, b) => a + b, 0);
      const warmup = Math.min(1, globalStep / 20);
      push({
        type: 'step',
        time,
        payload: {
          stage: stage.name,
          step,
          globalStep,
          epoch: step / 50,
          losses,
          learningRate: 3e-4 * warmup * (1 - 0.9 * progress),
          samplesPerSecond: 160 + random() * 30,
        },
      });
      if (globalStep % evalEvery === 0) {
        const accuracy = 0.5 + 0.32 * (1 - decay) + (random() - 0.5) * 0.02;
        const isBest = accuracy > best;
        best = Math.max(best, accuracy);
        push({
          type: 'eval',
          time: (time += 300),
          payload: {
            stage: stage.name,
            step,
            globalStep,
            model: 'student',
            metrics: { accuracy, macroF1: accuracy - 0.01, n: 200 },
            best: isBest,
          },
        });
      }
      if (globalStep % attentionEvery === 0 || step === stage.steps) {
        const maps: AttentionMapRecord[] = [];
        probes.forEach((tokens, probe) => {
          for (const [teacherLayer, studentLayer] of [
            [2, 1],
            [4, 2],
          ] as const) {
            const { teacher, student } = attention(
              tokens.length,
              heads,
              0.95 * progress * (studentLayer === 1 ? 1 : 0.9),
              random,
            );
            maps.push({ probe, teacherLayer, studentLayer, tokens, teacher, student, headMapping: 'none' });
          }
        });
        push({
          type: 'attention-snapshot',
          time: (time += 50),
          payload: { stage: stage.name, globalStep, maps, loss: 'kl' },
        });
      }
      if (globalStep % 100 === 0)
        push({
          type: 'checkpoint',
          time: (time += 80),
          payload: {
            stage: stage.name,
            globalStep,
            path: `/runs/${name}/checkpoints/step-${globalStep}`,
            reason: 'interval',
          },
        });
    }
  }
  push({
    type: 'done',
    time: (time += 500),
    payload: {
      globalStep,
      finalModel: `/runs/${name}/final`,
      best: { accuracy: best, macroF1: best - 0.01, n: 200 },
      durationSeconds: (time - (options.start ?? Date.UTC(2025, 0, 6, 9, 0, 0))) / 1000,
    },
  });
  return events;
}

export function eventsText(events: readonly RunEvent[]): string {
  return events.map((e) => `${JSON.stringify(e)}\n`).join('');
}

/** A run folder with events.jsonl, run.json and, with `reports`, two ONNX bench files and a doctor report. */
export function writeFixtureRun(dir: string, events: readonly RunEvent[], reports = false): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'events.jsonl'), eventsText(events));
  writeFileSync(
    join(dir, 'run.json'),
    JSON.stringify({ configFile: join(dir, 'config.json'), createdAt: '2025-01-06T09:00:00Z' }),
  );
  if (reports) {
    const onnx = join(dir, 'onnx');
    mkdirSync(onnx, { recursive: true });
    const bench = (name: string, file: string, precision: string, scale: number, bytes: number): void => {
      writeFileSync(join(onnx, file), 'placeholder onnx');
      writeFileSync(
        join(onnx, file.replace(/\.onnx$/, '.bench.json')),
        JSON.stringify(benchReport(join(onnx, file), name, precision, scale, bytes), null, 2),
      );
    };
    bench('teacher', 'teacher.onnx', 'fp32', 4, 44_000_000);
    bench('student', 'student.onnx', 'fp32', 1, 9_800_000);
    bench('student-int8', 'student-int8.onnx', 'int8', 0.6, 2_600_000);
    writeFileSync(join(dir, 'doctor.json'), JSON.stringify(doctorReport(dir), null, 2));
  }
  return dir;
}

export function benchReport(
  path: string,
  name: string,
  precision: string,
  scale: number,
  bytes: number,
): unknown {
  const point = (batch: number, sequence: number): Record<string, number> => {
    const p50 = scale * (0.8 + 0.05 * batch * (sequence / 32));
    return {
      batch,
      sequence,
      p50Ms: p50,
      p90Ms: p50 * 1.15,
      p99Ms: p50 * 1.4,
      meanMs: p50 * 1.05,
      samplesPerSecond: batch / (p50 / 1000),
      tokensPerSecond: (batch * sequence) / (p50 / 1000),
    };
  };
  return {
    schema: 'distill-studio.bench/2',
    createdAt: '2025-01-06T10:00:00.000Z',
    host: {
      cpu: 'Test CPU @ 2.0GHz',
      cpus: 2,
      platform: 'linux',
      arch: 'x64',
      node: 'v20.19.0',
      onnxruntime: '1.30.0',
    },
    settings: { batches: [1, 8], sequences: [32, 128], threads: 1, ep: 'cpu', warmup: 5, runs: 30 },
    baseline: path,
    models: [
      {
        path,
        name,
        runtime: 'onnxruntime',
        fileBytes: bytes,
        parameters: Math.round(bytes / 4),
        precision,
        executionProvider: 'cpu',
        peakRssBytes: 300_000_000,
        points: [point(1, 32), point(1, 128), point(8, 32), point(8, 128)],
        skipped: [],
      },
    ],
  };
}

export function doctorReport(runDir: string): unknown {
  return {
    schema: 'distill-studio.doctor/1',
    createdAt: '2025-01-06T10:05:00.000Z',
    data: 'data/eval.tsv',
    n: 200,
    stages: [
      {
        stage: 'teacher',
        path: join(runDir, 'teacher'),
        backend: 'wasm',
        accuracy: 0.86,
        macroF1: 0.85,
        maxLength: 128,
      },
      {
        stage: 'student',
        path: join(runDir, 'final'),
        backend: 'wasm',
        accuracy: 0.82,
        macroF1: 0.81,
        maxLength: 128,
      },
      {
        stage: 'onnx',
        path: join(runDir, 'onnx', 'student.onnx'),
        backend: 'onnxruntime',
        accuracy: 0.82,
        macroF1: 0.81,
        maxLength: 128,
      },
      {
        stage: 'int8',
        path: join(runDir, 'onnx', 'student-int8.onnx'),
        backend: 'onnxruntime',
        accuracy: 0.79,
        macroF1: 0.78,
        maxLength: 64,
      },
    ],
    agreement: [
      { from: 'teacher', to: 'student', rate: 0.91 },
      { from: 'student', to: 'onnx', rate: 1 },
      { from: 'onnx', to: 'int8', rate: 0.95 },
    ],
    attribution: { total: 0.07, distillation: 0.04, conversion: 0, quantization: 0.03 },
    findings: [
      {
        code: 'TRUNCATION',
        severity: 'warning',
        stage: 'int8',
        message:
          'int8 cuts inputs at 64 tokens while the student reads 128: 12% of the rows are longer. Export with --max-length 128.',
      },
    ],
  };
}
