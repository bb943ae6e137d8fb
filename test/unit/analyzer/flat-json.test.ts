/**
 * The fast path for logjam's own lines (sources/ndjson/flat-json.ts, readLogjamBytes): whatever it reads must be
 * exactly what the general path (decode + classifyLine, JSON.parse) makes of the line — the same keys in the same
 * order, the same values — and whatever it cannot read exactly it must leave to the general path. Checked on
 * crafted edge cases, on mutations of real lines, on every test log, and end to end: the scan with and without the
 * fast path gives the same accounting, the same lines and the same report.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunAggregator, type LogLine } from '../../../analyzer/aggregate/aggregator.js';
import { classifyLine, FOREIGN, MALFORMED, readLogjamBytes } from '../../../analyzer/sources/ndjson/classify.js';
import { FlatJsonReader } from '../../../analyzer/sources/ndjson/flat-json.js';
import { resolveInputs } from '../../../analyzer/sources/ndjson/inputs.js';
import { scanInputs } from '../../../analyzer/sources/ndjson/scan.js';
import { classifyAlbLine } from '../../../analyzer/sources/formats/alb.js';
import { emptyAccounting } from '../../../analyzer/aggregate/aggregator.js';
import { corpusBytes, corpusCases, CONTROL_PAYLOADS, writeControlCorpus } from '../../fixtures/hostile/generate.js';
import { mixedLogLines } from '../../support/mixed-log.js';
import { logLines, toNdjson } from '../../support/log-lines.js';
import { tempDir } from './helpers.js';

/** keys in order and each value (Object.is: -0 is not 0), or undefined */
const entries = (v: unknown) => (v === undefined ? undefined : Object.entries(v as object));

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The reader on `line` agrees with JSON.parse: the same object, or it leaves the line to the general path. */
function expectAgrees(reader: FlatJsonReader, line: string | Buffer): Record<string, unknown> | undefined {
  const buf = Buffer.isBuffer(line) ? line : Buffer.from(line, 'utf8');
  // inside a larger buffer, as the line splitter hands it over: bytes on both sides must not be read
  const padded = Buffer.concat([Buffer.from('{"x":1}\n'), buf, Buffer.from('\n{"y":2}')]);
  const got = reader.read(padded, 8, 8 + buf.length);
  if (got !== undefined) {
    const want = parsed(buf.toString('utf8'));
    expect(want).toBeTypeOf('object');
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    const a = entries(got)!;
    const b = entries(want)!;
    expect(a.map(([k]) => k)).toEqual(b.map(([k]) => k));
    a.forEach(([, v], i) => expect(Object.is(v, b[i]![1]), `${String(v)} vs ${String(b[i]![1])}`).toBe(true));
  }
  return got;
}

const FINISH =
  '{"time":1736942400000,"level":"info","msg":"request finished","event":"request.finish","schema":1,"service":"svc",' +
  '"host":"h","pid":1000,"worker":1,"request_id":"req-0","run_id":"r","method":"GET","path":"/a","route":"/a",' +
  '"status":200,"duration_ms":4.709,"bytes_out":436,"db_ms":1.78,"db_queries":3,"pool_wait_ms":0}';

