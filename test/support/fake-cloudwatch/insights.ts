/**
 * A SMALL CloudWatch Logs Insights engine for the fake CloudWatch server: StartQuery / GetQueryResults / StopQuery
 * handlers over the server's store (events whose message is a JSON log line).
 *
 * It supports exactly the subset of the query language analyzer/sources/cloudwatch/queries.ts uses — `fields`, `filter` (=, !=, <, <=,
 * >, >=, and, or, not, like /regex/, in [..], ispresent()), arithmetic (+, -, *, /; null in, null out) with ceil(),
 * floor(), least() and greatest(), `stats` (count(*), count(f), count_distinct, avg, sum,
 * min, max, pct, earliest, latest) `by` fields and bin(), a second stage after `stats`, `sort`, `limit` — with the
 * real service's behaviour where the source depends on it: times in epoch seconds, rows as [[{field, value}]] with
 * every value a string, the 10,000-row cap, statuses Scheduled -> Running -> Complete over successive polls,
 * statistics, MalformedQueryException, ResourceNotFoundException, and an account-wide limit on concurrent queries
 * (LimitExceededException). It exists to test the source against realistic data, not to be a full engine.
 */
import { randomUUID } from 'node:crypto';
import { FakeAwsError, type FakeStore, type OperationHandler } from './server.js';

export const FAKE_MAX_ROWS = 10_000;

type Value = string | number | boolean | null | undefined;
type Row = Record<string, Value>;

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer and parser

type Token =
  | { kind: 'str'; value: string }
  | { kind: 'num'; value: number }
  | { kind: 'regex'; value: RegExp }
  | { kind: 'id'; value: string }
  | { kind: 'op'; value: string };

function malformed(message: string): FakeAwsError {
  return new FakeAwsError('MalformedQueryException', message);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const prevIsRegexOperator = () => {
    const prev = tokens[tokens.length - 1];
    return prev !== undefined && ((prev.kind === 'id' && prev.value.toLowerCase() === 'like') || (prev.kind === 'op' && prev.value === '=~'));
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      let value = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw malformed('unterminated string literal');
      i++;
      tokens.push({ kind: 'str', value });
    } else if (c === '/' && prevIsRegexOperator()) {
      let source = '';
      i++;
      while (i < text.length && text[i] !== '/') {
        if (text[i] === '\\' && i + 1 < text.length) {
          source += text[i]! + text[i + 1]!;
          i += 2;
        } else {
          source += text[i];
          i++;
        }
      }
      if (i >= text.length) throw malformed('unterminated regular expression');
      i++;
      try {
        // Logs Insights takes a leading (?i) for case-insensitive matching; JavaScript wants a flag
        const insensitive = source.startsWith('(?i)');
        tokens.push({ kind: 'regex', value: new RegExp(insensitive ? source.slice(4) : source, insensitive ? 'i' : '') });
      } catch {
        throw malformed(`invalid regular expression /${source}/`);
      }
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? '') && !/^(id|num|str)$/.test(tokens[tokens.length - 1]?.kind ?? ''))) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i))!;
      const unit = /^[a-z]+/.exec(text.slice(i + m[0].length));
      if (unit) {
        // a time period such as 5m or 500ms (only meaningful inside bin())
        tokens.push({ kind: 'id', value: m[0] + unit[0] });
        i += m[0].length + unit[0].length;
      } else {
        tokens.push({ kind: 'num', value: Number(m[0]) });
        i += m[0].length;
      }
    } else if (/[A-Za-z_@]/.test(c)) {
      const m = /^[A-Za-z_@][A-Za-z0-9_.@]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'id', value: m[0] });
      i += m[0].length;
    } else {
      const two = text.slice(i, i + 2);
      if (['!=', '<=', '>=', '=~'].includes(two)) {
        tokens.push({ kind: 'op', value: two });
        i += 2;
      } else if ('|(),[]*=<>+-/'.includes(c)) {
        tokens.push({ kind: 'op', value: c });
        i++;
      } else {
        throw malformed(`unexpected character '${c}' at ${i}`);
      }
    }
  }
  return tokens;
}

