// What the Benchmark tab computes from the saved benchmark files: which model each is (teacher or student, and its
// precision: the role the table and charts name), the shapes measured, speed-ups against a chosen baseline at the
// same batch x length (p50 ratio, and their geometric mean as `bench` reports it), and the accuracy of each model
// where one is known (the doctor's report, else the evaluations logged during training).
import type { BenchFileData, BenchPointData, DoctorData } from '../../../src/protocol/dashboard';
import type { EvalPoint } from '../../../src/protocol/runHistory';

export interface Role {
  who: 'teacher' | 'student';
  /** fp32, int8, fp16 or what the file says. */
  precision: string;
  /** A TensorFlow.js checkpoint folder rather than an ONNX file. */
  checkpoint: boolean;
}

const segments = (path: string): string[] => path.toLowerCase().split(/[\\/]/);

export function roleOf(b: BenchFileData): Role {
  const path = b.model.path;
  const parts = segments(path);
  const name = b.model.name.toLowerCase();
  const who =
    parts.some((p) => p === 'teacher' || p.includes('teacher')) || name.includes('teacher')
      ? 'teacher'
      : 'student';
  const text = `${parts.slice(-2).join('/')} ${name}`;
  const precision =
    b.model.precision ??
    (/int8|quant/.test(text) ? 'int8' : /fp16|float16|half/.test(text) ? 'fp16' : 'fp32');
  return { who, precision, checkpoint: b.model.runtime === 'tfjs' };
}

const ORDER = ['fp32', 'fp16', 'int8'];

/** Teacher first, then the student by precision (fp32, fp16, int8), checkpoints after their ONNX twin. */
export function sortBenchmarks(list: readonly BenchFileData[]): BenchFileData[] {
  const rank = (b: BenchFileData): number => {
    const r = roleOf(b);
    const p = ORDER.indexOf(r.precision);
    return (r.who === 'teacher' ? 0 : 100) + (p < 0 ? 50 : p * 10) + (r.checkpoint ? 5 : 0);
  };
  return [...list].sort((a, b) => rank(a) - rank(b) || a.model.path.localeCompare(b.model.path));
}

export interface Shape {
  key: string;
  batch: number;
  sequence: number;
}

export const shapeKey = (p: { batch: number; sequence: number }): string => `${p.batch}x${p.sequence}`;

/** Every measured shape, smallest first; those measured for every model first. */
export function shapes(list: readonly BenchFileData[]): Shape[] {
  const count = new Map<string, Shape & { n: number }>();
  for (const b of list)
    for (const p of b.model.points) {
      const key = shapeKey(p);
      const s = count.get(key) ?? { key, batch: p.batch, sequence: p.sequence, n: 0 };
      s.n++;
      count.set(key, s);
    }
  return [...count.values()]
    .sort((a, b) => b.n - a.n || a.batch - b.batch || a.sequence - b.sequence)
    .map(({ key, batch, sequence }) => ({ key, batch, sequence }));
}

export function pointAt(b: BenchFileData, shape: string): BenchPointData | undefined {
  return b.model.points.find((p) => shapeKey(p) === shape);
}

/** p50 of the baseline / p50 of the model at one shape. */
export function speedupAt(baseline: BenchFileData, model: BenchFileData, shape: string): number | undefined {
  const a = pointAt(baseline, shape);
  const b = pointAt(model, shape);
  return a !== undefined && b !== undefined && b.p50Ms > 0 ? a.p50Ms / b.p50Ms : undefined;
}

/** Geometric mean of the per-shape speed-ups over the shapes both measured. */
export function geoMeanSpeedup(baseline: BenchFileData, model: BenchFileData): number | undefined {
  const ratios = baseline.model.points
    .map((p) => speedupAt(baseline, model, shapeKey(p)))
    .filter((r): r is number => r !== undefined && r > 0);
  if (ratios.length === 0) return undefined;
  return Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
}

/** The default baseline: the teacher's fp32 ONNX, else any teacher, else the first. */
export function defaultBaseline(sorted: readonly BenchFileData[]): BenchFileData | undefined {
  return (
    sorted.find(
      (b) => roleOf(b).who === 'teacher' && roleOf(b).precision === 'fp32' && !roleOf(b).checkpoint,
    ) ??
    sorted.find((b) => roleOf(b).who === 'teacher') ??
    sorted[0]
  );
}

export interface KnownAccuracy {
  accuracy: number;
  source: 'doctor' | 'eval';
}

const normalize = (p: string): string => p.replace(/\\/g, '/').replace(/\/+$/, '').toLowerCase();

/**
 * The accuracy of a benchmarked model: the doctor stage on the same path (or the stage its role stands for:
 * teacher, student checkpoint, ONNX fp32, int8), else for checkpoints the evaluations logged in training.
 */
export function accuracyOf(
  b: BenchFileData,
  doctor: DoctorData | undefined,
  evals: readonly EvalPoint[],
): KnownAccuracy | undefined {
  const role = roleOf(b);
  if (doctor !== undefined) {
    const byPath = doctor.stages.find((s) => normalize(s.path) === normalize(b.model.path));
    const stageName =
      role.who === 'teacher'
        ? 'teacher'
        : role.checkpoint
          ? 'student'
          : role.precision === 'int8'
            ? 'int8'
            : role.precision === 'fp32'
              ? 'onnx'
              : undefined;
    // A role match is only trusted when the doctor's stage is of the same kind (ONNX file vs checkpoint folder).
    const byRole = doctor.stages.find(
      (s) => s.stage === stageName && s.path.toLowerCase().endsWith('.onnx') === !role.checkpoint,
    );
    const stage = byPath ?? byRole;
    if (stage !== undefined) return { accuracy: stage.accuracy, source: 'doctor' };
  }
  if (role.checkpoint) {
    const ofModel = evals.filter((e) => e.model === role.who);
    const best = ofModel.filter((e) => e.best).pop() ?? ofModel[ofModel.length - 1];
    if (best !== undefined) return { accuracy: best.metrics.accuracy, source: 'eval' };
  }
  return undefined;
}
