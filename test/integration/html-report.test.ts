/**
 * The HTML report opens offline and its charts draw: render a report from a crafted run, open it in headless
 * Chromium and read the DOM after the scripts ran. Chromium is required: without it this test FAILS (it must not
 * pass by skipping the one check that matters). CI installs it (.ci/run); locally: apt-get install chromium.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeCapacity, parseDeploymentFacts } from '../../analyzer/capacity/index.js';
import type { Finding } from '../../analyzer/model.js';
import { jsonForScript, renderHtmlReport } from '../../analyzer/report/html.js';
import { buildReport } from '../../analyzer/report/report.js';
import { ClientJoiner } from '../../analyzer/aggregate/client-join.js';
import { ClientTable, OUTCOME } from '../../analyzer/aggregate/client-table.js';
import { aggregate, bin, latency, route } from '../unit/capacity/fixtures.js';
import { CHROMIUM, headlessArgs, runChromium } from '../support/chromium.js';

const HOSTILE = '</script><script>document.title="pwned"</script><img src=x onerror=alert(1)>';

/** A run that ramps from 1 to 24 in flight against a limit of ~120 req/s, with a hostile route name. */
function craftedReport() {
  const ns = Array.from({ length: 24 }, (_, i) => i + 1);
  const bins = [bin(0, 0.5, 5), ...ns.map((n, i) => bin(i + 1, n, (12 * n) / (1 + 0.02 * (n - 1) + 0.002 * n * (n - 1)), { errors5xx: n > 18 ? n : 0 })), bin(25, 1, 4)];
  const agg = aggregate({
    bins,
    lastTime: bins[bins.length - 1]!.start + 10_000,
    firstTime: bins[0]!.start,
    totals: { requests: bins.reduce((s, b) => s + b.requests, 0), latency: latency(160, 420), dbMsMean: 30, poolWaitMsMean: 60 },
    routes: [
      route('GET', '/api/v1/todos', { count: 9000, latency: latency(180, 400), dbMsMean: 40, poolWaitMsMean: 80 }),
      route('POST', '/api/v1/todos', { count: 3000, latency: latency(120, 300), dbMsMean: 20, poolWaitMsMean: 30 }),
      route('GET', HOSTILE, { count: 50, latency: latency(20, 40), dbMsMean: 0, poolWaitMsMean: 0 }),
    ],
  });
  const findings: Finding[] = [
    {
      id: 'suspicious-path',
      severity: 'critical',
      title: `Requests to ${HOSTILE}`,
      explanation: 'The client sent a path with "undefined" in it.',
      fix: 'Check the id before building the URL.',
      counts: { requests: 50 },
      exampleRequestIds: ['req-1<b>'],
      query: { language: 'logs-insights', text: 'filter path like /undefined/ | stats count() by path' },
    },
  ];
  const capacity = computeCapacity(agg, undefined, parseDeploymentFacts({ fargateCpu: '1024', fargateMemory: '2048', dbInstanceClass: 'db.t3.micro', targetRps: '200' }));
  return renderHtmlReport(buildReport({ aggregate: agg, findings, capacity }), { title: 'logjam test report' });
}

