/**
 * The comparison's HTML page opens offline and its three overlays draw: two crafted runs (concurrency ramping, the
 * second with a slower database and a hostile route name) analyzed by the pipeline with capacity, compared, rendered,
 * opened in headless Chromium. Without Chromium this test FAILS, like html-report.test.ts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeploymentFacts } from '../../analyzer/capacity/index.js';
import { compareRuns } from '../../analyzer/compare/compare.js';
import { renderComparisonHtml } from '../../analyzer/compare/render-html.js';
import { analyzeRun } from '../../analyzer/pipeline.js';
import { createLocalSource } from '../../analyzer/sources/ndjson/index.js';
import { logLines, toNdjson, type Line } from '../support/log-lines.js';
import { CHROMIUM, headlessArgs, runChromium } from '../support/chromium.js';

const HOSTILE = '</script><script>document.title="pwned"</script><img src=x onerror=alert(1)>';

/** 30 s: requests per second ramp up; each takes `db` ms in the database plus a little more as the load grows. */
function run(runId: string, db: number): Line[] {
  const l = logLines({ runId });
  const lines: Line[] = [];
  let id = 0;
  for (let s = 0; s < 30; s++) {
    const perSecond = 20 + s * 6;
    for (let i = 0; i < perSecond; i++) {
      const ms = 3 + db + s * 0.3 + (i % 5);
      lines.push(l.finish({ id: `${runId}-${id++}`, t: l.at(s * 1000 + (i * 1000) / perSecond), route: '/api/v1/todos', ms, dbMs: db, dbQueries: 1 }));
    }
    lines.push(l.finish({ id: `${runId}-${id++}`, t: l.at(s * 1000 + 500), path: HOSTILE, route: HOSTILE, ms: 2 }));
  }
  return lines;
}

describe('compare HTML page', () => {
  let dir: string;
  let file: string;
  let html: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'logjam-compare-html-'));
    const log = join(dir, 'runs.ndjson');
    await writeFile(log, toNdjson([...run('before', 2), ...run('after', 20)]));
    const source = createLocalSource(log);
    const facts = parseDeploymentFacts({ cpus: '1', workers: '1' });
    const cmp = compareRuns(await analyzeRun({ source, runId: 'before', facts }), await analyzeRun({ source, runId: 'after', facts }));
    html = renderComparisonHtml(cmp);
    file = join(dir, 'compare.html');
    await writeFile(file, html);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is one self-contained, escaped file with the verdict and the comparison text', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img src=x');
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html).toContain('<strong>regression</strong>');
    expect(html).toMatch(/is database time/);
  });

  it('draws the three overlays in headless Chromium', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    const { code, stdout, stderr } = await runChromium([...headlessArgs(join(dir, 'profile')), '--dump-dom', `file://${file}`]);
    expect(code, `chromium failed: ${stderr.slice(-2000)}`).toBe(0);
    const body = /<body([^>]*)>/.exec(stdout)?.[1] ?? '';
    expect(body, 'a script error on the page').not.toContain('data-chart-error');
    expect(body).toContain('data-charts-expected="3"');
    expect(body).toContain('data-charts-drawn="3"');
    for (const id of ['chart-latency', 'chart-usl', 'chart-routes']) expect(stdout).toMatch(new RegExp(`id="${id}"[^>]*data-chart-ready="1"`));
    // the legend names both runs' series: base and run overlaid
    for (const label of ['base p95', 'run p95', 'base USL', 'run USL', 'base bins', 'run bins']) expect(stdout).toContain(label);
  });
});