type Expr =
  | { type: 'lit'; value: Value }
  | { type: 'field'; name: string }
  | { type: 'call'; fn: string; args: Expr[]; text: string }
  | { type: 'cmp'; op: string; left: Expr; right: Expr }
  | { type: 'arith'; op: string; left: Expr; right: Expr }
  | { type: 'like'; left: Expr; pattern: RegExp | string }
  | { type: 'in'; left: Expr; values: Value[] }
  | { type: 'and' | 'or'; left: Expr; right: Expr }
  | { type: 'not'; expr: Expr };

interface NamedExpr {
  expr: Expr;
  name: string;
}

interface Aggregate {
  fn: string;
  field?: string;
  /** pct's percentile */
  arg?: number;
  name: string;
}

type Command =
  | { cmd: 'fields'; items: NamedExpr[] }
  | { cmd: 'filter'; expr: Expr }
  | { cmd: 'stats'; aggs: Aggregate[]; by: NamedExpr[] }
  | { cmd: 'sort'; field: string; desc: boolean }
  | { cmd: 'limit'; n: number };

const AGGREGATES = new Set(['count', 'count_distinct', 'avg', 'sum', 'min', 'max', 'pct', 'earliest', 'latest']);
const PERIOD_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw malformed('unexpected end of query');
    return t;
  }
  private isOp(value: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.value === value;
  }
  private isWord(value: string): boolean {
    const t = this.peek();
    return t?.kind === 'id' && t.value.toLowerCase() === value;
  }
  private expectOp(value: string): void {
    const t = this.next();
    if (t.kind !== 'op' || t.value !== value) throw malformed(`expected '${value}'`);
  }
  private ident(): string {
    const t = this.next();
    if (t.kind !== 'id') throw malformed('expected a field name');
    return t.value;
  }
  done(): boolean {
    return this.pos >= this.tokens.length;
  }

  commands(): Command[] {
    const out: Command[] = [this.command()];
    while (this.isOp('|')) {
      this.pos++;
      out.push(this.command());
    }
    if (!this.done()) throw malformed(`unexpected token after command ${out.length}`);
    return out;
  }

  private command(): Command {
    const word = this.ident().toLowerCase();
    switch (word) {
      case 'fields':
        return { cmd: 'fields', items: this.namedList() };
      case 'filter':
        return { cmd: 'filter', expr: this.or() };
      case 'stats': {
        const aggs: Aggregate[] = [this.aggregate()];
        while (this.isOp(',')) {
          this.pos++;
          aggs.push(this.aggregate());
        }
        let by: NamedExpr[] = [];
        if (this.isWord('by')) {
          this.pos++;
          by = this.namedList();
        }
        return { cmd: 'stats', aggs, by };
      }
      case 'sort': {
        const field = this.ident();
        let desc = true; // Logs Insights sorts descending unless told
        if (this.isWord('asc') || this.isWord('desc')) desc = this.ident().toLowerCase() === 'desc';
        return { cmd: 'sort', field, desc };
      }
      case 'limit': {
        const t = this.next();
        if (t.kind !== 'num' || t.value < 1) throw malformed('limit needs a positive number');
        return { cmd: 'limit', n: t.value };
      }
      default:
        throw malformed(`unknown command '${word}'`);
    }
  }

  private namedList(): NamedExpr[] {
    const items: NamedExpr[] = [];
    do {
      if (items.length > 0) this.pos++;
      const start = this.pos;
      const expr = this.arith();
      let name = this.tokens.slice(start, this.pos).map(tokenText).join('');
      if (this.isWord('as')) {
        this.pos++;
        name = this.ident();
      }
      items.push({ expr, name });
    } while (this.isOp(','));
    return items;
  }

  private aggregate(): Aggregate {
    const fn = this.ident().toLowerCase();
    if (!AGGREGATES.has(fn)) throw malformed(`unknown stats function '${fn}'`);
    this.expectOp('(');
    let field: string | undefined;
    let arg: number | undefined;
    if (this.isOp('*')) {
      if (fn !== 'count') throw malformed(`${fn}(*) is not allowed`);
      this.pos++;
    } else {
      field = this.ident();
    }
    if (fn === 'pct') {
      this.expectOp(',');
      const t = this.next();
      if (t.kind !== 'num') throw malformed('pct needs a percentile');
      arg = t.value;
    }
    this.expectOp(')');
    let name = fn === 'pct' ? `pct(${field}, ${arg})` : `${fn}(${field ?? '*'})`;
    if (this.isWord('as')) {
      this.pos++;
      name = this.ident();
    }
    return { fn, field, arg, name };
  }

  private or(): Expr {
    let left = this.and();
    while (this.isWord('or')) {
      this.pos++;
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }
  private and(): Expr {
    let left = this.not();
    while (this.isWord('and')) {
      this.pos++;
      left = { type: 'and', left, right: this.not() };
    }
    return left;
  }
  private not(): Expr {
    if (this.isWord('not')) {
      this.pos++;
      return { type: 'not', expr: this.not() };
    }
    return this.comparison();
  }
  private comparison(): Expr {
    const left = this.arith();
    const t = this.peek();
    if (t?.kind === 'op' && ['=', '!=', '<', '<=', '>', '>='].includes(t.value)) {
      this.pos++;
      return { type: 'cmp', op: t.value, left, right: this.arith() };
    }
    if (this.isWord('like') || this.isOp('=~')) {
      this.pos++;
      const p = this.next();
      if (p.kind !== 'regex' && p.kind !== 'str') throw malformed('like needs /regex/ or "text"');
      return { type: 'like', left, pattern: p.value };
    }
    if (this.isWord('in')) {
      this.pos++;
      this.expectOp('[');
      const values: Value[] = [];
      while (!this.isOp(']')) {
        const v = this.next();
        if (v.kind !== 'str' && v.kind !== 'num') throw malformed('in [...] takes literals');
        values.push(v.value);
        if (this.isOp(',')) this.pos++;
      }
      this.pos++;
      return { type: 'in', left, values };
    }
    return left;
  }
  /** a + b, a - b over products (left to right, as usual) */
  private arith(): Expr {
    let left = this.product();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.next() as { value: string }).value;
      left = { type: 'arith', op, left, right: this.product() };
    }
    return left;
  }
  private product(): Expr {
    let left = this.primary();
    while (this.isOp('*') || this.isOp('/')) {
      const op = (this.next() as { value: string }).value;
      left = { type: 'arith', op, left, right: this.primary() };
    }
    return left;
  }
  private primary(): Expr {
    const t = this.next();
    if (t.kind === 'str' || t.kind === 'num') return { type: 'lit', value: t.value };
    if (t.kind === 'op' && t.value === '(') {
      const e = this.or();
      this.expectOp(')');
      return e;
    }
    if (t.kind !== 'id') throw malformed(`unexpected '${tokenText(t)}'`);
    if (this.isOp('(')) {
      const start = this.pos - 1;
      this.pos++;
      const args: Expr[] = [];
      while (!this.isOp(')')) {
        args.push(this.arith());
        if (this.isOp(',')) this.pos++;
        else if (!this.isOp(')')) throw malformed(`expected ',' or ')' in ${t.value}()`);
      }
      this.pos++;
      const fn = t.value.toLowerCase();
      if (!['ispresent', 'coalesce', 'bin', ...Object.keys(NUMERIC_FUNCTIONS)].includes(fn)) throw malformed(`unknown function '${t.value}'`);
      return { type: 'call', fn, args, text: this.tokens.slice(start, this.pos).map(tokenText).join('') };
    }
    return { type: 'field', name: t.value };
  }
}

