// What the commands, views and the status bar share: the log, the runs this window owns, the runs on disk and
// where the trainer is. Created once in activate().
import type * as vscode from 'vscode';
import type { RunScheduler } from './runScheduler';
import type { RunsModel } from './runsModel';

export interface Services {
  readonly context: vscode.ExtensionContext;
  /** Trainer stdout/stderr and protocol problems ("Distill Studio" output channel). */
  readonly log: vscode.OutputChannel;
  readonly scheduler: RunScheduler;
  readonly runs: RunsModel;
  /** Absolute path of the built trainer, dist/trainer/cli.js. */
  readonly cliPath: string;
}
