import { join } from 'node:path';
import { projectRoot } from '../../common/project-root.js';

export { projectRoot };

/**
 * runs/<run-id>/summary.json under the current directory (runs/ is git-ignored): never inside the package, which an
 * installed copy (node_modules/logjam) would be.
 */
export function defaultSummaryPath(runId: string, root: string = process.cwd()): string {
  return join(root, 'runs', runId, 'summary.json');
}
