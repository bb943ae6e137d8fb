/**
 * From one run's aggregate (and the client's view, when given) plus the deployment facts to the capacity report:
 * every number with the formula that made it. Pure: no I/O, no clock.
 */
import { LogjamError } from '../../common/errors.js';
import type { ClientView, RunAggregate } from '../model.js';
import { judgeBottleneck } from './bottleneck.js';
import { closedModelThroughput, littlesLaw, utilization } from './closed-model.js';
import { num } from './format.js';
import { planForTarget } from './plan.js';
import {
  connectionsNeeded,
  dbInstanceClassMemory,
  findRdsClass,
  maxConnections,
  RDS_TABLE_SOURCE,
  RESERVED_CONNECTIONS,
  smallestRdsClassFor,
} from './rds.js';
import { factRows } from './resolve.js';
import { analyzeSaturation } from './saturation.js';
import type { CapacityInputs, CapacityReport, DeploymentFacts, FormulaLine, RdsSection, RouteServiceTime } from './types.js';
import { fitUsl } from './usl.js';
import { gunicornWorkers, nodeClusterWorkers, serviceCapacity } from './workers.js';

function routeServiceTimes(agg: RunAggregate): RouteServiceTime[] {
  const total = agg.routes.reduce((s, r) => s + r.count * r.latency.mean, 0);
  return agg.routes
    .map((r) => ({
      method: r.method,
      route: r.route,
      count: r.count,
      meanMs: r.latency.mean,
      p95Ms: r.latency.p95,
      dbMsMean: r.dbMsMean,
      poolWaitMsMean: r.poolWaitMsMean,
      timeShare: total > 0 ? (r.count * r.latency.mean) / total : 0,
    }))
    .sort((a, b) => b.timeShare - a.timeShare);
}

/**
 * The service time S the capacity formula divides by: how long one request occupies one worker slot.
 * - Node (one event loop per worker, I/O is asynchronous): the CPU time per request, by the utilization law
 *   D = U / X — total busy time (mean event-loop utilization × processes × duration) over the requests served.
 *   Without runtime.stats: the time outside the DB and the pool wait (an upper bound on CPU time).
 * - gunicorn (a sync worker is held for the whole request, DB waits included): the mean response time.
 * Measured under load, both include some queueing, which makes the capacity conservative.
 */
export function serviceTime(
  agg: RunAggregate,
  facts: DeploymentFacts,
  durationS: number,
): { line: FormulaLine; basis: CapacityInputs['serviceTimeBasis'] } {
  const t = agg.totals;
  const rt = agg.runtime;
  if (facts.workerModel === 'node-cluster' && rt && rt.samples > 0 && rt.eluMean > 0) {
    const processes = Math.max(1, agg.workers);
    return {
      basis: 'utilization-law',
      line: {
        name: 'service-time',
        formula: 'S = ELU × processes × duration / requests',
        substituted: `S = ${num(rt.eluMean)} × ${processes} × ${num(durationS)} s / ${t.requests}`,
        result: (rt.eluMean * processes * durationS) / t.requests,
        unit: 's',
        note: 'utilization law D = U / X: event-loop (CPU) time per request; DB waits do not hold a Node worker',
      },
    };
  }
  if (facts.workerModel === 'node-cluster') {
    const outside = t.latency.mean - t.dbMsMean - t.poolWaitMsMean;
    // all of the time in the DB would leave nothing: keep 1% of R rather than divide by zero
    const ms = Math.max(outside, t.latency.mean * 0.01);
    return {
      basis: 'time-outside-db',
      line: {
        name: 'service-time',
        formula: 'S = R − DB time − pool wait',
        substituted: `S = ${num(t.latency.mean)} ms − ${num(t.dbMsMean)} ms − ${num(t.poolWaitMsMean)} ms`,
        result: ms / 1000,
        unit: 's',
        note: 'no runtime.stats lines: time outside the DB, an upper bound on CPU time per request',
      },
    };
  }
  return {
    basis: 'response-time',
    line: {
      name: 'service-time',
      formula: 'S = mean response time',
      substituted: `S = ${num(t.latency.mean)} ms`,
      result: t.latency.mean / 1000,
      unit: 's',
      note: 'a sync worker is held for the whole request; measured under load, so it includes queueing (conservative)',
    },
  };
}

/**
 * The capacity report for the deployment `facts` describe (flags, and what the service logged: resolve.ts, which
 * the pipeline applies first). `notes` come first in the report's notes (e.g. where a flag and the logs disagree).
 */
