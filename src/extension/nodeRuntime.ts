// Finds the Node.js executable that runs the trainer: the `distillStudio.nodePath` setting, else `node` on PATH,
// and checks its version. Pure Node (no vscode): the caller turns the result into a localized, actionable message.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/** The oldest Node.js the trainer supports (package.json `engines.node`). */
export const MIN_NODE_VERSION = '20.19.0';

export type NodeResolution =
  | { kind: 'ok'; path: string; version: string }
  /** `source` says where we looked: the setting's path, or PATH. */
  | { kind: 'missing'; source: 'setting' | 'path'; path?: string }
  | { kind: 'too-old'; source: 'setting' | 'path'; path: string; version: string }
  | { kind: 'unusable'; source: 'setting' | 'path'; path: string; error: string };

export interface NodeLookup {
  /** The `distillStudio.nodePath` setting; empty or undefined means "search PATH". */
  setting?: string | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

async function isExecutableFile(path: string, platform: NodeJS.Platform): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) return false;
  if (platform === 'win32') return true;
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** The first `name` on PATH (with PATHEXT extensions on Windows), without a shell. */
export async function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Promise<string | undefined> {
  const pathValue = env['PATH'] ?? env['Path'] ?? '';
  const separator = platform === 'win32' ? ';' : delimiter;
  const extensions =
    platform === 'win32'
      ? ['', ...(env['PATHEXT'] ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean)]
      : [''];
  for (const dir of pathValue.split(separator)) {
    if (dir === '') continue;
    for (const extension of extensions) {
      const candidate = join(dir, `${name}${extension}`);
      if (await isExecutableFile(candidate, platform)) return candidate;
    }
  }
  return undefined;
}

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Runs `<path> --version` (no shell) and returns the version without the leading v. */
export function nodeVersion(path: string, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      path,
      ['--version'],
      { timeout: timeoutMs, shell: false, windowsHide: true },
      (error, stdout) => {
        if (error) return reject(error);
        const match = /^v?(\d+\.\d+\.\d+)/.exec(stdout.trim());
        if (match?.[1] === undefined)
          return reject(new Error(`unexpected --version output: ${stdout.trim()}`));
        resolve(match[1]);
      },
    );
  });
}

/** Resolves and checks the Node.js executable for the trainer. Never throws. */
export async function resolveNode(lookup: NodeLookup = {}): Promise<NodeResolution> {
  const platform = lookup.platform ?? process.platform;
  const setting = lookup.setting?.trim() ?? '';
  const source = setting !== '' ? 'setting' : 'path';
  let path: string | undefined;
  if (source === 'setting') {
    // A bare name ("node20") in the setting is looked up on PATH, as a shell would.
    path =
      isAbsolute(setting) || setting.includes('/') || setting.includes('\\')
        ? setting
        : await findOnPath(setting, lookup.env, platform);
    if (path === undefined || !(await isExecutableFile(path, platform)))
      return { kind: 'missing', source, path: path ?? setting };
  } else {
    path = await findOnPath('node', lookup.env, platform);
    if (path === undefined) return { kind: 'missing', source };
  }
  let version: string;
  try {
    version = await nodeVersion(path);
  } catch (error) {
    return { kind: 'unusable', source, path, error: (error as Error).message };
  }
  if (compareVersions(version, MIN_NODE_VERSION) < 0) return { kind: 'too-old', source, path, version };
  return { kind: 'ok', path, version };
}
