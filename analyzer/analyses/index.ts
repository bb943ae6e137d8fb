/**
 * All analyses: pure functions from a RunAggregate (and the client's view, when given) to findings, most severe
 * first. Severity rules are documented in docs/analyzer.md.
 */
import type { ClientJoinSummary, ClientView, Finding, RunAggregate, Severity } from '../model.js';
import { clientJoinFindings } from './client-join.js';
import { abortFindings } from './aborts.js';
import { clientNoServerLineFindings } from './client-no-server-line.js';
import { frontDoorFindings } from './front-door.js';
import { latencyFindings } from './latency.js';
import { loadGeneratorFindings } from './load-generator.js';
import { logDeliveryFindings } from './log-delivery.js';
import { processLifecycleFindings } from './process-lifecycle.js';
import { stateLeftBehindFindings } from './state-left-behind.js';
import { requestDimensionFindings } from './request-dimensions.js';
import { statusClusterFindings } from './status-clusters.js';
import { statusMismatchFindings } from './status-mismatch.js';
import { suspiciousPathFindings } from './suspicious-path.js';
import { timeBreakdownFindings } from './time-breakdown.js';

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export function analyze(agg: RunAggregate, client?: ClientView, join?: ClientJoinSummary): Finding[] {
  const findings = [
    ...logDeliveryFindings(agg),
    ...processLifecycleFindings(agg),
    ...suspiciousPathFindings(agg, client),
    ...statusMismatchFindings(agg, client),
    ...clientNoServerLineFindings(agg, client),
    ...clientJoinFindings(join),
    ...frontDoorFindings(agg),
    ...stateLeftBehindFindings(agg),
    ...statusClusterFindings(agg, client),
    ...abortFindings(agg),
    ...timeBreakdownFindings(agg),
    ...requestDimensionFindings(agg),
    ...latencyFindings(agg),
    ...loadGeneratorFindings(client),
  ];
  // stable: within a severity, the order above (the most explanatory analyses first)
  return findings.map((f, i) => [f, i] as const).sort((a, b) => RANK[a[0].severity] - RANK[b[0].severity] || a[1] - b[1]).map(([f]) => f);
}

export { expectedStatus, checkMethod } from './status-mismatch.js';
