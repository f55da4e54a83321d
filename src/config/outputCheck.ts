// The output folder a config names (`output.dir`): a file there is an error (runs cannot go into it); a folder that
// does not exist yet is reported as information, because the first run creates it, but a typo in the path would
// silently start a new tree of runs, so the editor offers to create it (quick fix) or lets the user correct it.
// Only an explicit `output.dir` is checked: the default `runs/` appearing on the first run is expected.
import { stat } from 'node:fs/promises';
import type { DistillConfig } from '../protocol/config';
import { resolveFrom } from './paths';
import type { Reporter } from './reporter';

export async function checkOutput(config: DistillConfig, baseDir: string, report: Reporter): Promise<void> {
  const dir = config.output?.dir;
  if (dir === undefined || dir.trim() === '') return;
  const folder = resolveFrom(baseDir, dir);
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined) {
    report.at(
      'info',
      'output-dir-missing',
      ['output', 'dir'],
      `The output folder "${dir}" (${folder}) does not exist yet; the first run creates it. If the path is a typo, correct it; otherwise create the folder now (quick fix).`,
    );
  } else if (!info.isDirectory()) {
    report.at(
      'error',
      'output-dir-not-folder',
      ['output', 'dir'],
      `"${dir}" (${folder}) is a file, not a folder, so runs cannot be written under it. Point "output.dir" at a folder, e.g. "runs".`,
    );
  }
}
