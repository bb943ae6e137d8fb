/** The delivery tests run the BUILT middleware and app in child processes and worker threads: fail early and clearly without them. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILT = ['dist/middleware/index.js', 'dist/middleware/sinks/cloudwatch/transport.js', 'dist/sample-app/main.js'];

export function requireBuild(): void {
  const missing = BUILT.filter((file) => !existsSync(`${ROOT}${file}`));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: build first (npx tsc -p tsconfig.build.json)`);
}
