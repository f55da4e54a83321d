// `distill-studio validate <config> [--json]`: exit 0 valid, 1 invalid, 2 unusable (unreadable, not JSON).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { validateConfigText } from '../../config/validateConfig';
import { EXIT_INVALID, EXIT_OK, EXIT_UNUSABLE, UserError } from '../cliErrors';
import { countBySeverity, diagnosticJson, displayPath, formatDiagnostic, plural } from './formatDiagnostics';

export interface ValidateOptions {
  json?: boolean;
}

export async function runValidate(configPath: string, options: ValidateOptions): Promise<number> {
  const file = resolve(configPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EISDIR'
          ? 'it is a folder'
          : (error as Error).message;
    throw new UserError(`Cannot read config "${configPath}": ${why}.`, EXIT_UNUSABLE);
  }
  const result = await validateConfigText(file, text);
  const exitCode = result.kind === 'syntax-error' ? EXIT_UNUSABLE : result.valid ? EXIT_OK : EXIT_INVALID;
  const counts = countBySeverity(result.diagnostics);
  if (options.json === true) {
    const output = {
      file,
      valid: exitCode === EXIT_OK,
      usable: result.kind !== 'syntax-error',
      ...counts,
      diagnostics: result.diagnostics.map(diagnosticJson),
    };
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return exitCode;
  }
  for (const d of result.diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
  const name = displayPath(file);
  const tally = `${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}`;
  if (exitCode === EXIT_OK) process.stdout.write(`${name} is valid (${tally}).\n`);
  else if (exitCode === EXIT_UNUSABLE) process.stdout.write(`${name} is not valid JSON (${tally}).\n`);
  else process.stdout.write(`${name} is invalid (${tally}).\n`);
  return exitCode;
}

export function registerValidateCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('validate')
    .description(
      'check a *.distill.json config: schema, files, data columns and labels, model shapes vs losses',
    )
    .argument('<config>', 'path to the *.distill.json file')
    .option('--json', 'print one JSON object with every diagnostic instead of text lines')
    .addHelpText(
      'after',
      '\nExit codes: 0 valid (warnings allowed), 1 invalid, 2 unusable input (unreadable file, not JSON).\nOutput lines: file:line:col: severity code: message',
    )
    .action(async (config: string, options: ValidateOptions) =>
      setExitCode(await runValidate(config, options)),
    );
}
