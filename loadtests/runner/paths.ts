import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root: the nearest folder above this module whose package.json is logjam's. Works from the TS
 * sources (loadtests/runner/) and from the build (dist/loadtests/runner/) alike.
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

/**
 * runs/<run-id>/summary.json under the current directory (runs/ is git-ignored): never inside the package, which an
 * installed copy (node_modules/logjam) would be.
 */
export function defaultSummaryPath(runId: string, root: string = process.cwd()): string {
  return join(root, 'runs', runId, 'summary.json');
}
