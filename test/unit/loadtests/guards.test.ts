/**
 * The guard rails: the 4xx-by-request-name watcher (pure, fed samples), the generator monitor (a really blocked
 * event loop), and how the analyzer reads both back from the summary and turns them into findings.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { loadGeneratorFindings } from '../../../analyzer/analyses/load-generator.js';
import { clientViewFromSummary } from '../../../analyzer/sources/client-summary.js';
import { EndpointGuard, GeneratorMonitor } from '../../../loadtests/runner/guards.js';

const response = (status: number, name = '/api/v1/todos', method = 'GET') => ({ name, method, status: String(status) });

describe('EndpointGuard', () => {
  it('warns once, as soon as a name has 10 responses of which most are 4xx; others stay quiet', () => {
    const warnings: string[] = [];
    const guard = new EndpointGuard((w) => warnings.push(`${w.method} ${w.name} ${w.status404}/${w.responses}`));
    for (let i = 0; i < 9; i++) guard.sample('http_reqs', 1, response(404));
    expect(warnings).toEqual([]);
    guard.sample('http_reqs', 1, response(404));
    expect(warnings).toEqual(['GET /api/v1/todos 10/10']);
    for (let i = 0; i < 20; i++) guard.sample('http_reqs', 1, response(404));
    for (let i = 0; i < 50; i++) guard.sample('http_reqs', 1, response(200, '/items'));
    for (let i = 0; i < 20; i++) guard.sample('http_reqs', 1, response(i < 11 ? 201 : 400, '/orders', 'POST')); // 45 % in the end: fine
    guard.sample('http_req_duration', 5, response(404)); // only http_reqs samples count
    expect(warnings).toHaveLength(1);
    expect(guard.warnings()).toEqual([{ name: '/api/v1/todos', method: 'GET', responses: 30, status4xx: 30, status404: 30, share: 1 }]);
  });

  it('ignores requests without a response (status 0: a different problem, counted as noResponse)', () => {
    const guard = new EndpointGuard();
    for (let i = 0; i < 20; i++) guard.sample('http_reqs', 1, response(0));
    expect(guard.warnings()).toEqual([]);
  });
});

describe('GeneratorMonitor', () => {
  it('sees its own event loop blocked and calls the generator saturated', async () => {
    const said: string[] = [];
    const monitor = new GeneratorMonitor((text) => said.push(text), 50);
    monitor.start();
    for (let round = 0; round < 3; round++) {
      const until = performance.now() + 250;
      while (performance.now() < until) {
        // busy: the generator's own loop cannot run timers or I/O
      }
      await wait(70);
    }
    const health = monitor.stop();
    expect(health.saturatedSeconds).toBeGreaterThanOrEqual(2);
    expect(health.saturated).toBe(true);
    expect(health.elDelayMaxMs).toBeGreaterThanOrEqual(100);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/load generator is saturated/);
  });
});

describe('the analyzer reads the guard rails from the summary', () => {
  const summary = {
    metrics: { http_reqs: { values: { count: 40, rate: 4 } } },
    root_group: { checks: [] },
    logjam: {
      runId: 'r1',
      clientErrors: [{ name: '/api/v1/todos', method: 'GET', responses: 30, status4xx: 30, status404: 30, share: 1 }],
      generator: { saturated: true, saturatedSeconds: 6, windows: 10, elDelayP99Ms: 180, elDelayMaxMs: 400, cpuMean: 0.8, cpuPeak: 1 },
    },
  };

  it('as findings load-wrong-endpoint and load-generator-saturated', () => {
    const view = clientViewFromSummary(summary, 's.json');
    expect(view.clientErrors).toEqual([{ name: '/api/v1/todos', method: 'GET', responses: 30, status4xx: 30, status404: 30 }]);
    expect(view.generator).toMatchObject({ saturated: true, saturatedSeconds: 6 });
    const findings = loadGeneratorFindings(view);
    expect(findings.map((f) => f.id)).toEqual(['load-wrong-endpoint', 'load-generator-saturated']);
    expect(findings[0]!.details).toEqual(['GET /api/v1/todos: 30 of 30 4xx (404: 30)']);
  });

  it('no findings from a healthy run or from a k6 summary (which has no logjam block)', () => {
    const healthy = { ...summary, logjam: { runId: 'r1', clientErrors: [], generator: { ...summary.logjam.generator, saturated: false } } };
    expect(loadGeneratorFindings(clientViewFromSummary(healthy, 's.json'))).toEqual([]);
    expect(loadGeneratorFindings(clientViewFromSummary({ metrics: summary.metrics, root_group: { checks: [] } }, 'k6.json'))).toEqual([]);
  });
});
