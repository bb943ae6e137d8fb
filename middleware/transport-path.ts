/**
 * Where the CloudWatch transport's compiled file is. pino starts transports in a worker thread that loads plain
 * JavaScript, so the target must be the BUILT file (dist/middleware/sinks/cloudwatch/transport.js) even when the
 * middleware itself runs from TypeScript source (tests, tsx): then the path is mapped into dist/.
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const RELATIVE = join('sinks', 'cloudwatch', 'transport.js');

/** @param moduleUrl import.meta.url of middleware/logger.(js|ts) */
export function cloudWatchTransportPath(moduleUrl: string, exists: (path: string) => boolean = existsSync): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const sibling = join(here, RELATIVE);
  if (exists(sibling)) return sibling;
  // Running from source: <root>/middleware/logger.ts -> <root>/dist/middleware/sinks/cloudwatch/transport.js
  const marker = `${sep}middleware`;
  if (here.endsWith(marker) && !here.endsWith(`${sep}dist${marker}`)) {
    const built = join(here.slice(0, -marker.length), 'dist', 'middleware', RELATIVE);
    if (exists(built)) return built;
  }
  throw new Error(
    `logjam: the CloudWatch transport is not built (looked for ${sibling}); run \`npm run build\` first`,
  );
}
