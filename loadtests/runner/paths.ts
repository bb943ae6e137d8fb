import { join } from 'node:path';
import { projectRoot } from '../../common/project-root.js';

export { projectRoot };

/** runs/<run-id>/summary.json under the project root (runs/ is git-ignored). */
export function defaultSummaryPath(runId: string, root: string = projectRoot()): string {
  return join(root, 'runs', runId, 'summary.json');
}
