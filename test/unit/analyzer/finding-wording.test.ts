/**
 * Issue 15 item 5: finding texts speak of any service and any client; the lab's own wording (its k6 `request.id`
 * bug, the planners' `is status 200` check, TaskOverflow's 503 "database busy") only when the client summary says
 * the run was the lab's planners-and-studiers test. Both ways, on the same aggregate.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../analyzer/analyses/index.js';
import { clientViewFromSummary } from '../../../analyzer/sources/client-summary.js';
import type { ClientView, Finding, RunAggregate } from '../../../analyzer/model.js';
import { LAB_SCENARIO } from '../../../common/lab-scenario.js';
import { aggregate, route } from '../capacity/fixtures.js';

/** A run with a `/undefined` path, a 503 cluster with pool timeouts, and a POST answered 201. */
const agg: RunAggregate = aggregate({
  routes: [
    route('POST', '/api/v1/items', { count: 100, statuses: { '201': 100 } }),
    route('GET', '/api/v1/items', { count: 100, statuses: { '200': 60, '503': 40 } }),
  ],
  suspiciousPaths: [{ method: 'DELETE', path: '/api/v1/items/undefined', segment: 'undefined', count: 20, statuses: { '400': 20 }, exampleRequestIds: [] }],
  statusClusters: [{ method: 'GET', route: '/api/v1/items', status: 503, count: 40, messages: [], exampleRequestIds: [] }],
  totals: { requests: 200, errors5xx: 40, poolTimeouts: 40 },
});

const summary = (extra: Record<string, unknown>) => ({
  metrics: { http_reqs: { values: { count: 200 } } },
  root_group: { name: '', checks: [{ name: 'is status 200', passes: 60, fails: 100 }], groups: [] },
  ...extra,
});
const someClient = clientViewFromSummary(summary({ logjam: { runId: 'r1', scenario: 'checkout-flow' } }), 'other.json');
const noScenario = clientViewFromSummary(summary({}), 'k6.json');
const labRunner = clientViewFromSummary(summary({ logjam: { runId: 'r1', scenario: LAB_SCENARIO } }), 'lab.json');
const labK6 = clientViewFromSummary(summary({ setup_data: { runId: 'r1', scenario: LAB_SCENARIO } }), 'lab-k6.json');

const text = (f: Finding | undefined) => `${f?.explanation ?? ''} ${f?.fix ?? ''}`;
const find = (client: ClientView, id: string) => analyze(agg, client).find((f) => f.id === id);

describe('finding texts', () => {
  it('reads the scenario from the Node runner summary and from k6 setup_data (the lab k6 scripts return it)', () => {
    expect(labRunner.scenario).toBe(LAB_SCENARIO);
    expect(labK6.scenario).toBe(LAB_SCENARIO);
    expect(noScenario.scenario).toBeUndefined();
    expect(clientViewFromSummary(summary({ logjam: { scenario: 'bad name\n' } }), 'x.json').scenario).toBeUndefined();
  });

  it.each([
    ['another scenario', someClient],
    ['a k6 summary with no scenario', noScenario],
  ])('are generic for %s', (_what, client) => {
    const suspicious = text(find(client, 'suspicious-path'));
    expect(suspicious).toContain('from a missing field (an id read from the wrong object');
    expect(suspicious).not.toMatch(/json\(\)\.id|request\.id|k6|lab/);
    const serverErrors = text(find(client, 'server-errors'));
    expect(serverErrors).toContain('40 db.pool_timeout lines');
    expect(serverErrors).not.toMatch(/database busy|TaskOverflow|DB_ACQUIRE_TIMEOUT_MS/);
    const mismatch = text(find(client, 'status-mismatch'));
    expect(mismatch).toContain('the test expects 200 but the API returns 201 Created');
    expect(mismatch).not.toContain('planners');
  });

  it.each([
    ['the Node runner', labRunner],
    ['k6', labK6],
  ])("name the lab's bugs when the client is the lab's scenario (%s)", (_what, client) => {
    expect(text(find(client, 'suspicious-path'))).toContain('`request.json().id`');
    expect(text(find(client, 'server-errors'))).toContain('503 "database busy"');
    expect(text(find(client, 'status-mismatch'))).toContain("planners' check `is status 200`");
  });

  it('a 5xx without pool timeouts says nothing about the pool, lab or not', () => {
    const noTimeouts = { ...agg, totals: { ...agg.totals, poolTimeouts: 0 } };
    for (const client of [someClient, labRunner]) {
      const f = analyze(noTimeouts, client).find((x) => x.id === 'server-errors');
      expect(f?.fix).not.toMatch(/pool|database busy/);
    }
  });
});
