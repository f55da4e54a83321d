// Runs the shared validation engine on a config object or text inside a temp workspace.
import { validateConfigText, type ValidationResult } from '../../src/config/validateConfig';
import type { ConfigDiagnostic } from '../../src/protocol/diagnostics';
import type { TempWorkspace } from './tempWorkspace';

export async function validateIn(
  ws: TempWorkspace,
  config: unknown,
  name = 'run.distill.json',
): Promise<ValidationResult> {
  const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
  const file = ws.write(name, text);
  return validateConfigText(file, text);
}

export function codes(result: ValidationResult): string[] {
  return result.diagnostics.map((d) => d.code);
}

export function find(result: ValidationResult, code: string): ConfigDiagnostic {
  const found = result.diagnostics.find((d) => d.code === code);
  if (found === undefined)
    throw new Error(`no ${code} diagnostic; got: ${JSON.stringify(result.diagnostics, null, 1)}`);
  return found;
}

export function errors(result: ValidationResult): ConfigDiagnostic[] {
  return result.diagnostics.filter((d) => d.severity === 'error');
}
