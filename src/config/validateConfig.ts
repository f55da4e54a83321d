// The one validation engine shared by the CLI (`distill-studio validate`) and the extension's inline diagnostics:
// JSON syntax, then the schema, then semantic checks against the files and models the config names.
import { dirname } from 'node:path';
import type { DistillConfig } from '../protocol/config';
import type { ConfigDiagnostic } from '../protocol/diagnostics';
import { checkData } from './dataCheck';
import { parseJsonDocument } from './jsonDocument';
import { checkModels } from './modelCheck';
import { checkOutput } from './outputCheck';
import { resolveModelShape } from './modelShape';
import { Reporter } from './reporter';
import { checkSchema } from './schemaCheck';
import { checkTokenizer } from './tokenizerCheck';
import { parse as parseJsonc } from 'jsonc-parser';

export type ValidationResult =
  | { kind: 'syntax-error'; diagnostics: ConfigDiagnostic[] }
  | { kind: 'checked'; valid: boolean; config: DistillConfig | undefined; diagnostics: ConfigDiagnostic[] };

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * Validates config `text` that lives at `file` (its folder anchors relative paths). Never throws for bad
 * input: every problem, in the config or in a referenced file, comes back as a diagnostic, all at once.
 */
export async function validateConfigText(file: string, text: string): Promise<ValidationResult> {
  const parsed = parseJsonDocument(file, text);
  if (parsed.kind === 'syntax-error') return parsed;
  const doc = parsed.document;
  const value: unknown = parseJsonc(text, [], { allowTrailingComma: true });
  const schemaDiagnostics = checkSchema(doc, value);
  // Semantic checks run on every top-level section whose structure is valid, so one run reports everything it
  // can; sections with schema errors are skipped rather than guessed at.
  const broken = new Set(schemaDiagnostics.map((d) => (d.path.length === 0 ? '*' : String(d.path[0]))));
  const ok = (...keys: string[]): boolean => !broken.has('*') && keys.every((k) => !broken.has(k));
  const config = value as DistillConfig;
  const baseDir = dirname(file);
  const report = new Reporter(doc);
  for (const d of schemaDiagnostics) report.push(d);
  const data = ok('data') ? await checkData(config.data, baseDir, report) : undefined;
  const teacher = ok('teacher')
    ? await resolveModelShape(config.teacher, ['teacher'], doc, baseDir, report.diagnostics)
    : undefined;
  const student = ok('student')
    ? await resolveModelShape(config.student, ['student'], doc, baseDir, report.diagnostics)
    : undefined;
  const given = config.pretrainTeacher !== undefined;
  const pretrainTeacher =
    given && ok('pretrainTeacher') && config.pretrainTeacher !== undefined
      ? await resolveModelShape(config.pretrainTeacher, ['pretrainTeacher'], doc, baseDir, report.diagnostics)
      : undefined;
  const modelsOk = ok('data', 'losses', 'layerMapping', 'stages', 'pretrainTeacher');
  if (
    teacher !== undefined &&
    student !== undefined &&
    data !== undefined &&
    modelsOk &&
    (!given || pretrainTeacher)
  )
    checkModels(config, teacher, student, data, report, pretrainTeacher);
  if (ok('tokenizer')) await checkTokenizer(config, baseDir, teacher, student, report, pretrainTeacher);
  if (ok('output')) await checkOutput(config, baseDir, report);
  const diagnostics = [...report.diagnostics].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.file.localeCompare(b.file) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character,
  );
  const valid = !diagnostics.some((d) => d.severity === 'error');
  return { kind: 'checked', valid, config: valid ? config : undefined, diagnostics };
}
