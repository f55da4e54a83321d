// The `distill-studio` command line: the same code the VS Code extension runs as its trainer child process.
// Wiring only: each verb lives in commands/<verb>Command.ts.
import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json';
import { EXIT_UNUSABLE, UserError } from './cliErrors';
import { registerBenchCommand } from './commands/benchCommand';
import { registerDemoCommand } from './commands/demoCommand';
import { registerDoctorCommand } from './commands/doctorCommand';
import { registerEvalCommand } from './commands/evalCommand';
import { registerExportCommand } from './commands/exportCommand';
import { registerInitCommand } from './commands/initCommand';
import { registerPredictCommand } from './commands/predictCommand';
import { registerTrainCommand } from './commands/trainCommand';
import { registerValidateCommand } from './commands/validateCommand';

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name('distill-studio')
    .description('Distil a BERT teacher into a small, fast MobileBERT-class student; export and verify ONNX.')
    .version(packageJson.version, '-v, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerValidateCommand(program, setExitCode);
  registerInitCommand(program, setExitCode);
  registerPredictCommand(program, setExitCode);
  registerEvalCommand(program, setExitCode);
  registerTrainCommand(program, setExitCode);
  registerExportCommand(program, setExitCode);
  registerBenchCommand(program, setExitCode);
  registerDemoCommand(program, setExitCode);
  registerDoctorCommand(program, setExitCode);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? 0 : EXIT_UNUSABLE;
    }
    if (error instanceof UserError) {
      process.stderr.write(`distill-studio: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`distill-studio: internal error: ${(error as Error).message}\n`);
    if (process.env['DISTILL_STUDIO_DEBUG'] === '1')
      process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    else
      process.stderr.write(
        'This is a bug in Distill Studio. Re-run with DISTILL_STUDIO_DEBUG=1 for details and report it.\n',
      );
    return 70;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
