import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root: the nearest folder above `from` (default: this module) whose package.json is logjam's. Works
 * from the TS sources (common/) and from the build (dist/common/) alike; a package.json of another project in
 * between (e.g. a test fixture) is skipped. Falls back to the working directory.
 */
export function projectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'logjam') return dir;
      } catch {
        // an unreadable package.json is not ours: keep looking
      }
    }
    if (dirname(dir) === dir) return process.cwd();
  }
}
