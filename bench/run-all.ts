/**
 * `npm run bench`: every benchmark, one after the other, each in its own process (so peak RSS and the event loop
 * belong to that benchmark alone). Figures and ratios measured side by side within each benchmark — never
 * pass/fail timing. `--smoke` runs each briefly (CI checks they still run, not how fast).
 * One part alone: `npm run bench:middleware`, `bench:analyzer`, `bench:client-join`, `bench:cloudwatch` (same flags).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const PARTS = [
  { name: 'middleware overhead (bare Express, logjam, pino-http; autocannon on loopback)', file: 'middleware.js' },
  { name: 'analyzer throughput (generated NDJSON of request lines)', file: 'analyzer.js' },
  { name: 'client-log join (generated client and server logs, request by request)', file: 'client-join.js' },
  { name: 'CloudWatch transport throughput (local CloudWatch endpoint)', file: 'cloudwatch.js' },
] as const;

const args = process.argv.slice(2);
/** flags that take a value: `--node <path>` (middleware: measure on that node binary too), `--duration 5`, … */
const VALUE_FLAGS = new Set(['--node', '--baseline', '--duration', '--warmup', '--rounds', '--connections', '--requests']);
const only = args.find((a, i) => !a.startsWith('--') && !VALUE_FLAGS.has(args[i - 1] ?? ''));
const parts = only ? PARTS.filter((p) => p.file.startsWith(only)) : PARTS;
if (parts.length === 0) {
  process.stderr.write(`unknown benchmark "${only}": one of ${PARTS.map((p) => p.file.replace('.js', '')).join(', ')}\n`);
  process.exit(2);
}
const flags = args.filter((a, i) => a !== only || VALUE_FLAGS.has(args[i - 1] ?? ''));
const nodeAt = flags.indexOf('--node');
/** `--node` is the middleware benchmark's alone */
const flagsFor = (file: string) => (nodeAt === -1 || file === 'middleware.js' ? flags : flags.filter((_, i) => i !== nodeAt && i !== nodeAt + 1));
process.stdout.write(`logjam benchmarks on Node ${process.versions.node} (${process.execPath}), ${os.cpus().length} cores\n`);
let failed = 0;
for (const part of parts) {
  process.stdout.write(`\n=== ${part.name}${flags.includes('--smoke') ? ' (smoke)' : ''}\n`);
  const started = Date.now();
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(part.file, import.meta.url)), ...flagsFor(part.file)], { stdio: 'inherit' });
  process.stdout.write(`=== ${part.file.replace('.js', '')}: ${result.status === 0 ? 'done' : `FAILED (exit ${result.status ?? result.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (result.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
