// Quick fixes for *.distill.json: each fix is computed against the REAL validator's diagnostic (code, message,
// JSON path), keeps comments and formatting, and makes that diagnostic go away when applied. The code action
// provider turns them into WorkspaceEdits for the diagnostics VS Code passes in.
import type { CodeAction, WorkspaceEdit } from '../../helpers/vscodeMock';
import { Diagnostic, Range, Uri } from '../../helpers/vscodeMock';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import type * as vscode from 'vscode';
import { validateConfigText } from '../../../src/config/validateConfig';
import { ConfigQuickFixProvider } from '../../../src/extension/configQuickFixes';
import { editFor, quickFixesFor, type QuickFix, type TextEdit } from '../../../src/extension/quickFixEdits';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { tinyRunConfig, writeTinyRun } from '../../helpers/tinyRun';

const t = (message: string, ...args: (string | number)[]): string =>
  message.replace(/\{(\d+)\}/g, (_w, i: string) => String(args[Number(i)]));

const apply = (text: string, edit: TextEdit): string =>
  text.slice(0, edit.offset) + edit.content + text.slice(edit.offset + edit.length);

/** A config with a comment line, so every fix must keep it. */
function commented(file: string): string {
  const text = readFileSync(file, 'utf8');
  return text.replace('{\n', '{\n  // keep this comment\n');
}

async function fixesFor(
  tc: TestContext,
  overrides: Record<string, unknown>,
  code: string,
): Promise<{ file: string; text: string; fixes: QuickFix[] }> {
  const ws = tempWorkspace(tc);
  const file = writeTinyRun(ws, overrides);
  const text = commented(file);
  const result = await validateConfigText(file, text);
  const finding = result.diagnostics.find((d) => d.code === code);
  assert.ok(finding, `no ${code} in ${JSON.stringify(result.diagnostics.map((d) => d.code))}`);
  return { file, text, fixes: quickFixesFor(text, finding, t) };
}

async function assertFixed(file: string, text: string, fix: QuickFix | undefined, code: string) {
  assert.ok(fix);
  const fixed = apply(text, fix.edit);
  assert.match(fixed, /\/\/ keep this comment/);
  const again = await validateConfigText(file, fixed);
  assert.deepEqual(
    again.diagnostics.filter((d) => d.code === code).map((d) => d.message),
    [],
    `${code} still reported after "${fix.title}"`,
  );
  return fixed;
}

const base = tinyRunConfig();
const losses = base.losses as Record<string, Record<string, unknown>>;

test('hidden-width-mismatch: the fix sets the loss projection to true', async (tc) => {
  const { file, text, fixes } = await fixesFor(
    tc,
    { losses: { ...losses, hidden: { weight: 1 } } },
    'hidden-width-mismatch',
  );
  assert.equal(fixes.length, 1);
  const fixed = await assertFixed(file, text, fixes[0], 'hidden-width-mismatch');
  assert.match(fixed, /"projection": true/);
});

test('head-count-mismatch: "group" when the heads divide (preferred), "mean" too', async (tc) => {
  const { file, text, fixes } = await fixesFor(
    tc,
    { losses: { ...losses, attention: { weight: 1, headMapping: 'none' } } },
    'head-count-mismatch',
  );
  assert.deepEqual(
    fixes.map((f) => [f.title, f.preferred]),
    [
      ['Map attention heads in groups (headMapping "group")', true],
      ['Average attention over all heads (headMapping "mean")', false],
    ],
  );
  assert.match(await assertFixed(file, text, fixes[0], 'head-count-mismatch'), /"headMapping": "group"/);
  assert.match(await assertFixed(file, text, fixes[1], 'head-count-mismatch'), /"headMapping": "mean"/);
});

test('head-count-mismatch: only "mean" when the heads do not divide', () => {
  const text = '{\n  "losses": { "attention": { "weight": 1 } }\n}\n';
  const fixes = quickFixesFor(
    text,
    {
      code: 'head-count-mismatch',
      message:
        'The attention loss compares 4 teacher heads with 3 student heads. Set "losses.attention.headMapping" to "mean" (average over all heads).',
      path: ['losses', 'attention', 'headMapping'],
    },
    t,
  );
  assert.equal(fixes.length, 1);
  assert.equal(fixes[0]?.preferred, true);
  assert.ok(fixes[0]);
  assert.match(apply(text, fixes[0].edit), /"headMapping": "mean"/);
});

