/**
 * slow-request-dimensions / failed-request-dimensions from the CloudWatch source (the real SDK against the fake
 * Logs Insights engine): the crafted log whose counts are known by construction gives the same exact counts and
 * ratios as through the local source, from the one dimensions query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../../analyzer/analyses/index.js';
import type { RunAggregate } from '../../../analyzer/model.js';
import { createCloudWatchSource } from '../../../analyzer/sources/cloudwatch/index.js';
import { craftedSlowRouteLog, LIST, ONE } from '../../support/slow-route-log.js';
import { FAST, putLines, startFake, type Fake } from './helpers.js';

const GROUP = '/logjam/dims';
let fake: Fake;
let agg: RunAggregate;

beforeAll(async () => {
  const lines = craftedSlowRouteLog();
  fake = await startFake();
  putLines(fake, GROUP, lines);
  const times = lines.map((l) => Number(l.time));
  const source = createCloudWatchSource({ logGroup: GROUP, progress: false, tuning: FAST, stopOnSigint: false, since: Math.min(...times) - 1000, until: Math.max(...times) + 1000 });
  agg = await source.aggregate('run-1');
}, 60_000);

afterAll(async () => {
  fake.restoreEnv();
  await fake.cw.close();
});

describe('request dimensions from Logs Insights', () => {
  it('counts per value exactly, from one query that ran after the summary (with its p95)', () => {
    const d = agg.dimensions!;
    expect(d).toMatchObject({ requests: 1000, slow: 50, errors5xx: 20, aborts: 10 });
    expect(d.dimensions.find((x) => x.id === 'route')!.values).toEqual([
      { value: `GET ${LIST}`, requests: 800, slow: 5, errors5xx: 0, aborts: 10 },
      { value: `GET ${ONE}`, requests: 100, slow: 45, errors5xx: 0, aborts: 0 },
      { value: `POST ${LIST}`, requests: 100, slow: 0, errors5xx: 20, aborts: 0 },
    ]);
    const queries = fake.engine.started.map((q) => q.queryString).filter((q) => q.includes('sum(is_slow)'));
    expect(queries).toHaveLength(1);
    expect(queries[0]).toContain(`ceil(duration_ms - ${agg.totals.latency.p95})`);
  });

  it('ranks the slowed route first and the 503 route first among failures, with the same ratios as locally', () => {
    const findings = analyze(agg);
    const slow = findings.find((f) => f.id === 'slow-request-dimensions')!;
    expect(slow.ranking![0]).toMatchObject({ dimension: 'route', value: `GET ${ONE}`, inGroup: 45, group: 50, inRest: 55, rest: 950, lift: 15.55, overRepresented: true });
    expect(slow.query).toMatchObject({ language: 'logs-insights' });
    const failed = findings.find((f) => f.id === 'failed-request-dimensions')!;
    expect(failed.ranking![0]).toMatchObject({ dimension: 'route', value: `POST ${LIST}`, inGroup: 20, group: 30, inRest: 80, rest: 980, lift: 8.17 });
    expect(failed.query!.text).toBe(slow.query!.text);
  });
});
