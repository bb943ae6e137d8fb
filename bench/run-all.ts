/**
 * `npm run bench`: every benchmark, one after the other, each in its own process (so peak RSS and the event loop
 * belong to that benchmark alone). Figures and ratios measured side by side within each benchmark — never
 * pass/fail timing. `--smoke` runs each briefly (CI checks they still run, not how fast).
 * One part alone: `npm run bench:middleware`, `bench:analyzer`, `bench:client-join`, `bench:cloudwatch` (same flags).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { BENCH_USAGE, argsFor, handleBenchArgs, type BenchFlag, type BenchPart, type BenchUsage } from './usage.js';

const PARTS: { part: BenchPart; name: string }[] = [
  { part: 'middleware', name: 'middleware overhead (bare Express, logjam, pino-http; autocannon on loopback)' },
  { part: 'analyzer', name: 'analyzer throughput (generated NDJSON of request lines)' },
  { part: 'client-join', name: 'client-log join (generated client and server logs, request by request)' },
  { part: 'cloudwatch', name: 'CloudWatch transport throughput (local CloudWatch endpoint)' },
];

/** every part's flags, once each: a flag goes to the parts that take it (`--rounds` to middleware and analyzer, …) */
const ALL_FLAGS: BenchFlag[] = [];
for (const { part } of PARTS) for (const f of BENCH_USAGE[part].flags) if (!ALL_FLAGS.some((g) => g.flag === f.flag)) ALL_FLAGS.push(f);
const RUN_ALL_USAGE: BenchUsage = {
  command: 'npm run bench --',
  positional: `[${PARTS.map((p) => p.part).join('|')}]`,
  what:
    'every benchmark (or the one named), one after the other, each in its own process. Each flag goes to the parts that take it:\n' +
    PARTS.map(({ part }) => `  ${part}: ${BENCH_USAGE[part].flags.map((f) => f.flag).join(' ')}`).join('\n'),
  flags: ALL_FLAGS,
};

const args = process.argv.slice(2);
const named = handleBenchArgs(args, RUN_ALL_USAGE)
  .filter((a) => a.flag === undefined)
  .map((a) => a.value!);
const unknown = named.filter((n) => !PARTS.some((p) => p.part === n));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark "${unknown[0]}": one of ${PARTS.map((p) => p.part).join(', ')}\n`);
  process.exit(2);
}
const parts = named.length > 0 ? PARTS.filter((p) => named.includes(p.part)) : PARTS;
process.stdout.write(`logjam benchmarks on Node ${process.versions.node} (${process.execPath}), ${os.cpus().length} cores\n`);
let failed = 0;
for (const part of parts) {
  process.stdout.write(`\n=== ${part.name}${args.includes('--smoke') ? ' (smoke)' : ''}\n`);
  const started = Date.now();
  const flags = argsFor(args, BENCH_USAGE[part.part], ALL_FLAGS);
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(`${part.part}.js`, import.meta.url)), ...flags], { stdio: 'inherit' });
  process.stdout.write(`=== ${part.part}: ${result.status === 0 ? 'done' : `FAILED (exit ${result.status ?? result.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (result.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
