/**
 * The benchmarks' command lines: each one's flags in one place, so `--help` prints them, a mistyped flag is an
 * error instead of a silently ignored one (and a full-length run the user did not ask for), and `npm run bench`
 * (run-all.ts) hands each part only the flags it takes.
 */

export interface BenchFlag {
  flag: string;
  /** the value's placeholder, for a flag that takes one (`--rounds N`, or `--rounds=N`) */
  value?: string;
  what: string;
}

export interface BenchUsage {
  command: string;
  what: string;
  flags: BenchFlag[];
  /** positional arguments it takes (run-all: the part to run), shown after the command */
  positional?: string;
}

const SMOKE: BenchFlag = { flag: '--smoke', what: 'a brief run: checks that it still runs, not how fast' };
const JSON_OUT: BenchFlag = { flag: '--json', what: 'the result object on stdout instead of the table' };

export const BENCH_USAGE = {
  middleware: {
    command: 'node dist/bench/middleware.js',
    what: 'bare Express, logjam and pino-http side by side, by server CPU per request (autocannon on loopback)',
    flags: [
      { flag: '--duration', value: 'S', what: 'measured seconds per variant and route (default 3; --smoke 1)' },
      { flag: '--warmup', value: 'S', what: 'warm-up seconds before each measurement (default 1; --smoke 0.5)' },
      { flag: '--rounds', value: 'N', what: 'interleaved rounds; figures are their medians (default 3; --smoke 1)' },
      { flag: '--connections', value: 'LIST', what: 'connection counts, comma-separated (default 10,50; --smoke 10)' },
      { flag: '--destination', value: 'stdout|file', what: "each logger's default destination (default stdout) or its file destination" },
      { flag: '--finish-only', what: 'also logjam with the finish line only' },
      { flag: '--baseline', value: 'PATH', what: "also another build of logjam: its dist/middleware/index.js" },
      { flag: '--node', value: 'PATH', what: 'then the same on another node binary, and both side by side' },
      SMOKE,
      JSON_OUT,
    ],
  },
  analyzer: {
    command: 'node dist/bench/analyzer.js',
    what: 'the whole `logjam analyze` of a generated log, beside a readline + JSON.parse loop, jq and DuckDB',
    flags: [
      { flag: '--lines', value: 'N', what: 'request lines in the larger input (default 1,000,000; --smoke 50,000)' },
      { flag: '--rounds', value: 'N', what: 'interleaved rounds; figures are their medians (default 3; --smoke 1)' },
      SMOKE,
      JSON_OUT,
    ],
  },
  'client-join': {
    command: 'node dist/bench/client-join.js',
    what: 'report time and peak RSS of joining a generated client log to its server log',
    flags: [{ flag: '--requests', value: 'N', what: 'requests in the generated run (default 10,000,000; --smoke 100,000)' }, SMOKE, JSON_OUT],
  },
  cloudwatch: {
    command: 'node dist/bench/cloudwatch.js',
    what: 'a burst of log lines through the CloudWatch transport to a local endpoint: events/s, batch fill, lost, app-thread cost',
    flags: [{ flag: '--events', value: 'N', what: 'lines in the burst (default 200,000; --smoke 20,000)' }, SMOKE, JSON_OUT],
  },
} satisfies Record<string, BenchUsage>;

export type BenchPart = keyof typeof BENCH_USAGE;

export const INSTRUCTIONS_USAGE: BenchUsage = {
  command: 'node dist/bench/middleware-instructions.js',
  what: 'middleware overhead in instructions per request, under valgrind (callgrind): bare Express, logjam, pino-http',
  flags: [
    { flag: '--requests', value: 'N', what: 'measured requests per variant (default 1500)' },
    { flag: '--warmup', value: 'N', what: 'requests before the counters are zeroed (default 1500)' },
    { flag: '--route', value: 'hello|json|todos', what: 'the route measured (default hello)' },
    { flag: '--baseline', value: 'PATH', what: 'also another build of logjam: its dist/middleware/index.js' },
    { flag: '--node', value: 'PATH', what: 'the node binary the servers run on (default this one)' },
    JSON_OUT,
  ],
};

