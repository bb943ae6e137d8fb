/**
 * The lab's three lessons, read off one analysis: each is either found in the data (with the evidence that shows
 * it) or plainly not found. Nothing here is assumed from the scenario: the fixed variant, or a machine fast
 * enough to serve the load, gives "not found" for the lessons that do not apply.
 */
import type { CapacityReport, ClientView, Finding } from '../analyzer/index.js';

export interface Lesson {
  number: 1 | 2 | 3;
  title: string;
  found: boolean;
  /** what the data shows, in plain words with the numbers */
  evidence: string[];
  /** the finding ids the evidence comes from (for the report's cross-reference) */
  findingIds: string[];
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Lesson 1: the test deletes /todos/undefined — it read `request.id` instead of `request.json().id`. */
export function missingIdLesson(findings: Finding[]): Lesson {
  const hits = findings.filter((f) => f.id === 'suspicious-path');
  return {
    number: 1,
    title: 'the client builds URLs from a missing field',
    found: hits.length > 0,
    evidence: hits.length
      ? hits.slice(0, 3).map((f) => `${f.title} — ${f.explanation}`)
      : ['no request path carried `undefined`, `null`, `NaN` or an empty segment'],
    findingIds: hits.map((f) => f.id),
  };
}

/** Lesson 2: more checks fail than requests go unanswered — the API answers 201, the test expects 200. */
export function checksVsTimeoutsLesson(findings: Finding[], client: ClientView | undefined): Lesson {
  const mismatches = findings.filter((f) => f.id === 'status-mismatch');
  const evidence: string[] = [];
  let found = mismatches.length > 0;
  if (client) {
    const checksFailed = sum(client.checks.map((c) => c.fails));
    const checksTotal = checksFailed + sum(client.checks.map((c) => c.passes));
    const noResponse = client.noResponse ?? 0;
    evidence.push(
      checksFailed === 0
        ? `all ${checksTotal} checks passed`
        : `${checksFailed} of ${checksTotal} checks failed, but only ${noResponse} requests got no response at all` +
            (checksFailed > noResponse ? ': most failed checks are not timeouts.' : '.'),
    );
    found = found && checksFailed > noResponse;
  } else {
    evidence.push('no client summary was given, so checks cannot be compared with server statuses');
  }
  for (const f of mismatches.slice(0, 3)) evidence.push(`${f.title} — ${f.explanation}`);
  if (mismatches.length === 0) evidence.push('every check agreed with the statuses the server logged');
  return { number: 2, title: 'more checks fail than requests time out', found, evidence, findingIds: mismatches.map((f) => f.id) };
}

/** Lesson 3: what remains is capacity — measured numbers, and the size that would serve the load. */
export function capacityLesson(findings: Finding[], client: ClientView | undefined, capacity: CapacityReport | undefined): Lesson {
  const evidence: string[] = [];
  const ids: string[] = [];
  const noServerLine = findings.find((f) => f.id === 'client-no-server-line');
  if (noServerLine) {
    evidence.push(noServerLine.title);
    ids.push(noServerLine.id);
  }
  if (!capacity) {
    return { number: 3, title: 'the rest is capacity', found: false, evidence: [...evidence, 'no capacity section was computed'], findingIds: ids };
  }
  const utilization = capacity.formulas.find((f) => f.name.includes('utilization'));
  if (utilization) evidence.push(`${utilization.formula} → ${utilization.substituted} = ${utilization.result.toFixed(2)}`);
  const verdict = capacity.bottleneck;
  evidence.push(`bottleneck: ${verdict.summary}`);
  if (capacity.saturation.knee) {
    const k = capacity.saturation.knee;
    evidence.push(
      `knee at ~${k.concurrency.toFixed(1)} requests in flight: throughput stops growing near ${k.throughput.toFixed(0)} req/s ` +
        `while mean latency goes from ${k.latencyBelowMs.toFixed(0)} ms to ${k.latencyAboveMs.toFixed(0)} ms`,
    );
  }
  if (capacity.plan?.fargateChange) evidence.push(`size that would serve the load: ${capacity.plan.fargateChange} (${capacity.plan.tasks} task(s))`);
  const overloaded = (utilization?.result ?? 0) >= 0.85 || verdict.verdict === 'cpu' || verdict.verdict === 'db-pool' || verdict.verdict === 'database';
  const timeouts = client?.noResponse ?? 0;
  return {
    number: 3,
    title: 'the rest is capacity',
    found: overloaded || timeouts > 0,
    evidence,
    findingIds: ids,
  };
}

export function labLessons(findings: Finding[], client: ClientView | undefined, capacity: CapacityReport | undefined): Lesson[] {
  return [missingIdLesson(findings), checksVsTimeoutsLesson(findings, client), capacityLesson(findings, client, capacity)];
}

export function renderLessons(lessons: Lesson[], style: { bold: (s: string) => string; green: (s: string) => string; dim: (s: string) => string }): string {
  const out: string[] = [style.bold('What the lab teaches, found in this run:'), ''];
  for (const lesson of lessons) {
    const mark = lesson.found ? style.green('✓ found') : style.dim('– not found');
    out.push(`${style.bold(`${lesson.number}. ${lesson.title}`)}  ${mark}`);
    for (const line of lesson.evidence) out.push(`   ${line}`);
    out.push('');
  }
  return out.join('\n');
}