function tokenText(t: Token): string {
  if (t.kind === 'str') return JSON.stringify(t.value);
  if (t.kind === 'regex') return String(t.value);
  return String(t.value);
}

/** Parse a query; throws FakeAwsError('MalformedQueryException') like the service does. */
export function parseQuery(text: string): Command[] {
  return new Parser(tokenize(text)).commands();
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

/** A number from a field or literal; null when absent or not numeric (the service's null propagation). */
function numeric(v: Value): number | null {
  if (v === undefined || v === null || v === '' || typeof v === 'boolean') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

const NUMERIC_FUNCTIONS: Record<string, (args: (number | null)[]) => number | null> = {
  ceil: ([a]) => (a === null || a === undefined ? null : Math.ceil(a)),
  floor: ([a]) => (a === null || a === undefined ? null : Math.floor(a)),
  least: (args) => (args.some((a) => a === null) ? null : Math.min(...(args as number[]))),
  greatest: (args) => (args.some((a) => a === null) ? null : Math.max(...(args as number[]))),
};

function evaluate(expr: Expr, row: Row): Value {
  switch (expr.type) {
    case 'lit':
      return expr.value;
    case 'field':
      return row[expr.name];
    case 'call': {
      if (expr.fn === 'ispresent') {
        const v = expr.args[0] ? evaluate(expr.args[0], row) : undefined;
        return v !== undefined && v !== null;
      }
      const numericFn = NUMERIC_FUNCTIONS[expr.fn];
      if (numericFn) return numericFn(expr.args.map((a) => numeric(evaluate(a, row))));
      if (expr.fn === 'coalesce') {
        for (const a of expr.args) {
          const v = evaluate(a, row);
          if (v !== undefined && v !== null && v !== '') return v;
        }
        return undefined;
      }
      // bin(period): the start of the @timestamp bin, in ms
      const period = expr.args[0]?.type === 'field' ? expr.args[0].name : '';
      const m = /^(\d+)(ms|s|m|h|d)$/.exec(period);
      if (!m) throw malformed(`bad bin period '${period}'`);
      const width = Number(m[1]) * PERIOD_MS[m[2]!]!;
      const ts = Number(row['@timestamp']);
      return Math.floor(ts / width) * width;
    }
    case 'cmp': {
      const l = evaluate(expr.left, row);
      const r = evaluate(expr.right, row);
      if (l === undefined || l === null || r === undefined || r === null) return expr.op === '!=' ? l !== r : false;
      const ln = Number(l);
      const rn = Number(r);
      const numeric = typeof l !== 'boolean' && typeof r !== 'boolean' && l !== '' && r !== '' && !Number.isNaN(ln) && !Number.isNaN(rn);
      const a: number | string = numeric ? ln : String(l);
      const b: number | string = numeric ? rn : String(r);
      switch (expr.op) {
        case '=':
          return a === b;
        case '!=':
          return a !== b;
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        default:
          return a >= b;
      }
    }
    case 'arith': {
      const l = numeric(evaluate(expr.left, row));
      const r = numeric(evaluate(expr.right, row));
      if (l === null || r === null) return null;
      if (expr.op === '+') return l + r;
      if (expr.op === '-') return l - r;
      if (expr.op === '*') return l * r;
      return r === 0 ? null : l / r;
    }
    case 'like': {
      const v = evaluate(expr.left, row);
      if (v === undefined || v === null) return false;
      return typeof expr.pattern === 'string' ? String(v).includes(expr.pattern) : expr.pattern.test(String(v));
    }
    case 'in': {
      const v = evaluate(expr.left, row);
      return v !== undefined && v !== null && expr.values.some((x) => String(x) === String(v));
    }
    case 'and':
      return Boolean(evaluate(expr.left, row)) && Boolean(evaluate(expr.right, row));
    case 'or':
      return Boolean(evaluate(expr.left, row)) || Boolean(evaluate(expr.right, row));
    case 'not':
      return !evaluate(expr.expr, row);
  }
}

/** Nearest-rank percentile. */
function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function aggregateValue(agg: Aggregate, rows: Row[]): Value {
  if (agg.fn === 'count' && agg.field === undefined) return rows.length;
  const present = rows.filter((r) => r[agg.field!] !== undefined && r[agg.field!] !== null);
  switch (agg.fn) {
    case 'count':
      return present.length;
    case 'count_distinct':
      return new Set(present.map((r) => String(r[agg.field!]))).size;
    case 'earliest':
    case 'latest': {
      if (present.length === 0) return undefined;
      // by @timestamp; ties keep the store's order (the first / the last one seen)
      let best = present[0]!;
      for (const r of present) {
        const cmp = Number(r['@timestamp']) - Number(best['@timestamp']);
        if (agg.fn === 'earliest' ? cmp < 0 : cmp >= 0) best = r;
      }
      return best[agg.field!];
    }
    default: {
      const nums = present.map((r) => Number(r[agg.field!])).filter((n) => Number.isFinite(n));
      if (nums.length === 0) return undefined;
      if (agg.fn === 'sum') return nums.reduce((a, b) => a + b, 0);
      if (agg.fn === 'avg') return nums.reduce((a, b) => a + b, 0) / nums.length;
      if (agg.fn === 'min') return nums.reduce((a, b) => Math.min(a, b));
      if (agg.fn === 'max') return nums.reduce((a, b) => Math.max(a, b));
      return percentile(nums.sort((a, b) => a - b), agg.arg ?? 50);
    }
  }
}

function runStats(cmd: Extract<Command, { cmd: 'stats' }>, rows: Row[], timeColumns: Set<string>): Row[] {
  const groups = new Map<string, { key: Row; rows: Row[] }>();
  for (const row of rows) {
    const key: Row = {};
    for (const b of cmd.by) {
      key[b.name] = evaluate(b.expr, row);
      if (b.expr.type === 'call' && b.expr.fn === 'bin') timeColumns.add(b.name);
    }
    const id = JSON.stringify(cmd.by.map((b) => key[b.name] ?? null));
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key, rows: [] }));
    group.rows.push(row);
  }
  if (cmd.by.length === 0 && groups.size === 0) groups.set('[]', { key: {}, rows: [] });
  return [...groups.values()].map(({ key, rows: members }) => {
    const out: Row = { ...key };
    for (const agg of cmd.aggs) {
      out[agg.name] = aggregateValue(agg, members);
      if (agg.field === '@timestamp' && ['min', 'max', 'earliest', 'latest'].includes(agg.fn)) timeColumns.add(agg.name);
    }
    return out;
  });
}

