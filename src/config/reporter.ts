// Collects diagnostics for one validation pass, positioned in the config or in a referenced file.
import type { ConfigDiagnostic, DiagnosticCode, Range, Severity } from '../protocol/diagnostics';
import type { JsonDocument, JsonPath } from './jsonDocument';

export class Reporter {
  readonly diagnostics: ConfigDiagnostic[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly doc: JsonDocument) {}

  /** A finding about the config value at `path` (or its closest written ancestor). */
  at(
    severity: Severity,
    code: DiagnosticCode,
    path: JsonPath,
    message: string,
    target: 'key' | 'value' = 'value',
  ): void {
    this.push({ severity, code, message, file: this.doc.file, range: this.doc.rangeOf(path, target), path });
  }

  /** A finding about a line of another file (a data file, a checkpoint's config.json). One-based `line`. */
  inFile(
    severity: Severity,
    code: DiagnosticCode,
    file: string,
    line: number,
    message: string,
    path: JsonPath = [],
  ): void {
    const range: Range = { start: { line: line - 1, character: 0 }, end: { line: line - 1, character: 0 } };
    this.push({ severity, code, message, file, range, path });
  }

  push(diagnostic: ConfigDiagnostic): void {
    const key = `${diagnostic.file}|${diagnostic.code}|${diagnostic.range.start.line}:${diagnostic.range.start.character}|${diagnostic.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(diagnostic);
  }
}
