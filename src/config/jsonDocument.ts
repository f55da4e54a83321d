// A parsed JSON-with-comments document that can map JSON paths back to exact ranges in the text.
// jsonc-parser is the parser VS Code itself uses for settings files, so positions agree with the editor.
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { ConfigDiagnostic, Position, Range } from '../protocol/diagnostics';

export type JsonPath = (string | number)[];

/** Converts UTF-16 offsets to zero-based line/character positions. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.lineStarts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.lineStarts.push(i + 1);
      }
    }
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - (this.lineStarts[lo] ?? 0) };
  }

  range(offset: number, length: number): Range {
    return { start: this.position(offset), end: this.position(offset + length) };
  }
}

export type ParsedJson =
  { kind: 'ok'; document: JsonDocument } | { kind: 'syntax-error'; diagnostics: ConfigDiagnostic[] };

/** Parses `text` (comments and trailing commas allowed); syntax errors come back as diagnostics, all of them. */
export function parseJsonDocument(file: string, text: string): ParsedJson {
  const lines = new LineIndex(text);
  if (text.trim() === '') {
    const message = 'The file is empty. Run `distill-studio init` to write an example config.';
    return {
      kind: 'syntax-error',
      diagnostics: [
        { severity: 'error', code: 'json-syntax', message, file, range: lines.range(0, 0), path: [] },
      ],
    };
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || root === undefined) {
    const diagnostics: ConfigDiagnostic[] = errors.map((e) => ({
      severity: 'error',
      code: 'json-syntax',
      message: `${describeParseError(printParseErrorCode(e.error))}. The file must be JSON (comments and trailing commas are allowed).`,
      file,
      range: lines.range(e.offset, Math.max(e.length, 1)),
      path: [],
    }));
    return { kind: 'syntax-error', diagnostics };
  }
  return { kind: 'ok', document: new JsonDocument(file, text, root, lines) };
}

function describeParseError(code: string): string {
  const messages: Record<string, string> = {
    InvalidSymbol: 'Invalid symbol',
    InvalidNumberFormat: 'Invalid number',
    PropertyNameExpected: 'A property name in double quotes was expected',
    ValueExpected: 'A value was expected',
    ColonExpected: 'A colon was expected after the property name',
    CommaExpected: 'A comma was expected between entries',
    CloseBraceExpected: 'A closing brace `}` was expected',
    CloseBracketExpected: 'A closing bracket `]` was expected',
    EndOfFileExpected: 'Nothing may follow the top-level value',
    InvalidCommentToken: 'Invalid comment',
    UnexpectedEndOfComment: 'A block comment is not closed',
    UnexpectedEndOfString: 'A string is not closed',
    UnexpectedEndOfNumber: 'A number is cut off',
    InvalidUnicode: 'Invalid \\u escape',
    InvalidEscapeCharacter: 'Invalid escape character in a string',
    InvalidCharacter: 'Invalid character in a string (control characters must be escaped)',
  };
  return messages[code] ?? code;
}

/** A successfully parsed config document. */
export class JsonDocument {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly root: Node,
    readonly lines: LineIndex,
  ) {}

  /** The node at `path`, or undefined when the path is not written in the file. */
  node(path: JsonPath): Node | undefined {
    return path.length === 0 ? this.root : findNodeAtLocation(this.root, path);
  }

  /**
   * Range for a diagnostic about `path`: the value when it is written, else the closest written ancestor's
   * property key (so "missing X in data" points at `"data"`).
   */
  rangeOf(path: JsonPath, target: 'value' | 'key' = 'value'): Range {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.node(path.slice(0, depth));
      if (node === undefined) continue;
      const exact = depth === path.length;
      const keyNode = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
      if (exact && target === 'value') return this.lines.range(node.offset, node.length);
      if (keyNode !== undefined) return this.lines.range(keyNode.offset, keyNode.length);
      // Root object, or an array element: point at its first character only, not the whole block.
      return this.lines.range(node.offset, Math.min(node.length, 1));
    }
    return this.lines.range(0, 0);
  }

  /** Whether `path` is written in the file (as opposed to filled by a default). */
  has(path: JsonPath): boolean {
    return this.node(path) !== undefined;
  }
}
