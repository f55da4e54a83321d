// Renders config diagnostics for terminals (`file:line:col: severity code: message`, one-based, clickable in
// VS Code's terminal) and for machines (--json).
import { relative } from 'node:path';
import type { ConfigDiagnostic } from '../../protocol/diagnostics';

export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') ? rel : file;
}

export function formatDiagnostic(d: ConfigDiagnostic, cwd = process.cwd()): string {
  return `${displayPath(d.file, cwd)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}`;
}

/** The JSON form: the protocol's zero-based range plus one-based `line`/`column` for people and scripts. */
export function diagnosticJson(d: ConfigDiagnostic): ConfigDiagnostic & { line: number; column: number } {
  return { ...d, line: d.range.start.line + 1, column: d.range.start.character + 1 };
}

export function countBySeverity(diagnostics: readonly ConfigDiagnostic[]): {
  errors: number;
  warnings: number;
  infos: number;
} {
  return {
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
    infos: diagnostics.filter((d) => d.severity === 'info').length,
  };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
