/**
 * The client-log join on crafted lines: each category (late completion, server abort after a client timeout, never
 * logged, status disagreement, interrupted by the runner) lands in its own count; the clock offset is bracketed by
 * the causality bounds; both client-log formats (logjam's client.ndjson and k6's --out json points) are read.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunAggregator } from '../../../analyzer/aggregate/aggregator.js';
import { ClientJoiner } from '../../../analyzer/aggregate/client-join.js';
import { ClientTable, OUTCOME, hashId } from '../../../analyzer/aggregate/client-table.js';
import { clientJoinFindings } from '../../../analyzer/analyses/client-join.js';
import type { ClientLogAccounting } from '../../../analyzer/model.js';
import { loadClientLog } from '../../../analyzer/sources/client-log/index.js';
import { parseClientLine } from '../../../analyzer/sources/client-log/parse.js';

const THETA = 5_000; // the server's clock runs 5 s ahead of the client's
const T0 = 1_733_000_000_000;

const accounting = (requests: number): ClientLogAccounting => ({
  file: 'client.ndjson', format: 'logjam', totalLines: requests, requests, otherRuns: 0, duplicateIds: 0, malformed: 0,
  oversized: 0, foreign: 0, k6OtherLines: 0, k6WithoutId: 0, namesFolded: 0, otherRunIds: [],
});

function finish(id: string, serverEnd: number, durationMs: number, status: number) {
  return { time: serverEnd, event: 'request.finish', request_id: id, run_id: 'r1', method: 'GET', route: '/todos', path: '/todos', status, duration_ms: durationMs };
}

describe('ClientJoiner', () => {
  const table = new ClientTable();
  // a: answered; the server saw it 5 ms after sending and answered 5 ms before the client had it
  table.add('a', T0, 50, 200, OUTCOME.response, 'GET /todos');
  table.add('b', T0 + 100, 100, 0, OUTCOME.timeout, 'GET /todos'); // late completion
  table.add('c', T0 + 200, 100, 0, OUTCOME.timeout, 'GET /todos'); // the server noticed (abort)
  table.add('d', T0 + 300, 1, 0, OUTCOME.refused, 'GET /todos'); // never logged
  table.add('e', T0 + 400, 80, 502, OUTCOME.response, 'GET /todos'); // a proxy answered 502, the app 200
  table.add('f', T0 + 500, 10, 0, OUTCOME.interrupted, 'GET /todos'); // cut off by the runner, never logged
  table.add('g', T0 + 600, 30, 0, OUTCOME.timeout, 'GET /todos'); // timed out, never logged
  table.add('a', T0, 1, 200, OUTCOME.response, 'GET /todos'); // a repeated id: the first row is kept
  expect(table.seal()).toBe(1);
  const joiner = new ClientJoiner(table, accounting(7));
  joiner.push({ time: T0 + THETA + 5, event: 'request.start', request_id: 'a', run_id: 'r1' });
  joiner.push(finish('a', T0 + THETA + 45, 40, 200));
  joiner.push(finish('a', T0 + THETA + 45, 40, 200)); // a duplicate line: counted once
  joiner.push(finish('b', T0 + 100 + THETA + 400, 390, 200)); // finished 300 ms after the client's 100 ms timeout
  joiner.push({ time: T0 + 200 + THETA + 100, event: 'request.abort', request_id: 'c', run_id: 'r1', method: 'GET', route: '/todos', duration_ms: 95 });
  joiner.push(finish('e', T0 + 400 + THETA + 70, 60, 200));
  joiner.push(finish('zz', T0 + THETA, 1, 200)); // a request of another client
  const j = joiner.result();

  it('counts each category once', () => {
    expect(j.joined).toBe(4);
    expect(j.serverOnly).toBe(1);
    expect(j.lateCompletions.count).toBe(1);
    expect(j.lateCompletions.serverMsSum).toBe(390);
    expect(j.lateCompletions.serverAborted).toBe(1);
    expect(j.lateCompletions.neverLogged).toBe(1);
    expect(j.lateCompletions.exampleRequestIds).toEqual(['b']);
    expect(j.neverLogged.count).toBe(2);
    expect(j.neverLogged.byOutcome).toEqual({ refused: 1, timeout: 1 });
    expect(j.neverLogged.interrupted).toBe(1);
    expect(j.neverLogged.firstSentMs).toBe(300);
    expect(j.neverLogged.lastSentMs).toBe(600);
    expect(j.statusDisagreements.count).toBe(1);
    expect(j.statusDisagreements.pairs).toEqual([{ method: 'GET', route: '/todos', client: '502', server: '200', count: 1 }]);
  });

  it('brackets the clock offset by causality and bounds the offset-dependent figures by it', () => {
    const { lowMs, highMs, estimateMs, consistent } = j.clockOffset;
    expect(consistent).toBe(true);
    expect(lowMs).toBeLessThanOrEqual(THETA);
    expect(highMs).toBeGreaterThanOrEqual(THETA);
    expect(highMs! - lowMs!).toBeLessThanOrEqual(10);
    expect(Math.abs(estimateMs! - THETA)).toBeLessThanOrEqual(5);
    // b: the server finished at client-clock T0+100+400, the client gave up at T0+200 → 300 ms later
    expect(j.lateCompletions.laterMeanMs!.low).toBeLessThanOrEqual(300);
    expect(j.lateCompletions.laterMeanMs!.high).toBeGreaterThanOrEqual(300);
    // outside the app is offset-free: a 50−40 and e 80−60 → 10 and 20 ms
    expect(j.outsideApp.count).toBe(2);
    expect(j.outsideApp.totalMs.mean).toBe(15);
  });

  it('gives the stable finding ids with the counts', () => {
    const byId = Object.fromEntries(clientJoinFindings(j).map((f) => [f.id, f]));
    expect(Object.keys(byId).sort()).toEqual(['client-log-input', 'late-completions', 'never-logged', 'outside-app-time', 'status-disagreement']);
    expect(byId['client-log-input']!.counts.serverOnly).toBe(1);
    expect(byId['late-completions']!.counts.lateCompletions).toBe(1);
    expect(byId['never-logged']!.counts.neverLogged).toBe(2);
    expect(byId['status-disagreement']!.counts.statusDisagreements).toBe(1);
    expect(byId['outside-app-time']!.counts.compared).toBe(2);
  });
});

describe('the join as the aggregator\'s duplicate check (knownIds)', () => {
  it('gives the same totals and duplicate counts as the aggregator\'s own sets', () => {
    const lines = [
      { time: T0 + 1, event: 'request.start', request_id: 'a', run_id: 'r1', method: 'GET', path: '/todos' },
      finish('a', T0 + 10, 9, 200),
      finish('a', T0 + 10, 9, 200),
      { time: T0 + 1, event: 'request.start', request_id: 'a', run_id: 'r1', method: 'GET', path: '/todos' },
      finish('b', T0 + 20, 9, 500),
      { time: T0 + 5, event: 'request.start', request_id: 'b', run_id: 'r1', method: 'GET', path: '/todos' }, // after its finish
      { time: T0 + 30, event: 'request.start', request_id: 'c', run_id: 'r1', method: 'GET', path: '/todos' }, // never ends
      { time: T0 + 40, event: 'request.abort', request_id: 'x', run_id: 'r1', method: 'GET', path: '/todos', duration_ms: 3 },
      { time: T0 + 40, event: 'request.abort', request_id: 'x', run_id: 'r1', method: 'GET', path: '/todos', duration_ms: 3 },
    ];
    const plain = new RunAggregator({ runId: 'r1', source: 'test' });
    for (const l of lines) plain.push({ ...l, schema: 1 });
    const table = new ClientTable();
    for (const id of ['a', 'b', 'c']) table.add(id, T0, 50, 200, OUTCOME.response, 'GET /todos');
    table.seal();
    const joiner = new ClientJoiner(table, accounting(3));
    const joined = new RunAggregator({ runId: 'r1', source: 'test', knownIds: joiner });
    for (const l of lines) {
      const line = { ...l, schema: 1 };
      joiner.push(line);
      joined.push(line);
    }
    const [p, j] = [plain.result(), joined.result()];
    expect(j.totals).toEqual(p.totals);
    expect(j.input.duplicates).toBe(p.input.duplicates);
    expect(p.input.duplicates).toBe(3);
    expect(joiner.result().neverLogged.startedNotEnded).toBe(1);
  });
});

describe('ClientTable', () => {
  it('finds every one of many ids and no absent one (index growth, chunked rows)', () => {
    const table = new ClientTable();
    for (let i = 0; i < 300_000; i++) table.add(`lj0123456789-${i.toString(36)}`, T0 + i, 1, 200, OUTCOME.response, 'GET /');
    expect(table.seal()).toBe(0);
    expect(table.size).toBe(300_000);
    for (let i = 0; i < 300_000; i += 997) expect(table.lookup(`lj0123456789-${i.toString(36)}`)).toBe(i);
    expect(table.lookup('lj0123456789-absent')).toBe(-1);
    expect(hashId('a')).not.toEqual(hashId('b'));
  });
});

describe('client log formats', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'logjam-client-log-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads k6's --out json points (id in metadata or tags): start = end time − http_req_duration, error codes to outcomes, other lines counted", async () => {
    // the shape of k6's JSON output (k6 docs, "JSON"): Metric declarations and Point samples, one a line
    const lines = [
      { type: 'Metric', data: { type: 'trend', contains: 'time', tainted: null, thresholds: [], submetrics: null }, metric: 'http_req_duration' },
      { type: 'Point', data: { time: '2026-12-02T01:00:00.250123456+01:00', value: 250, tags: { method: 'GET', name: 'list', status: '200', url: 'http://h/api?token=x', scenario: 'default', run_id: 'r1' }, metadata: { logjam_request_id: 'k6a-1-1', logjam_vu: '1', logjam_iter: '0' } }, metric: 'http_req_duration' },
      { type: 'Point', data: { time: '2026-12-02T00:00:05Z', value: 5000, tags: { method: 'GET', url: 'http://h/api?token=secret', status: '0', error_code: '1050', logjam_request_id: 'k6a-1-2', run_id: 'r1' } }, metric: 'http_req_duration' },
      { type: 'Point', data: { time: '2026-12-02T00:00:05Z', value: 1, tags: { check: 'is 200', logjam_request_id: 'k6a-1-2' } }, metric: 'checks' },
      { type: 'Point', data: { time: '2026-12-02T00:00:06Z', value: 3, tags: { method: 'GET', status: '200' } }, metric: 'http_req_duration' },
      { type: 'Point', data: { time: '2026-12-02T00:00:06Z', value: 3, tags: { method: 'GET', status: '200', logjam_request_id: 'other-1', run_id: 'r2' } }, metric: 'http_req_duration' },
      'not json',
    ];
    const file = join(dir, 'k6.json');
    await writeFile(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
    const { table, accounting: a } = await loadClientLog(file, 'r1');
    expect(a).toMatchObject({ format: 'k6-json', requests: 2, k6OtherLines: 2, k6WithoutId: 1, otherRuns: 1, malformed: 1, totalLines: 7 });
    const first = table.get(table.lookup('k6a-1-1'));
    expect(first.start).toBe(Date.parse('2026-12-02T00:00:00.000Z'));
    expect(first).toMatchObject({ durationMs: 250, status: 200, outcome: OUTCOME.response, name: 'GET list' });
    const second = table.get(table.lookup('k6a-1-2'));
    expect(second).toMatchObject({ status: 0, outcome: OUTCOME.timeout, name: 'GET http://h/api' });
  });

  it("reads logjam's client.ndjson lines and refuses a file with none of the run", async () => {
    const line = { kind: 'logjam.client_request', schema: 1, id: 'lj1-1', run_id: 'r1', scenario: 's', vu: 1, iter: 0, name: '/x', method: 'POST', origin: 'http://h', path: '/x', start: T0, duration_ms: 12.5, status: 0, error: 'reset' };
    expect(parseClientLine(JSON.stringify(line))).toMatchObject({ format: 'logjam', id: 'lj1-1', outcome: OUTCOME.reset, status: 0, name: 'POST /x' });
    expect(parseClientLine(JSON.stringify({ ...line, id: 'bad id\n' }))).toBe('malformed');
    const file = join(dir, 'client.ndjson');
    await writeFile(file, `${JSON.stringify(line)}\n`);
    await expect(loadClientLog(file, 'r9')).rejects.toMatchObject({ code: 'LJ_CLIENT_LOG_EMPTY' });
    await expect(loadClientLog(join(dir, 'missing.ndjson'), 'r1')).rejects.toMatchObject({ code: 'LJ_CLIENT_LOG_READ' });
  });
});
