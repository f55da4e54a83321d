// Path handling for config files: every relative path in a config is relative to the config file's folder.
import { isAbsolute, resolve } from 'node:path';
import { homedir } from 'node:os';

/** Resolves `path` from `baseDir`; `~/` means the home folder, as users expect from shells. */
export function resolveFrom(baseDir: string, path: string): string {
  if (path === '~' || path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