/** The Logs Insights display format of a timestamp: "2025-01-31 12:00:00.000" (UTC). */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function flatten(value: unknown, prefix: string, out: Row): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value)) {
    out[prefix] = JSON.stringify(value);
  } else if (prefix) {
    out[prefix] = value as Value;
  }
}

export interface QueryInput {
  events: { timestamp: number; message: string; ingestionTime: number; logStream: string }[];
  queryString: string;
  limit?: number;
}

export interface QueryOutput {
  results: { field: string; value: string }[][];
  statistics: { recordsMatched: number; recordsScanned: number; bytesScanned: number };
}

/** Run a query over events (already restricted to the query's groups and time range). Pure. */
export function runQuery(input: QueryInput): QueryOutput {
  const commands = parseQuery(input.queryString);
  let rows: Row[] = [];
  let bytesScanned = 0;
  for (const [index, e] of input.events.entries()) {
    bytesScanned += Buffer.byteLength(e.message, 'utf8');
    const row: Row = {
      '@timestamp': e.timestamp,
      '@message': e.message,
      '@logStream': e.logStream,
      '@ingestionTime': e.ingestionTime,
      '@ptr': `ptr-${index}`,
    };
    try {
      const parsed: unknown = JSON.parse(e.message);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) flatten(parsed, '', row);
    } catch {
      // not JSON: only the @ fields are discovered, as in Logs Insights
    }
    rows.push(row);
  }
  const recordsScanned = rows.length;
  let recordsMatched: number | undefined;
  let display: string[] | undefined;
  const timeColumns = new Set<string>(['@timestamp']);
  for (const cmd of commands) {
    if (cmd.cmd === 'filter') {
      rows = rows.filter((r) => Boolean(evaluate(cmd.expr, r)));
    } else if (cmd.cmd === 'fields') {
      for (const r of rows) for (const item of cmd.items) r[item.name] = evaluate(item.expr, r);
      display = [...(display ?? []), ...cmd.items.map((i) => i.name)];
    } else if (cmd.cmd === 'stats') {
      recordsMatched ??= rows.length;
      rows = runStats(cmd, rows, timeColumns);
      display = [...cmd.by.map((b) => b.name), ...cmd.aggs.map((a) => a.name)];
    } else if (cmd.cmd === 'sort') {
      const dir = cmd.desc ? -1 : 1;
      rows = [...rows].sort((a, b) => {
        const x = a[cmd.field];
        const y = b[cmd.field];
        if (x === y) return 0;
        if (x === undefined || x === null) return 1;
        if (y === undefined || y === null) return -1;
        const nx = Number(x);
        const ny = Number(y);
        const cmp = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : String(x).localeCompare(String(y));
        return cmp * dir;
      });
    } else {
      rows = rows.slice(0, cmd.n);
    }
  }
  recordsMatched ??= rows.length;
  const fields = display ?? ['@timestamp', '@message'];
  const isStats = commands.some((c) => c.cmd === 'stats');
  const cap = Math.min(input.limit ?? FAKE_MAX_ROWS, FAKE_MAX_ROWS);
  const results = rows.slice(0, cap).map((r) => {
    const cells: { field: string; value: string }[] = [];
    for (const field of fields) {
      const v = r[field];
      if (v === undefined || v === null) continue; // absent fields are left out of the row, as in the service
      cells.push({ field, value: timeColumns.has(field) ? formatTimestamp(Number(v)) : String(v) });
    }
    if (!isStats) cells.push({ field: '@ptr', value: String(r['@ptr']) });
    return cells;
  });
  return { results, statistics: { recordsMatched, recordsScanned, bytesScanned } };
}

