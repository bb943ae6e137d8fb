import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import { RunNotFoundError } from '../../../analyzer/aggregate/nearest-runs.js';
import { LogjamError } from '../../../common/errors.js';
import { logLines, toNdjson } from '../../support/log-lines.js';
import { aggregateLines, tempDir, writeLog } from './helpers.js';

const L = logLines();

function sumOf(i: { parsed: number; malformed: number; oversized: number; foreign: number; otherRuns: number; outsideTimeRange?: number }) {
  return i.parsed + i.malformed + i.oversized + i.foreign + i.otherRuns + (i.outsideTimeRange ?? 0);
}

describe('local NDJSON source: input accounting on hostile input', () => {
  it('counts every line once and never throws on content', async () => {
    const good = [L.finish({ id: 'a' }), L.finish({ id: 'b', status: 500 })];
    const text =
      '\ufeff' +
      JSON.stringify(good[0]) +
      '\r\n' + // CRLF
      JSON.stringify(good[1]) +
      '\n' +
      'plain text, not json\n' +
      '[1,2,3]\n' +
      '42\n' +
      'null\n' +
      '\n   \n' + // blank lines are not lines
      JSON.stringify({ ...L.finish({ id: 'c' }), schema: 2 }) + '\n' + // another schema version
      JSON.stringify({ level: 30, msg: 'another service' }) + '\n' + // no schema
      JSON.stringify({ ...L.finish({ id: 'd' }), status: '200' }) + '\n' + // wrong type for a required field
      JSON.stringify(L.finish({ id: 'e', run: 'other-run' })) + '\n' +
      `{"big":"${'x'.repeat(2 * 1024 * 1024)}"}\n` + // oversized
      '{"time": 1736942400000, "schema": 1, "ev'; // truncated last line
    const agg = await aggregateLines(text);
    const i = agg.input;
    expect(i).toMatchObject({ parsed: 2, malformed: 5, foreign: 3, otherRuns: 1, oversized: 1 });
    expect(i.totalLines).toBe(12);
    expect(sumOf(i)).toBe(i.totalLines);
    expect(agg.totals.requests).toBe(2);
    expect(agg.totals.errors5xx).toBe(1);
  });

  it('skips an oversized line without losing the lines around it, with a small cap', async () => {
    const path = writeLog(`${JSON.stringify(L.finish({ id: 'a' }))}\n${'y'.repeat(5000)}\n${JSON.stringify(L.finish({ id: 'b' }))}\n`);
    const agg = await createLocalSource(path, { maxLineBytes: 1024 }).aggregate('run-1');
    expect(agg.input.oversized).toBe(1);
    expect(agg.totals.requests).toBe(2);
  });

  it('an oversized last line with no newline is counted', async () => {
    const path = writeLog(`${JSON.stringify(L.finish({ id: 'a' }))}\n${'z'.repeat(5000)}`);
    const agg = await createLocalSource(path, { maxLineBytes: 1024 }).aggregate('run-1');
    expect(agg.input).toMatchObject({ totalLines: 2, oversized: 1, parsed: 1 });
  });
});

describe('local NDJSON source: files, directories, gzip, stdin', () => {
  it('reads .gz by extension and by magic bytes, and a directory in name order', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.ndjson.gz'), gzipSync(toNdjson([L.finish({ id: 'a1' }), L.finish({ id: 'a2' })])));
    // gzip without a .gz name: detected by its magic bytes
    writeFileSync(join(dir, 'b.log'), gzipSync(toNdjson([L.finish({ id: 'b1' })])));
    // no final newline: must not glue onto the next file's first line
    writeFileSync(join(dir, 'c.jsonl'), JSON.stringify(L.finish({ id: 'c1' })));
    writeFileSync(join(dir, 'd.ndjson'), toNdjson([L.finish({ id: 'd1' })]));
    writeFileSync(join(dir, 'notes.txt'), 'ignored: not a log file name\n');
    const agg = await createLocalSource(dir).aggregate('run-1');
    expect(agg.totals.requests).toBe(5);
    expect(agg.input.malformed).toBe(0);
    expect(agg.input.totalLines).toBe(5);
  });

  it('reads the run folders under a directory (runs/<run-id>/app.ndjson), as `logjam runs --logs runs/` needs', async () => {
    const dir = tempDir();
    const A = logLines({ runId: 'run-a' });
    const B = logLines({ runId: 'run-b' });
    for (const [id, lines] of [['run-a', [A.finish({ id: 'a1' }), A.finish({ id: 'a2' })]], ['run-b', [B.finish({ id: 'b1' })]]] as const) {
      mkdirSync(join(dir, id));
      writeFileSync(join(dir, id, 'app.ndjson'), toNdjson([...lines]));
      writeFileSync(join(dir, id, 'summary.json'), '{"not": "a log file"}\n');
    }
    const runs = await createLocalSource(dir).listRuns();
    expect(runs.map((r) => [r.runId, r.requests])).toEqual([
      ['run-a', 2],
      ['run-b', 1],
    ]);
  });

  it('a truncated .gz is a warning, and the lines before the damage still count', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => L.finish({ id: `r${i}`, t: L.at(i) }));
    const gz = gzipSync(toNdjson(lines));
    const path = join(tempDir(), 'cut.ndjson.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const agg = await createLocalSource(path).aggregate('run-1');
    expect(agg.input.warnings?.[0]).toMatch(/truncated or corrupt/);
    expect(agg.totals.requests).toBeGreaterThan(0);
    expect(agg.totals.requests).toBeLessThan(2000);
    expect(sumOf(agg.input)).toBe(agg.input.totalLines);
  });

  it('reads stdin once (plain and gzip), and says so on a second pass', async () => {
    const text = toNdjson([L.finish({ id: 's1' }), L.finish({ id: 's2' })]);
    const plain = createLocalSource('-', { stdin: Readable.from([Buffer.from(text)]) });
    expect((await plain.aggregate('run-1')).totals.requests).toBe(2);
    await expect(plain.listRuns()).rejects.toMatchObject({ code: 'LJ_STDIN_ONCE' });
    const gz = createLocalSource('-', { stdin: Readable.from([gzipSync(text)]) });
    expect((await gz.listRuns())[0]).toMatchObject({ runId: 'run-1', requests: 2 });
  });

  it('a missing path and an empty directory are SourceErrors (exit 2)', async () => {
    await expect(createLocalSource('/nonexistent/logs.ndjson').listRuns()).rejects.toBeInstanceOf(LogjamError);
    const err = await createLocalSource(tempDir()).listRuns().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LJ_LOGS_EMPTY_DIR', exitCode: 2 });
  });
});