describe('flat JSON reader: the same object as JSON.parse, or none', () => {
  it('reads the flat objects logjam writes, values and key order as JSON.parse gives them', () => {
    const reader = new FlatJsonReader();
    for (const line of [
      FINISH,
      '{}',
      ' { "a" : "b" ,\t"c":true, "d":false,"e":null }  ',
      '{"n":0,"m":-0,"f":0.5,"g":-12.25,"h":123456789012345,"i":1.00,"j":0.1,"k":99.99999999999,"l":-0.0}',
      '{"2":"two","1":"one","b":"x","a":"y"}',
      '{"a":1e3,"b":1E-3,"c":-2.5e+10,"d":1e400,"e":-1e-400,"f":0e0}',
      '{"a":1234567890123456789,"b":0.1234567890123456789,"c":69.15789573177598,"d":9007199254740993}',
      '{"constructor":"c","toString":"t","hasOwnProperty":1}',
    ]) {
      expect(expectAgrees(reader, line), line).toBeDefined();
    }
  });

  it('leaves to the general path what it cannot read exactly', () => {
    const reader = new FlatJsonReader();
    for (const line of [
      '{"a":"x\\"y"}',
      '{"a":"\\u0041"}',
      '{"a\\n":1}',
      '{"a":"é"}',
      '{"é":1}',
      '{"a":"tab\there"}',
      '{"a":"del\u007f"}',
      '{"a":"bell\u0007"}',
      '{"a":{"b":1}}',
      '{"a":[1]}',
      '{"a":01}',
      '{"a":1e}',
      '{"a":1e+}',
      '{"a":1.e3}',
      '{"a":1ee3}',
      '{"a":-}',
      '{"a":1.}',
      '{"a":.5}',
      '{"a":+1}',
      '{"a":1a}',
      '{"a":tru}',
      '{"a":truex}',
      '{"a":nul}',
      '{"a":NaN}',
      '{"a":"x"y}',
      '{"a":1,"a":2}',
      '{"__proto__":{"x":1}}',
      '{"__proto__":1}',
      '{"a":1}x',
      '{"a":1}{"b":2}',
      '{"a":1,}',
      '{,"a":1}',
      '{"a" 1}',
      '{"a":1',
      '{"a":"unterminated',
      '{"a',
      '{',
      '',
      '[1,2]',
      '"just a string"',
      '\ufeff{"a":1}',
      '{"a":1}\r',
      '{"a":\r1}',
    ]) {
      expect(reader.read(Buffer.from(line), 0, Buffer.byteLength(line)), line).toBeUndefined();
      expectAgrees(reader, line);
    }
  });

  it('reads a line of the last shape that differs from it anywhere (blanks, a value it cannot read, more keys) as JSON.parse does', () => {
    const reader = new FlatJsonReader();
    const pairs = FINISH.slice(1, -1).split(',');
    const variants: string[] = [];
    pairs.forEach((pair, k) => {
      const with_ = (p: string) => `{${pairs.map((q, n) => (n === k ? p : q)).join(',')}}`;
      const [key, value] = [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)];
      variants.push(with_(`${key}: ${value}`), with_(`${key} :${value}`), with_(` ${pair}`), with_(`${pair} `));
      variants.push(with_(`${key}:"x\\"y"`), with_(`${key}:"x"`), with_(`${key}:{"a":1}`), with_(`${key}:01`));
      // a key of the shape again later in the line: JSON.parse keeps the last value (the general path)
      variants.push(`${FINISH.slice(0, -1)},${key}:1}`);
    });
    variants.push(`${FINISH.slice(0, -1)},"extra":"x"}`, `${FINISH} `, `${FINISH}x`, `${FINISH.slice(0, -1)} }`, FINISH.slice(0, -1));
    for (const line of variants) {
      expect(expectAgrees(reader, FINISH), 'the shape expected').toBeDefined();
      const got = expectAgrees(reader, line);
      // read exactly when JSON.parse gives a flat object of printable ASCII without escapes or duplicate keys
      const flat = !/\\|\{"a"|:01|x$|[^}]$/.test(line) && !/,"(\w+)":1\}$/.test(line);
      if (flat) expect(got, line).toBeDefined();
      expect(expectAgrees(reader, line), `${line}, twice`).toEqual(got);
    }
  });

  it('follows lines whose shape changes from the last one: keys reordered, added, missing, prefixes of others', () => {
    const reader = new FlatJsonReader();
    const seq = [
      '{"time":1,"level":"info","msg":"a"}',
      '{"time":2,"level":"info","msg":"a"}',
      '{"time":3,"level":"warn","msg":"ab"}',
      '{"level":"info","time":4,"msg":"a"}',
      '{"time":5,"level":"info"}',
      '{"time":6,"level":"info","msg":"a","extra":true}',
      '{"timestamp":7,"level":"info","msg":"a"}',
      '{"tim":8,"level":"info","msg":"a"}',
      '{"time":9,"level":"infx","msg":"a"}',
      '{"time":10,"level":"inf","msg":"a"}',
      '{"time":11,"level":"info","msg":"a","msg":"b"}',
      '{"time":12,"level":"info","msg":"a"}',
      '{"time":"13","level":14,"msg":null}',
      '{"time":15,"level":"info","msg":"a"}',
    ];
    for (let round = 0; round < 3; round++) {
      for (const line of seq) expectAgrees(reader, line);
    }
    // a value repeated from the last line keeps its value when the next line's differs in its last byte only
    expect(reader.read(Buffer.from('{"time":1,"level":"infp","msg":"a"}'), 0, 35)!.level).toBe('infp');
  });

  it('agrees with JSON.parse on thousands of mutated lines (bytes changed, removed, inserted)', () => {
    let s = 12345;
    const rand = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 0x100000000;
    };
    const alphabet = Buffer.from('{}[]":,.-+0123456789eE \t\\abcdefnrtlsu\u00e9\u0001\u007f');
    const reader = new FlatJsonReader();
    const base = Buffer.from(FINISH);
    let read = 0;
    for (let n = 0; n < 20_000; n++) {
      const bytes = [...base];
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * bytes.length);
        const b = alphabet[Math.floor(rand() * alphabet.length)]!;
        const op = rand();
        if (op < 0.4) bytes[at] = b;
        else if (op < 0.7) bytes.splice(at, 1);
        else bytes.splice(at, 0, b);
      }
      if (expectAgrees(reader, Buffer.from(bytes)) !== undefined) read++;
      // and the original now and then, so the expected shape keeps being the real one
      if (n % 7 === 0) expect(expectAgrees(reader, base)).toBeDefined();
    }
    // many mutations still parse (a digit changed, a space added): the reader must have read some of them
    expect(read).toBeGreaterThan(1000);
  });
});

