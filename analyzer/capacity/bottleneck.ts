/**
 * Which resource ran out, ranked, each with the numbers behind it. Thresholds live here as named constants and in
 * docs/capacity.md ("Bottleneck verdict"); change both together.
 *
 * Shares are of the mean response time R: pool share = mean pool wait / R, DB share = mean query time / R.
 * "Stress" scales the DB-side scores so a healthy, fast run whose little time happens to be in the DB is not
 * called DB-bound: stress = min(1, p95 / 500 ms), and 1 when ≥ 1% of responses are 5xx or any pool wait timed out.
 * When the event loop is saturated, DB and pool times include loop delay and are discounted (see loopInflated).
 */
import { compareClientToServer } from '../analyses/client-server-counts.js';
import type { ClientView, RunAggregate } from '../model.js';
import { clamp01, num, pct } from './format.js';
import type { BottleneckCandidate, BottleneckVerdict } from './types.js';

export const THRESHOLDS = {
  /** p95 at which a run counts as fully stressed */
  slowP95Ms: 500,
  /** 5xx share that counts as fully stressed */
  errorRate: 0.01,
  /** event-loop delay p99: a healthy loop stays near the low end; the score reaches 1 at the high end */
  elDelayLowMs: 20,
  elDelayHighMs: 200,
  /** event-loop delay p99 (mean over the run) from which measured DB and pool times are taken to include loop delay */
  elDelayInflatesMs: 100,
  /** event-loop utilization: score from low (0) to high (1) */
  eluLow: 0.7,
  eluHigh: 0.95,
  /** DB + pool share above which "DB time is low" no longer holds (the CPU score is halved) */
  dbTimeLowShare: 0.5,
  /** pool-wait share of R that scores 1 */
  poolShareFull: 0.4,
  /** query-time share of R that scores 1 */
  dbShareFull: 0.6,
  /** share of client requests with no server line that scores 1 */
  missingShareFull: 0.02,
  /** a score at or above this is a verdict */
  verdict: 0.5,
} as const;

const LABELS: Record<BottleneckCandidate['kind'], string> = {
  cpu: 'CPU / event loop',
  'db-pool': 'DB connection pool',
  database: 'database (query time)',
  'client-or-network': 'client or network',
};

export function bottleneckLabel(kind: BottleneckVerdict['verdict']): string {
  return kind === 'none' ? 'none (healthy)' : LABELS[kind];
}

