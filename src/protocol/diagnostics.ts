// Diagnostics produced by config validation: one shape for the CLI, the extension's Problems panel and JSON output.
// Positions are zero-based lines and UTF-16 columns, as in VS Code and LSP; the CLI prints them one-based.

/** A zero-based position in a text file. */
export interface Position {
  /** Zero-based line. */
  line: number;
  /** Zero-based column in UTF-16 code units. */
  character: number;
}

/** A range in a text file; `end` is exclusive. */
export interface Range {
  start: Position;
  end: Position;
}

/**
 * Every diagnostic code, each documented in docs/diagnostics.md (a unit test keeps the two in step). The
 * `teacher-*` input codes come from the trainer's check before distilling (guards.checkTeacherInputs), which sees
 * the real tokenizer, data and ONNX file; they are positioned in the config like the validator's.
 */
export const DIAGNOSTIC_CODES = [
  'json-syntax',
  'schema-required',
  'schema-unknown-property',
  'schema-enum',
  'schema-type',
  'schema-range',
  'schema-pattern',
  'schema-invalid',
  'file-missing',
  'file-unreadable',
  'data-format-unknown',
  'data-empty',
  'data-missing-column',
  'data-bad-row',
  'data-bad-rows',
  'data-one-label',
  'data-label-undeclared',
  'data-label-unused',
  'data-label-duplicate',
  'data-label-unknown',
  'checkpoint-not-folder',
  'checkpoint-config-missing',
  'checkpoint-config-invalid',
  'checkpoint-unsupported-type',
  'checkpoint-pickle',
  'checkpoint-weights-missing',
  'model-unspecified',
  'preset-ignored',
  'heads-do-not-divide-width',
  'hidden-width-mismatch',
  'head-count-mismatch',
  'head-group-indivisible',
  'layer-map-out-of-range',
  'layer-map-shared',
  'layer-map-pairs-ignored',
  'stage-layer-out-of-range',
  'stage-needs-unlabelled',
  'stage-no-loss',
  'stage-duplicate-name',
  'teacher-untrained',
  'max-length-exceeds-positions',
  'pairs-need-token-types',
  'label-count-mismatch',
  'label-order-mismatch',
  'tokenizer-missing',
  'tokenizer-invalid',
  'vocab-exceeds-embeddings',
  'vocab-smaller-than-embeddings',
  'output-dir-missing',
  'output-dir-not-folder',
  'teacher-no-mlm-head',
  'onnx-teacher-unsupported',
  'teacher-lowercase-mismatch',
  'teacher-vocab-mismatch',
  'teacher-token-types',
  'teacher-max-length',
  'teacher-inputs-truncated',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** How serious a finding is. Only errors make a config invalid. */
export type Severity = 'error' | 'warning' | 'info';

/** One finding about a config or a file it references. */
export interface ConfigDiagnostic {
  /** Severity; any `error` makes the config invalid. */
  severity: Severity;
  /** Stable identifier, e.g. `schema-unknown-property` or `hidden-width-mismatch` (docs/diagnostics.md). */
  code: DiagnosticCode;
  /** What is wrong and how to fix it. */
  message: string;
  /** File the range refers to: the config itself, or a data/checkpoint file it references. */
  file: string;
  /** Exact range in `file`. */
  range: Range;
  /** JSON path in the config, e.g. `["losses", "hidden", "projection"]`; empty for the root or other files. */
  path: (string | number)[];
}

/** Renders a JSON path the way users write it: `losses.hidden.projection`, `stages[1].trainLayers[0]`. */
export function formatJsonPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(root)' : out;
}