describe('HTML report', () => {
  let dir: string;
  let file: string;
  let html: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'logjam-html-'));
    file = join(dir, 'report.html');
    html = craftedReport();
    await writeFile(file, html);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is one self-contained file: uPlot and the data inlined, nothing fetched', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('uPlot');
    expect(html).toContain('id="logjam-data"');
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes everything that came from logs', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;');
    expect(html).toContain('req-1&lt;b&gt;');
    // only our own three script elements close
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(jsonForScript({ a: '</script>&\u2028' })).toBe('{"a":"\\u003c/script\\u003e\\u0026\\u2028"}');
    expect(JSON.parse(jsonForScript({ a: '</script>' }))).toEqual({ a: '</script>' });
  });

  it('shows the findings and the capacity math', () => {
    expect(html).toContain('Requests to &lt;/script&gt;');
    expect(html).toContain('X = requests / duration');
    expect(html).toContain('max_connections = LEAST(DBInstanceClassMemory / 9531392, 5000)');
    expect(html).toContain('Bottleneck:');
    // each fact with where it came from
    expect(html).toContain('<tr><th>CPUs per task</th><td>1</td><td>given</td><td class="muted">--fargate-cpu 1024</td></tr>');
  });

  it('draws all four charts in headless Chromium', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: install chromium: apt-get install chromium (or set CHROMIUM_PATH)`);
    }
    const profile = join(dir, 'profile');
    const { code, stdout, stderr } = await runChromium([...headlessArgs(profile), '--dump-dom', `file://${file}`]);
    expect(code, `chromium failed: ${stderr.slice(-2000)}`).toBe(0);
    const body = /<body([^>]*)>/.exec(stdout)?.[1] ?? '';
    expect(body, 'a script error on the page').not.toContain('data-chart-error');
    expect(body).toContain('data-charts-expected="4"');
    expect(body).toContain('data-charts-drawn="4"');
    for (const id of ['chart-rate', 'chart-latency', 'chart-usl', 'chart-routes']) {
      expect(stdout).toMatch(new RegExp(`id="${id}"[^>]*data-chart-ready="1"`));
    }
    expect((stdout.match(/<canvas/g) ?? []).length).toBeGreaterThanOrEqual(4);
    // the hostile route name stayed text: no script of its ran
    expect(stdout).toContain('<title>logjam test report</title>');
  });

  it('without a capacity section, draws the other three charts and says why the fourth is empty', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: install chromium: apt-get install chromium (or set CHROMIUM_PATH)`);
    }
    const plain = join(dir, 'plain.html');
    const agg = aggregate({ bins: [bin(0, 1, 5), bin(1, 2, 20), bin(2, 3, 30), bin(3, 1, 4)] });
    await writeFile(plain, renderHtmlReport(buildReport({ aggregate: agg, findings: [] })));
    const { code, stdout } = await runChromium([...headlessArgs(join(dir, 'profile3')), '--dump-dom', `file://${plain}`]);
    expect(code).toBe(0);
    const body = /<body([^>]*)>/.exec(stdout)?.[1] ?? '';
    expect(body).not.toContain('data-chart-error');
    expect(body).toContain('data-charts-expected="3"');
    expect(body).toContain('data-charts-drawn="3"');
    expect(stdout).toContain('Not enough data: no usable time bins');
    expect(stdout).toContain('No findings.');
  });

  it('with a client log, draws the client duration against the server duration over time', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: install chromium: apt-get install chromium (or set CHROMIUM_PATH)`);
    }
    // 60 s of requests, one a second; from 30 s on, the time outside the app grows (a queue in front of it)
    const table = new ClientTable();
    const t0 = 1_733_000_000_000;
    const joiner = (() => {
      for (let i = 0; i < 60; i++) table.add(`c-${i}`, t0 + i * 1000, 50 + (i >= 30 ? 20 * (i - 30) : 0), 200, OUTCOME.response, 'GET /todos');
      table.seal();
      const accounting = { file: 'client.ndjson', format: 'logjam' as const, totalLines: 60, requests: 60, otherRuns: 0, duplicateIds: 0, malformed: 0, oversized: 0, foreign: 0, k6OtherLines: 0, k6WithoutId: 0, namesFolded: 0, otherRunIds: [] };
      return new ClientJoiner(table, accounting);
    })();
    for (let i = 0; i < 60; i++) {
      const start = t0 + i * 1000 + 2 + (i >= 30 ? 20 * (i - 30) : 0);
      joiner.push({ time: start + 45, event: 'request.finish', request_id: `c-${i}`, run_id: 'r', method: 'GET', route: '/todos', status: 200, duration_ms: 45 });
    }
    const agg = aggregate({ bins: [bin(0, 1, 5), bin(1, 2, 20), bin(2, 3, 30), bin(3, 1, 4)] });
    const joined = join(dir, 'joined.html');
    await writeFile(joined, renderHtmlReport(buildReport({ aggregate: agg, findings: [], join: joiner.result() })));
    const { code, stdout } = await runChromium([...headlessArgs(join(dir, 'profile4')), '--dump-dom', `file://${joined}`]);
    expect(code).toBe(0);
    const body = /<body([^>]*)>/.exec(stdout)?.[1] ?? '';
    expect(body).not.toContain('data-chart-error');
    expect(body).toContain('data-charts-expected="4"');
    expect(body).toContain('data-charts-drawn="4"');
    expect(stdout).toMatch(/id="chart-client-server"[^>]*data-chart-ready="1"/);
    expect(stdout).toContain('clock offset (server − client)');
  });

  it('renders to a screenshot (a visible page, not a blank one)', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: install chromium: apt-get install chromium (or set CHROMIUM_PATH)`);
    }
    const png = process.env.LOGJAM_SCREENSHOT ?? join(dir, 'report.png');
    const { code, stderr } = await runChromium([...headlessArgs(join(dir, 'profile2')), `--screenshot=${png}`, '--window-size=1200,2600', `file://${file}`]);
    expect(code, `chromium failed: ${stderr.slice(-2000)}`).toBe(0);
    const bytes = await readFile(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    // a blank white page compresses to a few KB; text and four charts do not
    expect(bytes.length).toBeGreaterThan(40_000);
  });
});