// ---------------------------------------------------------------------------------------------------------------
// Operation handlers

type QueryStatus = 'Scheduled' | 'Running' | 'Complete' | 'Failed' | 'Cancelled' | 'Timeout';

interface QueryState {
  id: string;
  queryString: string;
  groups: string[];
  startTime: number;
  endTime: number;
  limit?: number;
  polls: number;
  status: QueryStatus;
  /** a status forced by a hook, reported instead of Complete */
  forced?: QueryStatus;
  output?: QueryOutput;
}

export interface InsightsEngineOptions {
  /** GetQueryResults polls answered Scheduled, then Running, before Complete (default 1 and 1) */
  scheduledPolls?: number;
  runningPolls?: number;
  /** queries Scheduled/Running at once before StartQuery answers LimitExceededException (default 30, AWS's) */
  maxConcurrentQueries?: number;
}

export interface InsightsEngine {
  operations: Record<string, OperationHandler>;
  /** every StartQuery accepted, in order */
  started: QueryState[];
  /** StopQuery calls (query ids) */
  stopped: string[];
  /** the next n queries end with this status instead of Complete */
  forceStatus(status: 'Failed' | 'Cancelled' | 'Timeout', n?: number): void;
  /** the next n calls of op fail with this AWS error (e.g. LimitExceededException, ThrottlingException) */
  throwNext(op: 'StartQuery' | 'GetQueryResults', type: string, n?: number): void;
  /** queries currently Scheduled or Running */
  running(): number;
  /** the most queries Scheduled or Running at the same time so far */
  peakConcurrent(): number;
}

