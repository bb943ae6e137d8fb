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
const ROUNDS: BenchFlag = { flag: '--rounds', value: 'N', what: 'interleaved rounds; figures are their medians (default 3; --smoke 1)' };
const BASELINE: BenchFlag = { flag: '--baseline', value: 'PATH', what: 'also another build of logjam: its dist/middleware/index.js' };

export const BENCH_USAGE = {
  middleware: {
    command: 'node dist/bench/middleware.js',
    what: 'bare Express, logjam and pino-http side by side, by server CPU per request (autocannon on loopback)',
    flags: [
      { flag: '--duration', value: 'S', what: 'measured seconds per variant and route (default 3; --smoke 1)' },
      { flag: '--warmup', value: 'S', what: 'warm-up seconds before each measurement (default 1; --smoke 0.5)' },
      ROUNDS,
      { flag: '--connections', value: 'LIST', what: 'connection counts, comma-separated (default 10,50; --smoke 10)' },
      { flag: '--destination', value: 'stdout|file', what: "each logger's default destination (default stdout) or its file destination" },
      { flag: '--finish-only', what: 'also logjam with the finish line only' },
      BASELINE,
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
      ROUNDS,
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
    BASELINE,
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

/** One argument as the usage reads it: a flag with its value (and the words it took), or a positional word. */
export interface BenchArg {
  /** the flag, without an inline value; undefined for a positional word */
  flag?: string;
  value?: string;
  /** the words of args it came from (`--rounds 3` is two, `--rounds=3` one) */
  words: string[];
}

export type BenchArgsRead = { ok: true; read: BenchArg[] } | { ok: false; message: string };

/** The arguments read against the usage's flags, or what is wrong with them (positional words only where it takes them). */
export function readBenchArgs(args: readonly string[], u: BenchUsage): BenchArgsRead {
  const read: BenchArg[] = [];
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = splitInline(args[i]!);
    if (!name.startsWith('-')) {
      if (!u.positional) return { ok: false, message: `unexpected argument "${name}"` };
      read.push({ value: name, words: [name] });
      continue;
    }
    const flag = u.flags.find((f) => f.flag === name);
    if (!flag) return { ok: false, message: `unknown flag ${name}` };
    if (!flag.value) {
      if (inline !== undefined) return { ok: false, message: `${name} takes no value` };
      read.push({ flag: name, words: [name] });
      continue;
    }
    const next = args[i + 1];
    const value = inline ?? (next === undefined || next.startsWith('--') ? '' : next);
    if (value === '') return { ok: false, message: `${name} needs a value (${flag.value})` };
    read.push({ flag: name, value, words: inline === undefined ? [name, value] : [args[i]!] });
    if (inline === undefined) i++;
  }
  return { ok: true, read };
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
 * prints what is wrong and the usage on stderr and exits 2. Otherwise: the arguments, read.
 */
export function handleBenchArgs(args: readonly string[], u: BenchUsage): BenchArg[] {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usageText(u));
    process.exit(0);
  }
  const r = readBenchArgs(args, u);
  if (!r.ok) {
    process.stderr.write(`${r.message}\n\n${usageText(u)}`);
    process.exit(2);
  }
  return r.read;
}

/** The arguments (flags of any part, all of them accepted) that the part's usage takes, with their values: run-all's hand-off. */
export function argsFor(args: readonly string[], u: BenchUsage, allFlags: readonly BenchFlag[]): string[] {
  const r = readBenchArgs(args, { command: '', what: '', flags: [...allFlags], positional: 'any' });
  if (!r.ok) throw new Error(r.message);
  return r.read.filter((a) => a.flag !== undefined && u.flags.some((f) => f.flag === a.flag)).flatMap((a) => a.words);
}
