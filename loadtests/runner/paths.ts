import { dirname, join } from 'node:path';
import { projectRoot } from '../../common/project-root.js';

export { projectRoot };

/**
 * runs/<run-id>/summary.json under the current directory (runs/ is git-ignored): never inside the package, which an
 * installed copy (node_modules/logjam) would be.
 */
export function defaultSummaryPath(runId: string, root: string = process.cwd()): string {
  return join(root, 'runs', runId, 'summary.json');
}

/** The client request log goes next to the summary: runs/<run-id>/client.ndjson. */
export function clientLogPathFor(summaryPath: string): string {
  return join(dirname(summaryPath), 'client.ndjson');
}