describe('local NDJSON source: runs, run not found, trace', () => {
  const A = logLines({ runId: 'lab-2025-01-15-a' });
  const B = logLines({ runId: 'lab-2025-01-15-b' });
  const C = logLines({ runId: 'smoke' });
  const lines = [
    A.finish({ id: 'a1', t: A.at(0) }),
    A.finish({ id: 'a2', t: A.at(5000) }),
    B.finish({ id: 'b1', t: B.at(60_000) }),
    C.start({ id: 'c1', t: C.at(120_000) }),
  ];

  it('lists runs with first/last time and request.finish counts, oldest first', async () => {
    const runs = await createLocalSource(writeLog(lines)).listRuns();
    expect(runs.map((r) => [r.runId, r.requests])).toEqual([
      ['lab-2025-01-15-a', 2],
      ['lab-2025-01-15-b', 1],
      ['smoke', 0],
    ]);
    expect(runs[0]!.lastTime - runs[0]!.firstTime).toBe(5000);
  });

  it('an unknown run names the nearest runs, closest id first', async () => {
    const err = await createLocalSource(writeLog(lines))
      .aggregate('lab-2025-01-15-c')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunNotFoundError);
    const e = err as RunNotFoundError;
    expect(e.exitCode).toBe(2);
    expect(e.nearest.map((r) => r.runId).slice(0, 2).sort()).toEqual(['lab-2025-01-15-a', 'lab-2025-01-15-b']);
    expect(e.nearest.at(-1)!.runId).toBe('smoke');
    expect(e.message).toContain('nearest runs');
  });

  it('trace returns the lines of one request in time order, app lines included', async () => {
    const T = logLines();
    const path = writeLog([
      T.finish({ id: 'x', t: T.at(30) }),
      T.dbQuery({ id: 'x', t: T.at(20) }),
      T.finish({ id: 'other', t: T.at(1) }),
      T.start({ id: 'x', t: T.at(0) }),
      T.app({ id: 'x', t: T.at(10), msg: 'loading todo' }),
    ]);
    const trace = await createLocalSource(path).trace('x');
    expect(trace.map((l) => l.event ?? l.msg)).toEqual(['request.start', 'loading todo', 'db.query', 'request.finish']);
    expect(await createLocalSource(path).trace('missing')).toEqual([]);
  });
});

describe('local NDJSON source: duplicated request lines', () => {
  const L = logLines();
  const run = () => {
    const lines = [];
    for (let i = 0; i < 5; i++) {
      lines.push(L.start({ id: `a${i}`, t: i * 100 }), L.abort({ id: `a${i}`, t: i * 100 + 50 }));
    }
    for (let i = 0; i < 4; i++) {
      lines.push(L.start({ id: `e${i}`, t: 1000 + i }), L.error({ id: `e${i}`, t: 1001 + i, status: 500, message: `pool ${i} exhausted` }));
      lines.push(L.finish({ id: `e${i}`, t: 1002 + i, status: 500 }));
    }
    lines.push(L.start({ id: 'open', t: 2000 }));
    return lines;
  };

  it('two copies of one log count each request event once (aborted 5, not 10) and say how many lines were ignored', async () => {
    const once = toNdjson(run());
    const agg = await createLocalSource(writeLog(once + once)).aggregate('run-1');
    expect(agg.totals).toMatchObject({ aborts: 5, requests: 4, errors5xx: 4, unfinished: 1 });
    expect(agg.routes.reduce((n, r) => n + r.aborts, 0)).toBe(5);
    expect(agg.bins.reduce((n, b) => n + b.aborts, 0)).toBe(5);
    expect(agg.statusClusters[0]!.messages).toEqual([{ template: 'pool <n> exhausted', count: 4 }]);
    // 5 × (start + abort) + 4 × (start + error + finish) + 1 start, read a second time
    expect(agg.input.duplicates).toBe(10 + 12 + 1);
  });

  it('attaches jq evidence that runs on the same file and finds the same aborts', async () => {
    const { execFileSync } = await import('node:child_process');
    const file = writeLog(run());
    const agg = await createLocalSource(file).aggregate('run-1');
    const query = agg.queries.aborts!;
    expect(query.language).toBe('jq');
    const out = JSON.parse(execFileSync('sh', ['-c', query.text], { encoding: 'utf8' })) as { requests: number }[];
    expect(out.reduce((n, g) => n + g.requests, 0)).toBe(agg.totals.aborts);
  });
});
