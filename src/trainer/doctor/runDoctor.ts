// `doctor`: where did the accuracy go between teacher, student, ONNX and int8? Evaluates every stage on the same
// data, measures agreement between consecutive stages, attributes the drop to distillation, conversion and
// quantization, then probes the usual culprits (checks.ts).
import {
  checkLabelOrder,
  checkMask,
  checkSwappedInputs,
  checkTokenizers,
  checkTruncation,
  type Finding,
} from './checks';
import {
  agreement,
  openStage,
  readTexts,
  type DoctorData,
  type Stage,
  type StageName,
  type StageSpec,
} from './stages';

export interface DoctorRequest {
  teacher: string;
  student: string;
  onnx?: string;
  onnxInt8?: string;
  data: string;
  textColumn: string;
  /** Second text of each example, for sentence-pair tasks. */
  textPairColumn?: string;
  labelColumn: string;
  backend?: string;
  log?: (line: string) => void;
}

export interface StageSummary {
  stage: StageName;
  path: string;
  backend: string;
  accuracy: number;
  macroF1: number;
  maxLength: number;
}

export interface DoctorReport {
  data: string;
  n: number;
  stages: StageSummary[];
  /** Prediction agreement between each stage and the one before it. */
  agreement: { from: StageName; to: StageName; rate: number }[];
  /** Accuracy lost (positive) or gained (negative) at each step; absent steps are left out. */
  attribution: { total: number; distillation?: number; conversion?: number; quantization?: number };
  findings: Finding[];
}

export async function runDoctor(request: DoctorRequest): Promise<DoctorReport> {
  const specs: StageSpec[] = [
    { name: 'teacher', path: request.teacher },
    { name: 'student', path: request.student },
    ...(request.onnx !== undefined ? [{ name: 'onnx' as const, path: request.onnx }] : []),
    ...(request.onnxInt8 !== undefined ? [{ name: 'int8' as const, path: request.onnxInt8 }] : []),
  ];
  const inputs = await readTexts(request.data, request.textColumn, request.textPairColumn);
  const n = inputs.n;
  const columns = {
    textColumn: request.textColumn,
    ...(request.textPairColumn !== undefined ? { textPairColumn: request.textPairColumn } : {}),
    labelColumn: request.labelColumn,
  };
  const stages: Stage[] = [];
  try {
    for (const spec of specs) {
      request.log?.(`evaluating the ${spec.name} (${spec.path})...`);
      stages.push(await openStage(spec, request.data, inputs, columns, request.backend));
    }
    request.log?.('checking the usual culprits...');
    const findings = await diagnose(stages, inputs);
    return {
      data: request.data,
      n,
      stages: stages.map((s) => ({
        stage: s.name,
        path: s.path,
        backend: s.report.backend,
        accuracy: s.report.accuracy,
        macroF1: s.report.macroF1,
        maxLength: s.maxLength,
      })),
      agreement: stages.slice(1).map((s, i) => ({
        from: stages[i]?.name ?? 'teacher',
        to: s.name,
        rate: agreement(stages[i]?.predicted ?? [], s.predicted),
      })),
      attribution: attribute(stages),
      findings,
    };
  } finally {
    for (const stage of stages) await stage.model.dispose();
  }
}

async function diagnose(stages: readonly Stage[], inputs: DoctorData): Promise<Finding[]> {
  // An ONNX file whose metadata disagrees with the config.json or tokenizer_config.json beside it.
  const metadata: Finding[] = stages.flatMap((stage) =>
    (stage.model.warnings ?? []).map((message) => ({
      code: 'METADATA_MISMATCH' as const,
      severity: 'warning' as const,
      stage: stage.name,
      message,
    })),
  );
  const findings = [...metadata, ...checkTokenizers(stages, inputs), ...checkTruncation(stages, inputs)];
  // A teacher given as ONNX has no stage before it to compare with, but its mask can still be probed.
  const first = stages[0];
  if (first?.model.kind === 'onnx') findings.push(...(await checkMask(first, inputs)));
  for (let i = 1; i < stages.length; i++) {
    const stage = stages[i];
    const before = stages[i - 1];
    if (stage === undefined || before === undefined) continue;
    findings.push(...checkLabelOrder(before, stage));
    if (stage.model.kind !== 'onnx') continue;
    // A swapped mask also looks like an ignored mask; report the root cause only.
    const swapped = await checkSwappedInputs(stage, before, inputs);
    findings.push(...(swapped.length > 0 ? swapped : await checkMask(stage, inputs)));
  }
  return findings;
}

function attribute(stages: readonly Stage[]): DoctorReport['attribution'] {
  const accuracy = (name: StageName): number | undefined =>
    stages.find((s) => s.name === name)?.report.accuracy;
  const teacher = accuracy('teacher');
  const student = accuracy('student');
  const onnx = accuracy('onnx');
  const int8 = accuracy('int8');
  const last = int8 ?? onnx ?? student ?? 0;
  const quantFrom = onnx ?? student;
  return {
    total: (teacher ?? 0) - last,
    ...(teacher !== undefined && student !== undefined ? { distillation: teacher - student } : {}),
    ...(student !== undefined && onnx !== undefined ? { conversion: student - onnx } : {}),
    ...(quantFrom !== undefined && int8 !== undefined ? { quantization: quantFrom - int8 } : {}),
  };
}
