// Structural validation of a config against schema/distill.schema.json (Ajv), with messages that say how to
// fix each problem and ranges that point at the offending key or value. All errors are reported, not the first.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schemaJson from '../../schema/distill.schema.json';
import type { ConfigDiagnostic, DiagnosticCode } from '../protocol/diagnostics';
import { formatJsonPath } from '../protocol/diagnostics';
import type { JsonDocument, JsonPath } from './jsonDocument';
import { didYouMean, quotedList } from './suggest';

type SchemaNode = Record<string, unknown>;

const schema = schemaJson as unknown as SchemaNode;
let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  return compiled;
}

/** Follows `$ref`s into the schema's definitions. */
function deref(node: unknown): SchemaNode | undefined {
  let current = node as SchemaNode | undefined;
  for (let i = 0; i < 16 && current !== undefined; i++) {
    const ref = current['$ref'];
    if (typeof ref !== 'string') return current;
    const name = ref.replace('#/definitions/', '');
    current = (schema['definitions'] as Record<string, SchemaNode>)[name];
  }
  return current;
}

/** The JSON path an Ajv error is about, as path segments (numbers for array indices). */
function pathOf(error: ErrorObject, data: unknown): JsonPath {
  const segments = error.instancePath === '' ? [] : error.instancePath.slice(1).split('/');
  const path: JsonPath = [];
  let value: unknown = data;
  for (const raw of segments) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      const index = Number(segment);
      path.push(index);
      value = value[index];
    } else {
      path.push(segment);
      value =
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  return 'an object';
}

function expectedType(type: unknown): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    integer: 'an integer',
    boolean: 'true or false',
    object: 'an object { ... }',
    array: 'a list [ ... ]',
    null: 'null',
  };
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => names[String(t)] ?? String(t)).join(' or ');
}

/** Describes what one branch of an anyOf accepts, e.g. `a list [ ... ]` or `one of "a", "b"`. */
function describeBranch(branch: unknown): string {
  const node = deref(branch);
  if (node === undefined) return 'something else';
  if (Array.isArray(node['enum'])) return `one of ${quotedList(node['enum'])}`;
  if ('const' in node) return JSON.stringify(node['const']);
  if (node['type'] === 'array') {
    const items = deref(node['items']);
    const itemType =
      items?.['type'] === 'object' ? 'objects' : expectedType(items?.['type']).replace(/^an? /, '') + 's';
    return `a list of ${itemType}`;
  }
  return expectedType(node['type']);
}

function allowedValues(error: ErrorObject): unknown[] {
  if (error.keyword === 'const') return [(error.params as { allowedValue: unknown }).allowedValue];
  return (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
}

function messageFor(
  error: ErrorObject,
  path: JsonPath,
): { message: string; code: DiagnosticCode; target: 'key' | 'value' } {
  const where = formatJsonPath(path);
  const value = error.data;
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      const properties = (error.parentSchema?.['properties'] ?? {}) as Record<string, SchemaNode>;
      const description = properties[missing]?.['description'];
      const hint =
        typeof description === 'string' ? ` (${description.split('. ')[0]?.replace(/\.$/, '')})` : '';
      const owner = path.length === 0 ? 'The config' : `"${where}"`;
      return {
        code: 'schema-required',
        message: `${owner} is missing the required property "${missing}"${hint}. Add "${missing}": ...`,
        target: 'key',
      };
    }
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((error.parentSchema?.['properties'] ?? {}) as object);
      const owner = path.length === 0 ? 'at the top level' : `in "${where}"`;
      return {
        code: 'schema-unknown-property',
        message: `Unknown property "${extra}" ${owner}.${didYouMean(extra, known)} Allowed: ${known.join(', ')}.`,
        target: 'key',
      };
    }
    case 'enum':
    case 'const': {
      const allowed = allowedValues(error);
      const suggestion = typeof value === 'string' ? didYouMean(value, allowed.map(String)) : '';
      return {
        code: 'schema-enum',
        message: `"${where}" is ${JSON.stringify(value)}; it must be ${quotedList(allowed)}.${suggestion}`,
        target: 'value',
      };
    }
    case 'type':
      return {
        code: 'schema-type',
        message: `"${where}" must be ${expectedType((error.params as { type: unknown }).type)}, not ${describeType(value)}.`,
        target: 'value',
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = error.params as { comparison: string; limit: number };
      return {
        code: 'schema-range',
        message: `"${where}" is ${JSON.stringify(value)}; it must be ${comparison} ${limit}.`,
        target: 'value',
      };
    }
    case 'pattern':
      return {
        code: 'schema-pattern',
        message: `"${where}" is ${JSON.stringify(value)}; it may not contain spaces or any of / \\ : * ? " < > | (it names a folder).`,
        target: 'value',
      };
    case 'anyOf': {
      const branches = (error.schema as unknown[]).map(describeBranch);
      return {
        code: 'schema-type',
        message: `"${where}" must be ${branches.join(', or ')}; it is ${describeType(value)} that matches none.`,
        target: 'value',
      };
    }
    default:
      return {
        code: 'schema-invalid',
        message: `"${where}" ${error.message ?? 'is invalid'}.`,
        target: 'value',
      };
  }
}

/** Whether `other` says more precisely why the value failed the union `union`. */
function explainsUnion(other: ErrorObject, union: ErrorObject): boolean {
  if (other === union) return false;
  if (other.instancePath.startsWith(`${union.instancePath}/`)) return true;
  const sameValue = other.instancePath === union.instancePath;
  return (
    sameValue && (other.keyword === 'enum' || other.keyword === 'const') && typeof other.data === 'string'
  );
}

/**
 * Validates the parsed value against the schema. Errors inside an `anyOf` are filtered to the branch that
 * matches the value's JSON type, so `"stages": "tinybert-2step"` reports one enum error, not three.
 */
export function checkSchema(document: JsonDocument, data: unknown): ConfigDiagnostic[] {
  const validate = validator();
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const diagnostics: ConfigDiagnostic[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const atUnion = anyOfPaths.has(error.instancePath) && error.keyword !== 'anyOf';
    if (atUnion) {
      // Keep a branch's own error only when the value has that branch's type (e.g. an enum miss for a string).
      if (error.keyword === 'type') continue;
      if (error.keyword !== 'enum' && error.keyword !== 'const') continue;
      if (typeof error.data !== 'string') continue;
    }
    if (error.keyword === 'anyOf' && errors.some((e) => explainsUnion(e, error))) continue;
    const path = pathOf(error, data);
    const { message, code, target } = messageFor(error, path);
    // The path a finding is about: the unknown key itself, or where the missing property belongs (its range then
    // falls back to the closest written ancestor's key).
    const fullPath =
      error.keyword === 'additionalProperties'
        ? [...path, (error.params as { additionalProperty: string }).additionalProperty]
        : error.keyword === 'required'
          ? [...path, (error.params as { missingProperty: string }).missingProperty]
          : path;
    const key = `${code}|${formatJsonPath(fullPath)}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push({
      severity: 'error',
      code,
      message,
      file: document.file,
      range: document.rangeOf(fullPath, target),
      path: fullPath,
    });
  }
  return diagnostics;
}
