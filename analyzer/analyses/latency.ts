/** Latency per route (count, req/s, error rate, percentiles): an info finding pointing at the slowest routes. */
import type { Finding, RunAggregate } from '../model.js';
import { ms, pct } from './format.js';

export function runSeconds(agg: RunAggregate): number {
  return Math.max((agg.lastTime - agg.firstTime) / 1000, 1);
}

export function errorCount(statuses: Record<string, number>): number {
  return Object.entries(statuses).reduce((n, [s, c]) => (Number(s) >= 400 ? n + c : n), 0);
}

export function latencyFindings(agg: RunAggregate): Finding[] {
  if (agg.totals.requests === 0) return [];
  const seconds = runSeconds(agg);
  const routes = agg.routes.filter((r) => r.count > 0).sort((a, b) => b.latency.p95 - a.latency.p95);
  const t = agg.totals;
  const slowest = routes[0];
  return [
    {
      id: 'latency',
      severity: 'info',
      title: `${t.requests} requests, ${(t.requests / seconds).toFixed(1)} req/s, p95 ${ms(t.latency.p95)}, p99 ${ms(t.latency.p99)}`,
      explanation:
        `Over ${seconds.toFixed(0)} s: p50 ${ms(t.latency.p50)}, p95 ${ms(t.latency.p95)}, p99 ${ms(t.latency.p99)}, max ${ms(t.latency.max)}; ` +
        `error rate ${pct(t.errors4xx + t.errors5xx, t.requests)}.` +
        (slowest ? ` Slowest route at p95: ${slowest.method} ${slowest.route} (${ms(slowest.latency.p95)}).` : ''),
      fix: 'Set limits with --fail-on (e.g. --fail-on "p95<500ms") to turn this into a pass/fail gate.',
      counts: {
        requests: t.requests,
        reqPerS: Math.round((t.requests / seconds) * 10) / 10,
        p50: t.latency.p50,
        p95: t.latency.p95,
        p99: t.latency.p99,
        max: t.latency.max,
      },
      exampleRequestIds: slowest ? slowest.exampleRequestIds : [],
      query: agg.queries.routes,
      details: routes
        .slice(0, 10)
        .map(
          (r) =>
            `${r.method} ${r.route}: ${r.count} req, ${(r.count / seconds).toFixed(1)}/s, errors ${pct(errorCount(r.statuses), r.count)}, ` +
            `p50 ${ms(r.latency.p50)} p95 ${ms(r.latency.p95)} p99 ${ms(r.latency.p99)} max ${ms(r.latency.max)}`,
        ),
    },
  ];
}
