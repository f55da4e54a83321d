// `distill-studio train <config>` and `distill-studio resume <runDir>`: run what the config describes, with a
// progress line on a terminal or a stream of JSON events (--json). SIGINT/SIGTERM save a checkpoint and stop.
import type { Command } from 'commander';
import type { RunEvent } from '../../protocol/events';
import { connectToHost } from '../ipc';
import { runTraining, type TrainResult } from '../train/trainer';

export interface TrainOptions {
  json?: boolean;
  backend?: string;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Renders events for people: one updating progress line per stage with ETA and the current loss terms. */
export function progressPrinter(): (event: RunEvent) => void {
  const tty = process.stderr.isTTY === true;
  let stageStart = Date.now();
  let stageSteps = 0;
  let lastPrint = 0;
  // Every term the stage has reported so far, in first-seen order, so the columns stay put when a batch lacks one
  // (an unlabelled batch has no hardLabel: shown as "–").
  let stageTerms: string[] = [];
  return (event) => {
    const p = event.payload;
    switch (event.type) {
      case 'stage-change': {
        const e = event.payload;
        stageStart = Date.now();
        stageSteps = e.steps;
        stageTerms = [];
        process.stderr.write(
          `${tty ? '\n' : ''}stage ${e.index + 1} "${e.stage}" (${e.kind}), ${e.steps} steps\n`,
        );
        break;
      }
      case 'step': {
        const e = event.payload;
        const now = Date.now();
        if (!tty && now - lastPrint < 5000 && e.step !== stageSteps) return;
        lastPrint = now;
        const elapsed = (now - stageStart) / 1000;
        const eta = (elapsed / Math.max(1, e.step)) * (stageSteps - e.step);
        for (const k of Object.keys(e.losses)) if (!stageTerms.includes(k)) stageTerms.push(k);
        const losses: Record<string, number | undefined> = e.losses;
        const terms = stageTerms
          .map((k) => {
            const v = losses[k];
            return `${k} ${v === undefined ? '–' : v.toFixed(4)}`;
          })
          .join('  ');
        const line = `  ${e.step}/${stageSteps}  eta ${formatDuration(eta)}  ${terms}  ${e.samplesPerSecond.toFixed(0)} ex/s`;
        process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
        break;
      }
      case 'eval': {
        const e = event.payload;
        const text = `  eval (${e.model}) at step ${e.globalStep}: accuracy ${(100 * e.metrics.accuracy).toFixed(2)}%  macro-F1 ${(100 * e.metrics.macroF1).toFixed(2)}%${e.best ? '  (best)' : ''}`;
        process.stderr.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
        break;
      }
      case 'masked-lm-eval': {
        const m = event.payload.metrics;
        const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
        const text = `  masked-LM eval at step ${event.payload.globalStep}: agreement with the teacher ${pct(m.agreement)}  student accuracy ${pct(m.studentAccuracy)}  teacher ${pct(m.teacherAccuracy)}  (${m.n} masked tokens)`;
        process.stderr.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
        break;
      }
      case 'done':
        process.stderr.write(
          `${tty ? '\n' : ''}done in ${formatDuration(event.payload.durationSeconds)}: ${event.payload.finalModel}\n`,
        );
        break;
      default:
        void p;
    }
  };
}

async function run(
  request: { configFile?: string; resumeDir?: string },
  options: TrainOptions,
): Promise<number> {
  const stop = { requested: false };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.requested) process.exit(130);
    stop.requested = true;
    process.stderr.write(`\n${signal}: saving a checkpoint, then stopping (press again to quit at once)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const print =
    options.json === true
      ? (event: RunEvent) => process.stdout.write(`${JSON.stringify(event)}\n`)
      : progressPrinter();
  // Forked by the extension: events also go over IPC, and a stop request there sets `stop` like SIGINT does.
  const host = connectToHost(request.resumeDir !== undefined ? 'resume' : 'train', stop, (line) =>
    process.stderr.write(`${line}\n`),
  );
  const onEvent = (event: RunEvent): void => {
    host?.event(event);
    print(event);
  };
  let result: TrainResult;
  try {
    result = await runTraining({
      ...request,
      ...(options.backend !== undefined ? { backend: options.backend } : {}),
      onEvent,
      log: (line) => process.stderr.write(`${line}\n`),
      stop,
    });
    host?.finish({
      outcome: result.stopped ? 'stopped' : 'done',
      runDir: result.runDir,
      ...(result.finalModel !== undefined ? { finalModel: result.finalModel } : {}),
    });
  } catch (error) {
    host?.finish({ outcome: 'failed', message: (error as Error).message });
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (result.stopped) {
    process.stderr.write(
      `stopped with a checkpoint; continue with: distill-studio resume ${result.runDir}\n`,
    );
    return 130;
  }
  if (options.json !== true) {
    const best =
      result.best !== undefined ? ` (best accuracy ${(100 * result.best.accuracy).toFixed(2)}%)` : '';
    process.stdout.write(`final model: ${result.finalModel}${best}\n`);
  }
  return 0;
}

export function registerTrainCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('train')
    .description('run the stages a *.distill.json config describes (train a teacher, distil, ...)')
    .argument('<config>', 'path to the *.distill.json file')
    .option('--json', 'stream run events as JSON lines on stdout')
    .option('--backend <name>', 'auto, tfjs-node-gpu, tfjs-node, wasm or cpu (overrides the config)')
    .addHelpText(
      'after',
      '\nThe run folder is <output.dir>/<name>/: events.jsonl, checkpoints/, best/, final/.\nCtrl+C saves a checkpoint; `distill-studio resume <runDir>` continues.',
    )
    .action(async (config: string, options: TrainOptions) =>
      setExitCode(await run({ configFile: config }, options)),
    );
  program
    .command('resume')
    .description('continue a run from its latest good checkpoint')
    .argument('<runDir>', 'the run folder (runs/<name>)')
    .option('--json', 'stream run events as JSON lines on stdout')
    .option('--backend <name>', 'auto, tfjs-node-gpu, tfjs-node, wasm or cpu')
    .action(async (runDir: string, options: TrainOptions) =>
      setExitCode(await run({ resumeDir: runDir }, options)),
    );
}