export function judgeBottleneck(agg: RunAggregate, client: ClientView | undefined): BottleneckVerdict {
  const t = agg.totals;
  const r = t.latency.mean;
  const poolShare = r > 0 ? clamp01(t.poolWaitMsMean / r) : 0;
  const dbShare = r > 0 ? clamp01(t.dbMsMean / r) : 0;
  const errorRate = t.requests > 0 ? t.errors5xx / t.requests : 0;
  const stress =
    errorRate >= THRESHOLDS.errorRate || t.poolTimeouts > 0 ? 1 : clamp01(t.latency.p95 / THRESHOLDS.slowP95Ms);
  const metrics: Record<string, number> = {
    meanMs: r,
    p95Ms: t.latency.p95,
    poolWaitMsMean: t.poolWaitMsMean,
    dbMsMean: t.dbMsMean,
    poolShare,
    dbShare,
    errorRate5xx: errorRate,
    poolTimeouts: t.poolTimeouts,
    stress,
  };
  const candidates: BottleneckCandidate[] = [];

  // Query time and pool wait are measured in the app, from the call to its callback: while the event loop is
  // saturated, a finished query's callback waits for the loop, so both include event-loop delay. A CPU-bound Node
  // process then looks DB-bound. When the loop is saturated, discount the DB-side shares by how much of them the
  // loop's own delay explains, and do not hold them against the CPU verdict.
  const rt = agg.runtime;
  const dbSideMs = t.dbMsMean + t.poolWaitMsMean;
  // Only a *blocked* loop delays callbacks: high utilization with a short delay (hundreds of small query
  // callbacks, as in an N+1 list) keeps them prompt, so the test is on the delay, not on ELU.
  const loopInflated =
    rt !== undefined &&
    rt.samples > 0 &&
    (rt.elDelayP99MsMean >= THRESHOLDS.elDelayInflatesMs || rt.elDelayP99MsMean >= t.dbMsMean);
  const dbSideTrust = loopInflated && dbSideMs > 0 ? clamp01(1 - rt.elDelayP99MsMean / dbSideMs) : 1;
  metrics.dbSideTrust = dbSideTrust;

  // CPU / event loop: the loop is late to run callbacks while the request time is not spent in the DB.
  {
    const evidence: string[] = [];
    let score = 0;
    if (rt && rt.samples > 0) {
      const el = clamp01((rt.elDelayP99MsMax - THRESHOLDS.elDelayLowMs) / (THRESHOLDS.elDelayHighMs - THRESHOLDS.elDelayLowMs));
      const elu = clamp01((rt.eluMax - THRESHOLDS.eluLow) / (THRESHOLDS.eluHigh - THRESHOLDS.eluLow));
      score = Math.max(el, elu);
      metrics.elDelayP99MsMax = rt.elDelayP99MsMax;
      metrics.eluMax = rt.eluMax;
      evidence.push(`event-loop delay p99 up to ${num(rt.elDelayP99MsMax)} ms (healthy < ${THRESHOLDS.elDelayLowMs} ms)`);
      evidence.push(`event-loop utilization up to ${pct(rt.eluMax)}`);
    } else {
      // Without runtime.stats, time outside the DB under stress is the only hint; never a full verdict on its own.
      score = clamp01(1 - poolShare - dbShare) * stress * 0.6;
      evidence.push('no runtime.stats lines: judged from time spent outside the DB only');
    }
    if (loopInflated) {
      evidence.push(
        `the loop is saturated, so DB and pool times (${num(dbSideMs)} ms a request) include waiting for it ` +
          `(loop delay p99 ${num(rt.elDelayP99MsMean)} ms on average)`,
      );
    } else if (poolShare + dbShare >= THRESHOLDS.dbTimeLowShare) {
      score *= 0.5;
      evidence.push(`but ${pct(poolShare + dbShare)} of the response time is DB/pool time`);
    } else {
      evidence.push(`DB and pool time only ${pct(poolShare + dbShare)} of the mean response time (${num(r)} ms)`);
    }
    candidates.push({ kind: 'cpu', score, evidence });
  }

  // DB pool: requests wait for a connection longer than they use one.
  {
    const evidence = [
      `pool wait ${num(t.poolWaitMsMean)} ms of ${num(r)} ms mean response time (${pct(poolShare)})`,
    ];
    let score = clamp01(poolShare / THRESHOLDS.poolShareFull) * stress * dbSideTrust;
    if (t.poolTimeouts > 0) {
      score = Math.max(score, 0.8);
      evidence.push(`${t.poolTimeouts} requests gave up waiting for a connection`);
    }
    if (agg.runtime && agg.runtime.poolWaitingMax > 0) {
      evidence.push(`up to ${agg.runtime.poolWaitingMax} requests queued for a connection (pool of ${agg.runtime.poolTotalMax})`);
    }
    candidates.push({ kind: 'db-pool', score, evidence });
  }

  // Database: the queries themselves take the time (slow queries, or many of them: N+1).
  {
    const perRequest = t.requests > 0 ? t.dbQueries / t.requests : 0;
    metrics.dbQueriesPerRequest = perRequest;
    const evidence = [
      `query time ${num(t.dbMsMean)} ms of ${num(r)} ms mean response time (${pct(dbShare)})`,
      `${num(perRequest)} queries per request`,
    ];
    const heaviest = [...agg.routes].sort((a, b) => b.dbQueriesMean - a.dbQueriesMean)[0];
    if (heaviest && heaviest.dbQueriesMean >= 10) {
      evidence.push(`${heaviest.method} ${heaviest.route} runs ${num(heaviest.dbQueriesMean)} queries per request (N+1?)`);
    }
    if (dbSideTrust < 1) evidence.push(`discounted to ${pct(dbSideTrust)}: the saturated event loop inflates measured query time`);
    candidates.push({ kind: 'database', score: clamp01(dbShare / THRESHOLDS.dbShareFull) * stress * dbSideTrust, evidence });
  }

  // Client or network: the client saw failures the server never logged.
  {
    const evidence: string[] = [];
    let score = 0;
    if (client) {
      const { serverSeen: serverSaw, missing, noResponse } = compareClientToServer(agg, client);
      const noServerLine = noResponse !== undefined ? Math.min(noResponse, missing) : missing;
      const share = client.requests > 0 ? noServerLine / client.requests : 0;
      metrics.clientRequests = client.requests;
      metrics.clientNoServerLine = noServerLine;
      score = clamp01(share / THRESHOLDS.missingShareFull);
      evidence.push(`client sent ${client.requests} requests; the server logged ${serverSaw} (finished, aborted or unfinished)`);
      if (client.noResponse !== undefined) evidence.push(`client got no response for ${client.noResponse}`);
      evidence.push(`${noServerLine} client requests (${pct(share)}) left no server line`);
    } else {
      evidence.push('no client summary given (--client-summary): cannot compare client and server counts');
    }
    candidates.push({ kind: 'client-or-network', score, evidence });
  }

  candidates.sort((a, b) => b.score - a.score);
  const top = candidates[0]!;
  const verdict = top.score >= THRESHOLDS.verdict ? top.kind : 'none';
  const summary =
    verdict === 'none'
      ? `no bottleneck: p95 ${num(t.latency.p95)} ms, ${pct(errorRate)} 5xx, strongest signal ${LABELS[top.kind]} at ${num(top.score)}`
      : `${LABELS[verdict]} (score ${num(top.score)}): ${top.evidence[0]}`;
  return { verdict, ranked: candidates, metrics, summary };
}
