// Quick fixes for config diagnostics (pure: no vscode, so unit tests can run it). Most are text edits computed with
// jsonc-parser's `modify`, which keeps comments and the file's formatting, each coming back as one minimal
// replacement of the original text; a missing output folder is fixed by creating it (a FolderFix).
import { dirname } from 'node:path';
import { applyEdits, modify, parse, type FormattingOptions, type JSONPath } from 'jsonc-parser';
import { resolveFrom } from '../config/paths';

/** One replacement in the original text: `length` characters from `offset` become `content`. */
export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

export interface QuickFix {
  title: string;
  /** The fix VS Code should offer first. */
  preferred: boolean;
  edit: TextEdit;
}

/** What the provider knows about a diagnostic: its code, message and the JSON path it points at. */
export interface FixableFinding {
  code: string;
  message: string;
  path: readonly (string | number)[];
}

/** vscode.l10n.t, or a stand-in in tests. */
export type Translate = (message: string, ...args: (string | number)[]) => string;

/** Indentation as the file already uses it (two spaces when it cannot tell). */
export function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  return indent.startsWith('\t')
    ? { insertSpaces: false, tabSize: 4, eol }
    : { insertSpaces: true, tabSize: indent.length, eol };
}

/** Applies `changes` one after another and returns the single edit that turns `text` into the result. */
export function editFor(text: string, changes: { path: JSONPath; value: unknown }[]): TextEdit | undefined {
  const formattingOptions = formattingOf(text);
  let next = text;
  for (const change of changes)
    next = applyEdits(next, modify(next, change.path, change.value, { formattingOptions }));
  if (next === text) return undefined;
  let start = 0;
  while (start < text.length && start < next.length && text[start] === next[start]) start++;
  let end = 0;
  while (
    end < text.length - start &&
    end < next.length - start &&
    text[text.length - 1 - end] === next[next.length - 1 - end]
  )
    end++;
  return { offset: start, length: text.length - start - end, content: next.slice(start, next.length - end) };
}

function fix(
  text: string,
  title: string,
  preferred: boolean,
  changes: { path: JSONPath; value: unknown }[],
): QuickFix[] {
  const edit = editFor(text, changes);
  return edit === undefined ? [] : [{ title, preferred, edit }];
}

/** The path of a loss field: the diagnostic's own path when it ends in `field`, else `losses.<name>.<field>`. */
function lossFieldPath(finding: FixableFinding, name: string, field: string): JSONPath {
  const path = [...finding.path];
  if (path[path.length - 1] === field) return path;
  const at = path.lastIndexOf('losses');
  if (at >= 0) return [...path.slice(0, at), 'losses', name, field];
  return ['losses', name, field];
}

/** The quick fixes for one finding in config `text`; empty when there is none. */
export function quickFixesFor(text: string, finding: FixableFinding, t: Translate): QuickFix[] {
  switch (finding.code) {
    case 'hidden-width-mismatch': {
      const name = /^The (\w+) loss/.exec(finding.message)?.[1] ?? 'hidden';
      return fix(text, t('Add a projection to the {0} loss', name), true, [
        { path: lossFieldPath(finding, name, 'projection'), value: true },
      ]);
    }
    case 'head-count-mismatch': {
      const path = lossFieldPath(finding, 'attention', 'headMapping');
      const group = finding.message.includes('"group"');
      return [
        ...(group
          ? fix(text, t('Map attention heads in groups (headMapping "group")'), true, [
              { path, value: 'group' },
            ])
          : []),
        ...fix(text, t('Average attention over all heads (headMapping "mean")'), !group, [
          { path, value: 'mean' },
        ]),
      ];
    }
    case 'layer-map-out-of-range': {
      const path = [...finding.path];
      const pairsAt = path.lastIndexOf('pairs');
      const base = pairsAt >= 0 ? path.slice(0, pairsAt) : path.slice(0, -1);
      const out: QuickFix[] = [];
      const field = path[path.length - 1];
      const max = /layers 0 \(embeddings\) to (\d+)\./.exec(finding.message)?.[1];
      if (pairsAt >= 0 && (field === 'teacherLayer' || field === 'studentLayer') && max !== undefined)
        out.push(
          ...fix(text, t('Clamp {0} to {1}', field, Number(max)), true, [{ path, value: Number(max) }]),
        );
      out.push(
        ...fix(text, t('Use the "uniform" layer mapping instead'), out.length === 0, [
          { path: [...base, 'strategy'], value: 'uniform' },
          { path: [...base, 'pairs'], value: undefined },
        ]),
      );
      return out;
    }
    case 'data-missing-column': {
      const match = /Set "data\.(\w+)": "((?:[^"\\]|\\.)*)"\./.exec(finding.message);
      if (match?.[1] === undefined || match[2] === undefined) return [];
      const value = JSON.parse(`"${match[2]}"`) as string;
      return fix(text, t('Use column "{0}" for data.{1}', value, match[1]), true, [
        { path: ['data', match[1]], value },
      ]);
    }
    default:
      return [];
  }
}

/** A fix that creates a folder instead of editing the config (the extension runs it as a command). */
export interface FolderFix {
  title: string;
  preferred: boolean;
  /** Absolute path of the folder to create (with its parents). */
  folder: string;
}

/** The folder fixes for one finding in `text`, the config at `configFile`; empty when there is none. */
export function folderFixesFor(
  text: string,
  configFile: string,
  finding: FixableFinding,
  t: Translate,
): FolderFix[] {
  if (finding.code !== 'output-dir-missing') return [];
  const value: unknown = parse(text, [], { allowTrailingComma: true });
  const output = (value as { output?: { dir?: unknown } } | null)?.output;
  const dir = output !== null && typeof output === 'object' ? output.dir : undefined;
  if (typeof dir !== 'string' || dir.trim() === '') return [];
  const folder = resolveFrom(dirname(configFile), dir);
  return [{ title: t('Create the output folder {0}', folder), preferred: true, folder }];
}
