// Reads labelled data files (TSV/CSV with a header row, or JSONL) into rows that remember their line numbers,
// so every problem can be reported as file:line. Malformed rows are collected, never dropped silently.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';

export type TableFormat = 'tsv' | 'csv' | 'jsonl';

/** One data row and the one-based line it starts on. */
export interface TableRow {
  line: number;
  values: Record<string, unknown>;
}

/** A row that could not be read as a record. */
export interface RowProblem {
  line: number;
  message: string;
}

export interface Table {
  file: string;
  format: TableFormat;
  /** Header names (TSV/CSV) or the keys of the first record (JSONL). */
  columns: string[];
  rows: TableRow[];
  problems: RowProblem[];
}

/** The format named in the config, or the one implied by the extension; undefined when it cannot be told. */
export function detectFormat(file: string, declared: 'auto' | TableFormat = 'auto'): TableFormat | undefined {
  if (declared !== 'auto') return declared;
  const ext = extname(file).toLowerCase();
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  return undefined;
}

/**
 * Decodes UTF-8 strictly, line by line, so undecodable bytes are reported with their line instead of being
 * silently turned into U+FFFD. Bad lines are still decoded (lossily) so the rest of the file can be checked.
 */
export function decodeUtf8Lines(bytes: Uint8Array): { text: string; badLines: number[] } {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    return { text: strict.decode(bytes), badLines: [] };
  } catch {
    const lossy = new TextDecoder('utf-8');
    const badLines: number[] = [];
    const parts: string[] = [];
    let start = 0;
    let line = 1;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 10) {
        const chunk = bytes.subarray(start, Math.min(i + 1, bytes.length));
        try {
          parts.push(new TextDecoder('utf-8', { fatal: true, ignoreBOM: line !== 1 }).decode(chunk));
        } catch {
          badLines.push(line);
          parts.push(lossy.decode(chunk));
        }
        start = i + 1;
        line++;
      }
    }
    return { text: parts.join(''), badLines };
  }
}

function readDelimited(
  text: string,
  format: 'tsv' | 'csv',
  problems: RowProblem[],
): Omit<Table, 'file' | 'format' | 'problems'> {
  // TSV as GLUE writes it has no quoting: a `"` inside a sentence is literal text. Line ends are normalised
  // first: csv-parse fixes the record delimiter from the first one it sees, so a file mixing LF and CRLF would
  // otherwise keep `\r` in its last column and miscount lines.
  const records = parse(text.replace(/\r\n?/g, '\n'), {
    delimiter: format === 'tsv' ? '\t' : ',',
    quote: format === 'tsv' ? false : '"',
    relax_column_count: true,
    skip_empty_lines: true,
    bom: true,
    info: true,
  }) as { record: string[]; info: { lines: number } }[];
  const [header, ...body] = records;
  if (header === undefined) return { columns: [], rows: [] };
  const columns = header.record.map((c) => c.trim());
  const rows: TableRow[] = [];
  for (const { record, info } of body) {
    if (record.length !== columns.length) {
      problems.push({
        line: info.lines,
        message: `has ${record.length} field(s) but the header has ${columns.length}`,
      });
      continue;
    }
    const values: Record<string, unknown> = {};
    columns.forEach((name, i) => (values[name] = record[i]));
    rows.push({ line: info.lines, values });
  }
  return { columns, rows };
}

function readJsonLines(text: string, problems: RowProblem[]): Omit<Table, 'file' | 'format' | 'problems'> {
  const rows: TableRow[] = [];
  let columns: string[] | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      problems.push({ line: i + 1, message: `is not valid JSON (${(error as Error).message})` });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ line: i + 1, message: 'is not a JSON object' });
      return;
    }
    columns ??= Object.keys(value);
    rows.push({ line: i + 1, values: value as Record<string, unknown> });
  });
  return { columns: columns ?? [], rows };
}

/** Reads a whole table. Throws only for I/O errors (missing or unreadable file); content problems are collected. */
export async function readTable(file: string, format: TableFormat): Promise<Table> {
  const bytes = await readFile(file);
  const { text, badLines } = decodeUtf8Lines(bytes);
  const problems: RowProblem[] = badLines.map((line) => ({
    line,
    message: 'contains bytes that are not valid UTF-8',
  }));
  let body: Omit<Table, 'file' | 'format' | 'problems'>;
  try {
    body = format === 'jsonl' ? readJsonLines(text, problems) : readDelimited(text, format, problems);
  } catch (error) {
    // csv-parse stops at malformed quoting; report where it stopped.
    const match = /line (\d+)/.exec((error as Error).message);
    problems.push({
      line: match ? Number(match[1]) : 1,
      message: `cannot be parsed as ${format.toUpperCase()}: ${(error as Error).message}`,
    });
    body = { columns: [], rows: [] };
  }
  return { file, format, ...body, problems };
}

/** A cell as a label string: integers and strings are both fine, anything else is not a label. */
export function labelOf(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}
