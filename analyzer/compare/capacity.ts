/** Capacity base vs run: the figures `analyze` computes for each run (analyzer/capacity), side by side. Pure. */
import type { CapacityReport } from '../capacity/index.js';
import type { CapacityComparison, CapacityRow, CapacitySide } from './types.js';

function recommended(c: CapacityReport): string {
  const p = c.plan;
  if (p) {
    return `${p.workers} workers (${p.tasks} task(s) × ${p.workersPerTask}), ${p.vcpus} vCPUs${p.fargateChange ? `, Fargate ${p.fargateChange}` : ''}, DB ${p.dbConnectionsNeeded} connections${p.smallestDbClass ? ` (${p.smallestDbClass})` : ''}`;
  }
  const r = c.rds;
  // no RDS facts (not described as AWS): the connections the run needs, without a class to fit them in
  if (!r) return `DB pool ${c.inputs.deployment.poolSize} per worker × ${c.inputs.deployment.workersPerTask} workers × ${c.inputs.deployment.tasks} task(s)`;
  return `DB ${r.connectionsNeeded} connections on ${r.instanceClass} (${r.fits ? 'fits' : 'does not fit'}; smallest class that fits: ${r.smallestFitting ?? 'none in the table'})`;
}

export function capacitySide(c: CapacityReport): CapacitySide {
  const formula = (name: string) => c.formulas.find((f) => f.name === name)?.result;
  const side: CapacitySide = {
    serviceTimeMs: c.inputs.serviceTimeS * 1000,
    bottleneck: c.bottleneck.verdict,
    recommended: recommended(c),
    points: c.saturation.points.map((p) => ({ concurrency: p.concurrency, throughput: p.throughput })),
  };
  const utilization = formula('utilization');
  if (utilization !== undefined) side.utilization = utilization;
  const total = formula('capacity.total');
  if (total !== undefined) side.maxThroughput = total;
  if (c.saturation.knee) side.knee = { concurrency: c.saturation.knee.concurrency, throughput: c.saturation.knee.throughput };
  const u = c.usl;
  if (u.ok) {
    side.usl = { alpha: u.alpha, beta: u.beta, gamma: u.gamma, r2: u.r2, drawn: !u.poorFit };
    if (u.peakConcurrency !== undefined) side.usl.peakConcurrency = u.peakConcurrency;
    if (u.peakThroughput !== undefined) side.usl.peakThroughput = u.peakThroughput;
  }
  return side;
}

export function compareCapacity(base: CapacityReport, run: CapacityReport): CapacityComparison {
  const b = capacitySide(base);
  const r = capacitySide(run);
  const rows: CapacityRow[] = [];
  const num = (name: string, unit: string, pick: (s: CapacitySide) => number | undefined) => {
    const row: CapacityRow = { name, unit };
    const x = pick(b);
    const y = pick(r);
    if (x !== undefined) row.base = x;
    if (y !== undefined) row.run = y;
    rows.push(row);
  };
  num('service time per request', 'ms', (s) => s.serviceTimeMs);
  num('utilization', '', (s) => s.utilization);
  num('capacity of the deployment', 'req/s', (s) => s.maxThroughput);
  num('knee: requests in flight', '', (s) => s.knee?.concurrency);
  num('knee: throughput', 'req/s', (s) => s.knee?.throughput);
  num('USL peak: requests in flight', '', (s) => s.usl?.peakConcurrency);
  num('USL peak: throughput', 'req/s', (s) => s.usl?.peakThroughput);
  rows.push({ name: 'bottleneck', unit: '', baseText: b.bottleneck, runText: r.bottleneck });
  rows.push({ name: 'recommended size', unit: '', baseText: b.recommended, runText: r.recommended });
  return { base: b, run: r, rows };
}
