// Checks the data files a config names: they exist and parse, headers hold the named columns, rows are usable,
// and labels agree between train, eval, test, the `labels` list and the teacher checkpoint.
import { stat } from 'node:fs/promises';
import type { DataSpec } from '../protocol/config';
import type { DiagnosticCode } from '../protocol/diagnostics';
import { detectFormat, labelOf, readTable, type Table } from '../data/tableReader';
import type { JsonPath } from './jsonDocument';
import { resolveFrom } from './paths';
import type { Reporter } from './reporter';
import { closest } from './suggest';

const MAX_ROW_REPORTS = 20;

// Validation runs on every keystroke in the editor: re-read a data file only when it changed.
const tableCache = new Map<string, { mtimeMs: number; size: number; table: Table }>();

async function loadTable(file: string, format: Table['format']): Promise<Table> {
  const info = await stat(file);
  const key = `${format}|${file}`;
  const cached = tableCache.get(key);
  if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.table;
  const table = await readTable(file, format);
  tableCache.set(key, { mtimeMs: info.mtimeMs, size: info.size, table });
  return table;
}

/** What the data looks like, for the checks that combine data with models. */
export interface DataSummary {
  /** Label names in model output order, when they could be determined. */
  labels?: string[];
  trainRows: number;
  hasPairs: boolean;
}

type Split = 'train' | 'eval' | 'test';

function ioMessage(error: unknown, file: string): { code: DiagnosticCode; message: string } {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return {
      code: 'file-missing',
      message: `File "${file}" does not exist (paths are relative to the config file).`,
    };
  if (code === 'EISDIR')
    return { code: 'file-unreadable', message: `"${file}" is a folder; name the data file inside it.` };
  if (code === 'EACCES' || code === 'EPERM')
    return { code: 'file-unreadable', message: `File "${file}" cannot be read: permission denied.` };
  return { code: 'file-unreadable', message: `File "${file}" cannot be read: ${(error as Error).message}` };
}

async function readSplit(
  split: Split,
  data: DataSpec,
  baseDir: string,
  report: Reporter,
): Promise<Table | undefined> {
  const given = data[split];
  if (given === undefined) return undefined;
  const path: JsonPath = ['data', split];
  const file = resolveFrom(baseDir, given);
  const format = detectFormat(file, data.format ?? 'auto');
  if (format === undefined) {
    report.at(
      'error',
      'data-format-unknown',
      path,
      `Cannot tell the format of "${given}" from its extension; name it .tsv, .csv or .jsonl, or set "data.format".`,
    );
    return undefined;
  }
  try {
    return await loadTable(file, format);
  } catch (error) {
    const { code, message } = ioMessage(error, given);
    report.at('error', code, path, message);
    return undefined;
  }
}

function checkColumns(table: Table, split: Split, data: DataSpec, report: Reporter): boolean {
  const wanted: { key: 'textColumn' | 'textPairColumn' | 'labelColumn'; name: string | undefined }[] = [
    { key: 'textColumn', name: data.textColumn ?? 'text' },
    { key: 'textPairColumn', name: data.textPairColumn },
    { key: 'labelColumn', name: data.labelColumn ?? 'label' },
  ];
  let ok = true;
  const where = table.format === 'jsonl' ? 'The first record of' : 'The header of';
  for (const { key, name } of wanted) {
    if (name === undefined || table.columns.includes(name)) continue;
    ok = false;
    const suggestion =
      closest(name, table.columns) ?? table.columns.find((c) => !Object.values(data).includes(c));
    const fix = suggestion !== undefined ? ` Set "data.${key}": "${suggestion}".` : '';
    const columns = table.columns.length > 0 ? table.columns.map((c) => `"${c}"`).join(', ') : 'none';
    const path: JsonPath = report.doc.has(['data', key]) ? ['data', key] : ['data', split];
    report.at(
      'error',
      'data-missing-column',
      path,
      `${where} ${split} file (${table.file}:1) has no column "${name}" for data.${key}; its columns are ${columns}.${fix}`,
    );
  }
  return ok;
}

/** Row-level problems: unparsable rows, empty text, missing labels. Reported per the `badRows` policy. */
function checkRows(table: Table, split: Split, data: DataSpec, report: Reporter): void {
  const textColumn = data.textColumn ?? 'text';
  const labelColumn = data.labelColumn ?? 'label';
  const bad = [...table.problems.map((p) => ({ line: p.line, message: `row ${p.message}` }))];
  for (const row of table.rows) {
    const text = row.values[textColumn];
    if (typeof text !== 'string' || text.trim() === '')
      bad.push({ line: row.line, message: `empty or missing text in column "${textColumn}"` });
    if (data.textPairColumn !== undefined) {
      const pair = row.values[data.textPairColumn];
      if (typeof pair !== 'string' || pair.trim() === '')
        bad.push({ line: row.line, message: `empty or missing text in column "${data.textPairColumn}"` });
    }
    if (labelOf(row.values[labelColumn]) === undefined)
      bad.push({ line: row.line, message: `missing label in column "${labelColumn}"` });
  }
  if (bad.length === 0) return;
  bad.sort((a, b) => a.line - b.line);
  const policy = data.badRows ?? 'abort';
  if (policy === 'skip') {
    const first = bad
      .slice(0, 3)
      .map((b) => `${table.file}:${b.line}`)
      .join(', ');
    report.at(
      'warning',
      'data-bad-rows',
      ['data', split],
      `${bad.length} row(s) of the ${split} file cannot be used and will be skipped (first: ${first}).`,
    );
    return;
  }
  for (const b of bad.slice(0, MAX_ROW_REPORTS)) {
    report.inFile(
      'error',
      'data-bad-row',
      table.file,
      b.line,
      `${split} data: ${b.message}. Fix the row, or set "data.badRows": "skip" to skip such rows with a count.`,
    );
  }
  if (bad.length > MAX_ROW_REPORTS) {
    report.at(
      'error',
      'data-bad-rows',
      ['data', split],
      `The ${split} file has ${bad.length} unusable rows (the first ${MAX_ROW_REPORTS} are listed). Fix them, or set "data.badRows": "skip".`,
    );
  }
}

