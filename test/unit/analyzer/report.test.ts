import { describe, expect, it } from 'vitest';
import { analyze } from '../../../analyzer/analyses/index.js';
import { renderMarkdown } from '../../../analyzer/report/markdown.js';
import { buildReport } from '../../../analyzer/report/report.js';
import { renderTerminal, useColor } from '../../../analyzer/report/terminal.js';
import { renderTrace } from '../../../analyzer/report/trace.js';
import { sparkline } from '../../../analyzer/report/sparkline.js';
import { fmtBytes } from '../../../analyzer/report/text.js';
import { logLines } from '../../support/log-lines.js';
import { aggregateLines } from './helpers.js';

const L = logLines();
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

async function report() {
  const agg = await aggregateLines([
    L.finish({ id: 'a', t: L.at(0), path: '/api/v1/todos/undefined', route: '/api/v1/todos/:id', method: 'DELETE', status: 400 }),
    L.finish({ id: 'b', t: L.at(3000), path: '/weird|pipe', route: null, status: 404 }),
  ]);
  return buildReport({ aggregate: agg, findings: analyze(agg), now: new Date(0) });
}

describe('report renderers', () => {
  it('one report object with the documented top-level shape', async () => {
    const r = await report();
    expect(Object.keys(r).sort()).toEqual(
      ['findings', 'generatedAt', 'input', 'queries', 'reportVersion', 'routes', 'run', 'statusClusters', 'summary', 'suspiciousPaths', 'timeline', 'unfinishedByRoute'].sort(),
    );
    expect(r.reportVersion).toBe(2);
    expect(r.summary.critical + r.summary.warning + r.summary.info).toBe(r.findings.length);
    expect(r.routes[0]).toHaveProperty('reqPerS');
  });

  it('terminal: colour only when asked; NO_COLOR and pipes turn it off', async () => {
    const r = await report();
    expect(renderTerminal(r, { color: false })).not.toMatch(ANSI);
    expect(renderTerminal(r, { color: true })).toMatch(ANSI);
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
  });

  it('markdown escapes text from logs in tables', async () => {
    const md = renderMarkdown(await report());
    expect(md).toContain('/weird\\|pipe');
    expect(md).toContain('## Findings');
  });

  it('bytes scanned in decimal units, as AWS bills them', () => {
    expect([812, 51_234, 1_234_567, 3_400_000_000].map(fmtBytes)).toEqual(['812 B', '51.2 kB', '1.2 MB', '3.4 GB']);
  });

  it('sparkline scales to the max', () => {
    expect(sparkline([0, 1, 2, 4])).toBe('▁▃▅█');
    expect(sparkline([])).toBe('');
  });

  it('trace: offsets from the start and a waterfall with pool wait shown apart from db time', () => {
    const lines = [
      L.start({ id: 'x', t: L.at(0), method: 'POST' }),
      L.dbQuery({ id: 'x', t: L.at(40), dbMs: 10, poolWaitMs: 20, sql: 'insert into todos (title) values ($1)' }),
      L.finish({ id: 'x', t: L.at(50), method: 'POST', status: 201, ms: 50, dbMs: 10, poolWaitMs: 20, dbQueries: 1 }),
    ].map((l) => l as typeof l & { time: number });
    const text = renderTrace('x', lines, false, 50);
    expect(text).toContain('+0.0ms  request.start   POST /api/v1/todos');
    expect(text).toContain('+40.0ms  db.query');
    expect(text).toContain('+50.0ms  request.finish  201 in 50.0ms');
    const q = text.split('\n').find((l) => l.includes('query 1'))!;
    expect(q).toContain('░'.repeat(20) + '█'.repeat(10));
    expect(q).toContain('wait 20.0ms db 10.0ms');
  });
});