export const REQUEST_LINES_USAGE: BenchUsage = {
  command: 'node dist/bench/request-lines.js',
  what: "the middleware's request-line writer alone, ns per request (the lines go to /dev/null)",
  flags: [
    { flag: '--requests', value: 'N', what: 'requests per round (default 300,000)' },
    { flag: '--rounds', value: 'N', what: 'rounds (default 7)' },
  ],
};

export const FRONT_DOOR_USAGE: BenchUsage = {
  command: 'node --expose-gc dist/bench/front-door.js',
  what: "the ALB join's memory per waiting line at N/2 and N lines",
  flags: [{ flag: '--lines', value: 'N', what: 'lines (default 500,000)' }],
};

export function usageText(u: BenchUsage): string {
  const width = Math.max(...u.flags.map((f) => (f.value ? `${f.flag} ${f.value}` : f.flag).length));
  return [
    `usage: ${u.command}${u.positional ? ` ${u.positional}` : ''} [flags]`,
    '',
    u.what,
    '',
    ...u.flags.map((f) => `  ${(f.value ? `${f.flag} ${f.value}` : f.flag).padEnd(width)}  ${f.what}`),
    '  --help, -h'.padEnd(width + 2) + '  this text',
    '',
  ].join('\n');
}

/** `--name=value` is the same as `--name value`. */
function splitInline(arg: string): [name: string, inline: string | undefined] {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 2 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

export type BenchArgsCheck = { ok: true } | { ok: false; message: string };

/** Whether every argument is a flag of the usage with its value (positional arguments only where it takes them). */
export function checkBenchArgs(args: readonly string[], u: BenchUsage): BenchArgsCheck {
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = splitInline(args[i]!);
    if (!name.startsWith('-')) {
      if (u.positional) continue;
      return { ok: false, message: `unexpected argument "${name}"` };
    }
    const flag = u.flags.find((f) => f.flag === name);
    if (!flag) return { ok: false, message: `unknown flag ${name}` };
    if (!flag.value) {
      if (inline !== undefined) return { ok: false, message: `${name} takes no value` };
      continue;
    }
    if (inline !== undefined) {
      if (inline === '') return { ok: false, message: `${name} needs a value (${flag.value})` };
      continue;
    }
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) return { ok: false, message: `${name} needs a value (${flag.value})` };
    i++;
  }
  return { ok: true };
}

/** A flag's value, from `--name value` or `--name=value`; undefined when the flag is absent. */
export function flagValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const [n, inline] = splitInline(args[i]!);
    if (n === name) return inline ?? args[i + 1];
  }
  return undefined;
}

/**
 * The start of every benchmark's main: `--help` or `-h` prints the usage and exits 0; an argument it does not take
 * prints what is wrong and the usage on stderr and exits 2.
 */
export function handleBenchArgs(args: readonly string[], u: BenchUsage): void {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usageText(u));
    process.exit(0);
  }
  const check = checkBenchArgs(args, u);
  if (!check.ok) {
    process.stderr.write(`${check.message}\n\n${usageText(u)}`);
    process.exit(2);
  }
}

/** The arguments of `args` (flags of any part) that the part's usage takes, with their values: run-all's hand-off. */
export function argsFor(args: readonly string[], u: BenchUsage, allFlags: readonly BenchFlag[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = splitInline(args[i]!);
    const known = allFlags.find((f) => f.flag === name);
    const takesValue = known?.value !== undefined && inline === undefined;
    const taken = u.flags.some((f) => f.flag === name);
    if (taken) out.push(...(takesValue ? [args[i]!, args[i + 1]!] : [args[i]!]));
    if (takesValue) i++;
  }
  return out;
}