/** Distinct labels of a table in first-seen order, with the line each first appears on. */
function labelLines(table: Table, labelColumn: string): Map<string, number> {
  const seen = new Map<string, number>();
  for (const row of table.rows) {
    const label = labelOf(row.values[labelColumn]);
    if (label !== undefined && !seen.has(label)) seen.set(label, row.line);
  }
  return seen;
}

/** Integers sort numerically, anything else as strings: labels 0..9, 10 come out in id order. */
export function defaultLabelOrder(labels: Iterable<string>): string[] {
  const all = [...labels];
  if (all.every((l) => /^-?\d+$/.test(l))) return all.sort((a, b) => Number(a) - Number(b));
  return all.sort();
}

export async function checkData(data: DataSpec, baseDir: string, report: Reporter): Promise<DataSummary> {
  const labelColumn = data.labelColumn ?? 'label';
  const tables: Partial<Record<Split, Table>> = {};
  for (const split of ['train', 'eval', 'test'] as const) {
    const table = await readSplit(split, data, baseDir, report);
    if (table === undefined) continue;
    if (table.rows.length === 0 && table.problems.length === 0) {
      report.at(
        'error',
        'data-empty',
        ['data', split],
        `The ${split} file "${data[split]}" has no data rows.`,
      );
      continue;
    }
    if (checkColumns(table, split, data, report)) {
      checkRows(table, split, data, report);
      tables[split] = table;
    }
  }
  for (const [index, file] of (data.unlabelled ?? []).entries()) {
    const resolved = resolveFrom(baseDir, file);
    const info = await stat(resolved).catch((error: unknown) => error as Error);
    if (info instanceof Error)
      report.at(
        'error',
        ioMessage(info, file).code,
        ['data', 'unlabelled', index],
        ioMessage(info, file).message,
      );
    else if (!info.isFile())
      report.at('error', 'file-unreadable', ['data', 'unlabelled', index], `"${file}" is not a file.`);
    else if (info.size === 0)
      report.at(
        'warning',
        'data-empty',
        ['data', 'unlabelled', index],
        `Unlabelled file "${file}" is empty.`,
      );
  }

  const summary: DataSummary = {
    trainRows: tables.train?.rows.length ?? 0,
    hasPairs: data.textPairColumn !== undefined,
  };
  const train = tables.train;
  if (train === undefined) return summary;
  const trainLabels = labelLines(train, labelColumn);
  if (data.labels !== undefined) {
    const declared = new Set(data.labels);
    for (const [label, line] of trainLabels) {
      if (!declared.has(label)) {
        report.at(
          'error',
          'data-label-undeclared',
          ['data', 'labels'],
          `Label "${label}" (${train.file}:${line}) is not in "data.labels"; add it, or fix the row.`,
        );
      }
    }
    data.labels.forEach((label, i) => {
      if (!trainLabels.has(label))
        report.at(
          'warning',
          'data-label-unused',
          ['data', 'labels', i],
          `Label "${label}" never occurs in the training data.`,
        );
    });
    if (new Set(data.labels).size !== data.labels.length)
      report.at('error', 'data-label-duplicate', ['data', 'labels'], '"data.labels" lists a label twice.');
  } else if (trainLabels.size < 2) {
    report.at(
      'error',
      'data-one-label',
      ['data', 'train'],
      `The training data has ${trainLabels.size} distinct label(s) in column "${labelColumn}"; a classifier needs at least two. Check "data.labelColumn".`,
    );
  }
  const known = new Set(data.labels ?? trainLabels.keys());
  for (const split of ['eval', 'test'] as const) {
    const table = tables[split];
    if (table === undefined) continue;
    for (const [label, line] of labelLines(table, labelColumn)) {
      if (known.has(label)) continue;
      report.inFile(
        'error',
        'data-label-unknown',
        table.file,
        line,
        `${split} label "${label}" never occurs in the training data (labels: ${[...known].map((l) => `"${l}"`).join(', ')}). The model cannot predict it: fix the label, or add training rows for it.`,
        ['data', split],
      );
    }
  }
  summary.labels = data.labels ?? defaultLabelOrder(trainLabels.keys());
  return summary;
}