export function computeCapacity(
  agg: RunAggregate,
  client: ClientView | undefined,
  facts: DeploymentFacts,
  factNotes: string[] = [],
): CapacityReport {
  if (agg.totals.requests === 0 || !(agg.totals.latency.mean > 0)) {
    throw new LogjamError('LJ_NO_DATA', `run "${agg.runId}" has no finished requests: no service time to compute capacity from`, {
      hint: 'check the run id (`logjam runs`) and that the service logged request.finish lines',
    });
  }
  const notes: string[] = [...factNotes];
  const formulas: FormulaLine[] = [];
  // A run shorter than one bin still spans at least the bin it was measured in.
  const durationS = Math.max(agg.lastTime - agg.firstTime, agg.binMs, 1) / 1000;
  const R = agg.totals.latency.mean / 1000;
  const thinkTimeS = facts.thinkTimeS ?? client?.thinkTimeS ?? 0;
  const thinkTimeSource: CapacityInputs['thinkTimeSource'] =
    facts.thinkTimeS !== undefined ? 'flag' : client?.thinkTimeS !== undefined ? 'client-summary' : 'default';

  const saturation = analyzeSaturation(agg);
  const inFlight = saturation.points.length > 0 ? saturation.points.map((p) => p.concurrency) : agg.bins.map((b) => b.concurrency);
  const inFlightMean = inFlight.length > 0 ? inFlight.reduce((s, x) => s + x, 0) / inFlight.length : 0;
  const inFlightMax = inFlight.length > 0 ? Math.max(...inFlight) : 0;

  // Workers: the deployment's own count (--workers, or the processes that served the run), else the worker model's
  // rule; Node's rule is shown either way (the workers these CPUs could run), gunicorn's only for a gunicorn service.
  const node = nodeClusterWorkers(facts.cpus);
  formulas.push(node);
  let byModel = node;
  if (facts.workerModel === 'gunicorn') {
    byModel = gunicornWorkers(facts.cpus);
    formulas.push(byModel);
  }
  const workersPerTask = facts.workers ?? byModel.result;
  if (facts.workers !== undefined && facts.workers !== byModel.result) {
    const origin = facts.provenance.workers?.source === 'measured' ? 'measured' : 'given';
    byModel.note = `${byModel.note ?? ''}; the CPUs could run ${byModel.result}, the deployment runs ${facts.workers} (${origin}): the math uses ${facts.workers}`;
  }

  const service = serviceTime(agg, facts, durationS);
  formulas.push(service.line);
  const S = service.line.result;
  const perTask = serviceCapacity(workersPerTask, facts.threads, S, 'capacity.per-task');
  formulas.push(perTask);
  const total: FormulaLine = {
    name: 'capacity.total',
    formula: 'capacity = per task × tasks',
    substituted: `capacity = ${num(perTask.result)} req/s × ${num(facts.tasks)}`,
    result: perTask.result * facts.tasks,
    unit: 'req/s',
  };
  formulas.push(total);

  const measured: FormulaLine = {
    name: 'throughput.measured',
    formula: 'X = requests / duration',
    substituted: `X = ${agg.totals.requests} / ${num(durationS)} s`,
    result: agg.totals.requests / durationS,
    unit: 'req/s',
  };
  formulas.push(measured);
  formulas.push({ ...littlesLaw(measured.result, R), note: `compare: ${num(inFlightMean)} in flight on average across the time bins` });

  const vus = client?.vusMax;
  let offered = measured.result;
  if (vus !== undefined && vus > 0) {
    const x = closedModelThroughput(vus, R, thinkTimeS);
    formulas.push({ ...x, note: `what ${vus} users offer at the measured R and Z = ${num(thinkTimeS)} s` });
    offered = x.result;
  } else {
    notes.push('no VU count (give --client-summary): utilization uses the measured throughput');
  }
  formulas.push(utilization(offered, total.result));

  // Connections every pool of every worker of every task can open; checked against RDS only for AWS with a class.
  const needed = connectionsNeeded(facts.poolSize, workersPerTask, facts.tasks, 'db.connections-needed');
  formulas.push(needed);
  let rds: RdsSection | undefined;
  if (facts.awsBy !== undefined && facts.dbInstanceClass !== undefined) {
    const cls = findRdsClass(facts.dbInstanceClass);
    const mem = dbInstanceClassMemory(cls);
    const maxConn = maxConnections(mem.result);
    formulas.push(mem, maxConn);
    const usable = Math.max(0, maxConn.result - RESERVED_CONNECTIONS);
    const smallest = smallestRdsClassFor(needed.result, cls.name);
    rds = {
      instanceClass: cls.name,
      nominalMemoryGiB: cls.memoryGiB,
      dbInstanceClassMemoryBytes: mem.result,
      maxConnections: maxConn.result,
      usableConnections: usable,
      connectionsNeeded: needed.result,
      fits: needed.result <= usable,
      tableSource: RDS_TABLE_SOURCE,
    };
    if (smallest) rds.smallestFitting = smallest.name;
  } else if (facts.awsBy !== undefined) {
    notes.push(`RDS: give --db-instance-class to check the ${needed.result} connections against its max_connections`);
  }

  const planned = planForTarget({ facts, serviceTimeS: S, responseTimeS: R, thinkTimeS });
  if (planned) formulas.push(...planned.lines);

  const usl = fitUsl(saturation.points.map((p) => ({ n: p.concurrency, x: p.throughput })));
  const bottleneck = judgeBottleneck(agg, client);

  const assumed = factRows(facts, workersPerTask).filter((r) => r.source === 'assumed' && r.key !== 'threads');
  if (assumed.length > 0) {
    notes.push(`assumed (neither given nor logged by the service): ${assumed.map((r) => `${r.label} ${r.value} (${r.detail})`).join(', ')}`);
  }

  const inputs: CapacityInputs = {
    runId: agg.runId,
    durationS,
    requests: agg.totals.requests,
    meanResponseS: R,
    p95ResponseS: agg.totals.latency.p95 / 1000,
    serviceTimeS: S,
    serviceTimeBasis: service.basis,
    routes: routeServiceTimes(agg),
    thinkTimeS,
    thinkTimeSource,
    inFlightMean,
    inFlightMax,
    deployment: {
      ...facts,
      workersPerTask,
      workersSource: facts.workers === undefined ? 'formula' : facts.provenance.workers?.source === 'measured' ? 'measured' : 'flag',
    },
    facts: factRows(facts, workersPerTask),
  };
  if (vus !== undefined) inputs.vus = vus;

  const report: CapacityReport = { inputs, formulas, saturation, usl, bottleneck, notes };
  if (rds) report.rds = rds;
  if (planned) report.plan = planned.plan;
  return report;
}
