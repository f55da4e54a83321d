// `distill-studio init [path] [--preset ...]`: writes a commented, valid example config (and, unless data files
// are named, a copy of the bundled example data beside it). Never overwrites a file without --force.
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { validateConfigText } from '../../config/validateConfig';
import type { ModelConfigOverrides } from '../../protocol/config';
import { EXIT_INVALID, EXIT_OK, UserError } from '../cliErrors';
import { packageRoot } from '../packageRoot';
import { pathExists } from '../util/pathExists';
import { writeFileAtomic } from '../util/atomicWrite';
import { INIT_PRESETS, renderConfigTemplate, type InitPreset } from './configTemplate';
import { formatDiagnostic } from './formatDiagnostics';

export interface InitOptions {
  preset?: string;
  teacher?: string;
  train?: string;
  eval?: string;
  unlabelled?: string;
  force?: boolean;
}

const SUFFIX = '.distill.json';

/** Forward slashes in written configs, so they work on every OS. */
function configRelative(from: string, to: string): string {
  const rel = relative(from, to);
  return (rel === '' ? '.' : rel).split(sep).join('/');
}

async function targetFile(pathArg: string | undefined, preset: InitPreset): Promise<string> {
  const given = resolve(pathArg ?? `${preset}${SUFFIX}`);
  const info = await stat(given).catch(() => undefined);
  if (info?.isDirectory() === true) return join(given, `${preset}${SUFFIX}`);
  if (!given.endsWith(SUFFIX)) {
    throw new UserError(
      `The config file name must end in ${SUFFIX} (the editor validates those): try "${basename(given).replace(/\.json$/, '')}${SUFFIX}".`,
    );
  }
  return given;
}

/** Copies one bundled example file unless a file is already there (a user's data is never overwritten). */
async function copyExample(source: string, destination: string, notes: string[]): Promise<void> {
  if (await pathExists(destination)) {
    const same = (await readFile(source)).equals(await readFile(destination));
    if (!same) notes.push(`kept your existing ${destination} (it differs from the bundled example)`);
    return;
  }
  await mkdir(dirname(destination), { recursive: true });
  await copyFile(source, destination);
  notes.push(`copied example data to ${destination}`);
}

async function teacherConfig(dir: string): Promise<ModelConfigOverrides> {
  try {
    return JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as ModelConfigOverrides;
  } catch {
    throw new UserError(
      `--teacher "${dir}" has no readable config.json; give a Hugging Face checkpoint folder.`,
    );
  }
}

export async function runInit(pathArg: string | undefined, options: InitOptions): Promise<number> {
  const preset = (options.preset ?? 'reviews') as InitPreset;
  if (!INIT_PRESETS.includes(preset)) {
    throw new UserError(`Unknown preset "${options.preset}". Choose one of: ${INIT_PRESETS.join(', ')}.`);
  }
  if ((options.train === undefined) !== (options.eval === undefined)) {
    throw new UserError('Give both --train and --eval, or neither (to use the bundled example data).');
  }
  const file = await targetFile(pathArg, preset);
  if ((await pathExists(file)) && options.force !== true) {
    throw new UserError(
      `${file} already exists; pass --force to replace it (the old file is replaced atomically).`,
    );
  }
  const dir = dirname(file);
  const notes: string[] = [];
  let train: string;
  let evalFile: string;
  let unlabelled: string | undefined;
  if (options.train !== undefined && options.eval !== undefined) {
    train = configRelative(dir, resolve(options.train));
    evalFile = configRelative(dir, resolve(options.eval));
    unlabelled =
      options.unlabelled !== undefined ? configRelative(dir, resolve(options.unlabelled)) : undefined;
  } else {
    const exampleName = preset === 'reviews-ko' ? 'reviews-ko' : 'reviews';
    const source = join(packageRoot(), 'examples', exampleName);
    const dataDir = join(dir, 'data', exampleName);
    for (const name of ['train.tsv', 'eval.tsv', 'unlabelled.txt'])
      await copyExample(join(source, name), join(dataDir, name), notes);
    train = configRelative(dir, join(dataDir, 'train.tsv'));
    evalFile = configRelative(dir, join(dataDir, 'eval.tsv'));
    unlabelled = configRelative(dir, join(dataDir, 'unlabelled.txt'));
  }
  const teacherDir = options.teacher !== undefined ? resolve(options.teacher) : undefined;
  const name = basename(file, SUFFIX);
  const text = renderConfigTemplate({
    preset,
    name,
    fileName: basename(file),
    train,
    eval: evalFile,
    ...(unlabelled !== undefined ? { unlabelled } : {}),
    ...(teacherDir !== undefined
      ? { teacherCheckpoint: configRelative(dir, teacherDir), teacherConfig: await teacherConfig(teacherDir) }
      : {}),
    schemaPath: configRelative(dir, join(packageRoot(), 'schema', 'distill.schema.json')),
  });
  await writeFileAtomic(file, text);
  for (const note of notes) process.stdout.write(`${note}\n`);
  process.stdout.write(`wrote ${file}\n`);
  const result = await validateConfigText(file, text);
  const problems = result.diagnostics.filter((d) => d.severity !== 'info');
  for (const d of problems) process.stdout.write(`${formatDiagnostic(d)}\n`);
  if (result.kind === 'checked' && result.valid) {
    process.stdout.write(
      `It is valid. Next: distill-studio validate ${relative(process.cwd(), file) || file}\n`,
    );
    return EXIT_OK;
  }
  process.stdout.write(
    'The config was written but needs the fixes above (your data or teacher differs from the template).\n',
  );
  return EXIT_INVALID;
}

export function registerInitCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('init')
    .description(
      'write a commented, valid example config (and the bundled example data, unless --train/--eval are given)',
    )
    .argument('[path]', `config file (*${SUFFIX}) or folder to write it in`, undefined)
    .option('--preset <name>', `recipe: ${INIT_PRESETS.join(', ')}`, 'reviews')
    .option(
      '--teacher <dir>',
      'fine-tuned teacher checkpoint folder (config.json + model.safetensors); default: train a small teacher first',
    )
    .option('--train <file>', 'labelled training data (.tsv, .csv or .jsonl with text and label columns)')
    .option('--eval <file>', 'labelled evaluation data')
    .option('--unlabelled <file>', 'unlabelled text, one example per line')
    .option('--force', 'replace an existing config file')
    .addHelpText(
      'after',
      '\nExamples:\n  distill-studio init\n  distill-studio init my.distill.json --preset tinybert --teacher ./bert-sst2 --train train.tsv --eval dev.tsv',
    )
    .action(async (path: string | undefined, options: InitOptions) =>
      setExitCode(await runInit(path, options)),
    );
}