test('layer-map-out-of-range: clamp the explicit pair to the last layer, or switch to "uniform"', async (tc) => {
  const { file, text, fixes } = await fixesFor(
    tc,
    {
      layerMapping: {
        strategy: 'explicit',
        pairs: [
          { teacherLayer: 1, studentLayer: 1 },
          { teacherLayer: 9, studentLayer: 2 },
        ],
      },
    },
    'layer-map-out-of-range',
  );
  assert.deepEqual(
    fixes.map((f) => f.title),
    ['Clamp teacherLayer to 2', 'Use the "uniform" layer mapping instead'],
  );
  const clamped = await assertFixed(file, text, fixes[0], 'layer-map-out-of-range');
  assert.match(clamped, /"teacherLayer": 2/);
  const uniform = await assertFixed(file, text, fixes[1], 'layer-map-out-of-range');
  assert.match(uniform, /"strategy": "uniform"/);
  assert.doesNotMatch(uniform, /"pairs"/);
});

test('data-missing-column: the fix uses the column the message suggests', async (tc) => {
  const { file, text, fixes } = await fixesFor(
    tc,
    { data: { ...(base.data as object), textColumn: 'txt' } },
    'data-missing-column',
  );
  assert.equal(fixes.length, 1);
  const fixed = await assertFixed(file, text, fixes[0], 'data-missing-column');
  assert.match(fixed, /"textColumn": "text"/);
});

test('edits are minimal and keep tabs, comments and other codes get no fix', () => {
  const text = '{\n\t// c\n\t"losses": {\n\t\t"hidden": { "weight": 1 }\n\t}\n}\n';
  const edit = editFor(text, [{ path: ['losses', 'hidden', 'projection'], value: true }]);
  assert.ok(edit);
  assert.ok(edit.offset > text.indexOf('"hidden"'));
  assert.match(apply(text, edit), /\t\/\/ c\n/);
  assert.equal(editFor(text, [{ path: ['losses', 'hidden', 'weight'], value: 1 }]), undefined);
  assert.deepEqual(quickFixesFor(text, { code: 'file-missing', message: 'x', path: ['output'] }, t), []);
});

test('the code action provider turns fixes into WorkspaceEdits for distill-studio diagnostics', () => {
  const text = '{\n  "losses": { "hidden": { "weight": 1 } }\n}\n';
  const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((m) => (m.index ?? 0) + 1)];
  const document = {
    uri: Uri.file('/w/a.distill.json'),
    getText: () => text,
    offsetAt: (p: { line: number; character: number }) => (lineStarts[p.line] ?? 0) + p.character,
    positionAt: (offset: number) => {
      let line = 0;
      while ((lineStarts[line + 1] ?? Infinity) <= offset) line++;
      return { line, character: offset - (lineStarts[line] ?? 0) };
    },
  };
  const diagnostic = new Diagnostic(
    new Range(1, 14, 1, 40),
    'The hidden loss compares teacher states of width 32 with student states of width 16. Set "losses.hidden.projection": true to learn a 16->32 projection.',
    0,
  );
  diagnostic.source = 'distill-studio';
  diagnostic.code = 'hidden-width-mismatch';
  const other = new Diagnostic(new Range(0, 0, 0, 1), 'x', 0);
  const provider = new ConfigQuickFixProvider(() => ['losses', 'hidden', 'projection']);
  const actions = provider.provideCodeActions(
    document as unknown as vscode.TextDocument,
    new Range(1, 14, 1, 14) as unknown as vscode.Range,
    { diagnostics: [diagnostic, other] } as unknown as vscode.CodeActionContext,
  ) as unknown as CodeAction[];
  assert.equal(actions.length, 1);
  const action = actions[0];
  assert.ok(action);
  assert.equal(action.title, 'Add a projection to the hidden loss');
  assert.equal(action.isPreferred, true);
  const replacement = (action.edit as WorkspaceEdit).replacements[0];
  assert.ok(replacement);
  const start = document.offsetAt(replacement.range.start);
  const end = document.offsetAt(replacement.range.end);
  const fixed = text.slice(0, start) + replacement.newText + text.slice(end);
  assert.deepEqual(JSON.parse(fixed), { losses: { hidden: { weight: 1, projection: true } } });
});