/** Every line of the test logs, as bytes. */
function testLogLines(): Buffer[] {
  const dir = tempDir();
  const control = writeControlCorpus(dir);
  const texts = [
    ...mixedLogLines({ requests: 600, longLineBytes: 3000 }),
    ...toNdjson(sampleLines()).split('\n'),
    ...CONTROL_PAYLOADS.map((p) => JSON.stringify({ ...logLines().finish({ id: 'x' }), msg: p.text })),
  ];
  const buffers: Buffer[] = texts.map((t) => Buffer.from(t, 'utf8'));
  for (const bytes of [corpusBytes(corpusCases().filter((c) => c.bytes.length < 100_000)), readFileSync(control.logPath)]) {
    let start = 0;
    for (;;) {
      const nl = bytes.indexOf(10, start);
      buffers.push(bytes.subarray(start, nl === -1 ? bytes.length : nl));
      if (nl === -1) break;
      start = nl + 1;
    }
  }
  return buffers;
}

/** One line of each kind logLines() makes. */
function sampleLines(): Record<string, unknown>[] {
  const L = logLines({ runId: 'run-1' });
  return [
    L.start({ id: 'a' }),
    L.finish({ id: 'a', status: 500 }),
    L.abort({ id: 'b' }),
    L.error({ id: 'c', message: 'boom 42' }),
    L.dbQuery({ id: 'a', sql: 'select 1' }),
    L.app({ id: 'a', msg: 'hello' }),
    L.runtime({ elu: 0.25 }),
    L.dropped({ dropped: 3 }),
  ];
}

describe('fast path on every test log: the same outcome as the general path', () => {
  it('each line: what readLogjamBytes reads, classifyLine reads as the same logjam line (never an ALB line)', () => {
    const reader = new FlatJsonReader();
    let fast = 0;
    for (const bytes of testLogLines()) {
      let end = bytes.length;
      if (end > 0 && bytes[end - 1] === 13) end--;
      const line = readLogjamBytes(reader, bytes, 0, end);
      if (line === undefined) continue;
      fast++;
      const text = bytes.toString('utf8', 0, end);
      expect(classifyAlbLine(text)).toBeUndefined();
      const c = classifyLine(text);
      expect(c === MALFORMED || c === FOREIGN).toBe(false);
      if (c === MALFORMED || c === FOREIGN) continue;
      expect(c.format).toBe('logjam');
      expect(Object.entries(line)).toEqual(Object.entries(c.line));
    }
    expect(fast).toBeGreaterThan(1000);
  });

  it('the scan with and without the fast path: the same accounting, lines and report', async () => {
    const dir = tempDir();
    const path = join(dir, 'all.ndjson');
    writeFileSync(path, Buffer.concat(testLogLines().flatMap((b, i) => [b, Buffer.from(i % 9 === 0 ? '\r\n' : '\n')])));
    const pass = async (fastPath: boolean) => {
      const lines: LogLine[] = [];
      const agg = new RunAggregator({ runId: 'run-1', source: path });
      const input = emptyAccounting();
      await scanInputs((await resolveInputs(path)).files, input, (l) => lines.push(l), 4096, { fastPath });
      for (const l of lines) agg.push(l);
      return { input, lines: lines.map((l) => Object.entries(l)), report: JSON.parse(JSON.stringify(agg.result())) };
    };
    const general = await pass(false);
    const fast = await pass(true);
    expect(fast.input).toEqual(general.input);
    expect(fast.lines).toEqual(general.lines);
    expect(fast.report).toEqual(general.report);
    expect(general.input.formats?.logjam).toBeGreaterThan(1000);
  });
});
