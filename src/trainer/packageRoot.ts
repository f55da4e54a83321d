// Locates files shipped with Distill Studio (bundled example data, the schema) from source, the built bundle
// or an installed extension alike.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'distill-studio')
          return (cached = dir);
      } catch {
        // not ours; keep walking up
      }
    }
    dir = dirname(dir);
  }
  throw new Error(
    `Cannot find the distill-studio package folder above ${__dirname}; the installation is incomplete.`,
  );
}