function groupNames(body: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof body.logGroupName === 'string') out.push(body.logGroupName);
  for (const key of ['logGroupNames', 'logGroupIdentifiers']) {
    const v = body[key];
    if (Array.isArray(v)) for (const g of v) if (typeof g === 'string') out.push(g.replace(/^arn:.*:log-group:/, '').replace(/:\*$/, ''));
  }
  return out;
}

export function createInsightsEngine(options: InsightsEngineOptions = {}): InsightsEngine {
  const scheduledPolls = options.scheduledPolls ?? 1;
  const runningPolls = options.runningPolls ?? 1;
  const maxConcurrent = options.maxConcurrentQueries ?? 30;
  const queries = new Map<string, QueryState>();
  const started: QueryState[] = [];
  const stopped: string[] = [];
  let forced: { status: QueryStatus; remaining: number } | undefined;
  const throws: { op: string; type: string; remaining: number }[] = [];
  let peak = 0;

  const isActive = (q: QueryState) => q.status === 'Scheduled' || q.status === 'Running';
  const running = () => [...queries.values()].filter(isActive).length;

  function takeThrow(op: string): void {
    const t = throws.find((x) => x.op === op && x.remaining > 0);
    if (!t) return;
    t.remaining--;
    throw new FakeAwsError(t.type, `Rate exceeded (injected ${t.type})`);
  }

  function execute(q: QueryState, store: FakeStore): QueryOutput {
    const events: QueryInput['events'] = [];
    for (const name of q.groups) {
      for (const [stream, list] of store.groups.get(name)?.streams ?? []) {
        for (const e of list) {
          // startTime and endTime are epoch seconds; both ends inclusive
          if (e.timestamp >= q.startTime * 1000 && e.timestamp <= q.endTime * 1000 + 999) events.push({ ...e, logStream: stream });
        }
      }
    }
    events.sort((a, b) => a.timestamp - b.timestamp);
    return runQuery({ events, queryString: q.queryString, limit: q.limit });
  }

  const operations: Record<string, OperationHandler> = {
    StartQuery(body: Record<string, unknown>, store: FakeStore) {
      takeThrow('StartQuery');
      const groups = groupNames(body);
      if (groups.length === 0) throw new FakeAwsError('InvalidParameterException', 'A log group name or identifier is required.');
      for (const g of groups) {
        if (!store.groups.has(g)) throw new FakeAwsError('ResourceNotFoundException', `Log group '${g}' does not exist.`);
      }
      const { startTime, endTime, queryString } = body;
      if (typeof startTime !== 'number' || typeof endTime !== 'number' || typeof queryString !== 'string') {
        throw new FakeAwsError('InvalidParameterException', 'startTime, endTime and queryString are required.');
      }
      // The service rejects millisecond times passed as seconds (they are thousands of years ahead).
      if (startTime > 1e11 || endTime > 1e11) throw new FakeAwsError('InvalidParameterException', 'startTime and endTime are epoch seconds.');
      if (endTime < startTime) throw new FakeAwsError('InvalidParameterException', 'endTime must not be before startTime.');
      parseQuery(queryString); // MalformedQueryException now, as the service does
      if (running() >= maxConcurrent) {
        throw new FakeAwsError('LimitExceededException', `Account maximum query concurrency limit of [${maxConcurrent}] reached.`);
      }
      const q: QueryState = {
        id: randomUUID(),
        queryString,
        groups,
        startTime,
        endTime,
        limit: typeof body.limit === 'number' ? body.limit : undefined,
        polls: 0,
        status: 'Scheduled',
      };
      if (forced && forced.remaining > 0) {
        q.forced = forced.status;
        forced.remaining--;
      }
      queries.set(q.id, q);
      started.push(q);
      peak = Math.max(peak, running());
      return { queryId: q.id };
    },
    GetQueryResults(body: Record<string, unknown>, store: FakeStore) {
      takeThrow('GetQueryResults');
      const q = typeof body.queryId === 'string' ? queries.get(body.queryId) : undefined;
      if (!q) throw new FakeAwsError('ResourceNotFoundException', 'The specified query could not be found.');
      if (isActive(q)) {
        q.polls++;
        if (q.polls > scheduledPolls + runningPolls) {
          q.status = q.forced ?? 'Complete';
          if (q.status === 'Complete') q.output = execute(q, store);
        } else if (q.polls > scheduledPolls) {
          q.status = 'Running';
        }
      }
      const stats = q.output?.statistics ?? { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 };
      return { status: q.status, results: q.status === 'Complete' ? q.output!.results : [], statistics: stats };
    },
    StopQuery(body: Record<string, unknown>) {
      const q = typeof body.queryId === 'string' ? queries.get(body.queryId) : undefined;
      if (!q) throw new FakeAwsError('ResourceNotFoundException', 'The specified query could not be found.');
      stopped.push(q.id);
      if (!isActive(q)) throw new FakeAwsError('InvalidParameterException', 'Query is not running.');
      q.status = 'Cancelled';
      return { success: true };
    },
  };

  return {
    operations,
    started,
    stopped,
    forceStatus(status, n = 1) {
      forced = { status, remaining: n };
    },
    throwNext(op, type, n = 1) {
      throws.push({ op, type, remaining: n });
    },
    running,
    peakConcurrent: () => peak,
  };
}
