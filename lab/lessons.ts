/**
 * The lab's three lessons, read off the measured steps of its arc: each is either found in the data (with the
 * numbers that show it) or plainly not found. Nothing here is assumed from the scenario: the fixed variant, or a
 * machine that serves the load, gives "not found" for the lessons that do not apply.
 *   1. the buggy test's DELETEs go to /todos/undefined (and so it leaves its data behind);
 *   2. more checks fail than requests time out: N failed checks, M timeouts, the rest answered (201 to a check of 200);
 *   3. after the fixes M′ timeouts remain: capacity, with the formulas.
 */
import type { CapacityReport, Finding } from '../analyzer/index.js';
import type { StepNumbers } from './lab-step.js';

export interface Lesson {
  number: 1 | 2 | 3;
  title: string;
  found: boolean;
  /** which step of the arc the evidence comes from */
  from?: string;
  /** what the data shows, in plain words with the numbers */
  evidence: string[];
  /** the finding ids the evidence comes from (for the report's cross-reference) */
  findingIds: string[];
}

/** One measured run, as the lessons read it. */
export interface RunFacts {
  step: string;
  findings: Finding[];
  numbers: StepNumbers;
  capacity?: CapacityReport;
}

/** Where the lab's script builds the DELETE URL, to show the line to change (found by the caller in the file). */
export interface LineToChange {
  file: string;
  line: number;
  text: string;
}

const byId = (findings: Finding[], id: string): Finding[] => findings.filter((f) => f.id === id);

/** Lesson 1: the test deletes /todos/undefined — it read `request.id` instead of `request.json().id`. */
export function missingIdLesson(run: RunFacts, line?: LineToChange): Lesson {
  const hits = byId(run.findings, 'suspicious-path');
  const left = byId(run.findings, 'state-left-behind');
  const evidence = hits.length
    ? hits.slice(0, 3).map((f) => `${f.title} — ${f.explanation}`)
    : ['no request path carried `undefined`, `null`, `NaN` or an empty segment'];
  if (hits.length > 0) {
    evidence.push(
      line
        ? `the line to change: ${line.file}:${line.line}  ${line.text.trim()}  → the id is in the body: \`\${url}/\${request.json().id}\``
        : 'the line to change: the DELETE URL in the test, `${url}/${request.id}` → `${url}/${request.json().id}`',
    );
  }
  // what the missing ids leave behind (a fixed run may leave a few too, from creates whose answer timed out: not this lesson)
  if (hits.length > 0) for (const f of left) evidence.push(`${f.title} (open TaskOverflow after the run: its todos are still there)`);
  return {
    number: 1,
    title: 'the client builds URLs from a missing field',
    found: hits.length > 0,
    from: run.step,
    evidence,
    findingIds: [...hits, ...(hits.length > 0 ? left : [])].map((f) => f.id),
  };
}

/** Lesson 2: more checks fail than requests go unanswered — the API answers 201, the test expects 200. */
export function checksVsTimeoutsLesson(run: RunFacts): Lesson {
  const n = run.numbers;
  const mismatches = byId(run.findings, 'status-mismatch');
  const evidence: string[] = [];
  if (n.checksFailed === 0) {
    evidence.push(`all ${n.checksTotal} checks passed`);
  } else {
    evidence.push(
      `${n.checksFailed} of ${n.checksTotal} checks failed, and ${n.noResponse} requests got no response (${n.timeouts} timeouts): ` +
        (n.answeredCheckFailures > 0
          ? `${n.answeredCheckFailures} failed checks were on requests the server answered.`
          : 'every failed check is a request without a response.'),
    );
  }
  for (const f of mismatches.slice(0, 3)) {
    const served = f.counts.serverCount;
    evidence.push(`${served !== undefined ? `${served} of them: ` : ''}${f.title} — ${f.explanation}`);
  }
  for (const f of byId(run.findings, 'suspicious-path').slice(0, 1)) evidence.push(`${f.counts.requests} of them: ${f.title} (lesson 1)`);
  if (mismatches.length === 0 && n.answeredCheckFailures === 0) evidence.push('every check of an answered request agreed with the status the server logged');
  return {
    number: 2,
    title: 'more checks fail than requests time out',
    found: mismatches.length > 0 && n.answeredCheckFailures > 0,
    from: run.step,
    evidence,
    findingIds: mismatches.map((f) => f.id),
  };
}

const formula = (capacity: CapacityReport, name: string) => capacity.formulas.find((f) => f.name === name);

/** Lesson 3: what remains after the fixes is capacity — the timeouts, and the formulas with their numbers. */
export function capacityLesson(run: RunFacts, afterFixes: boolean): Lesson {
  const n = run.numbers;
  const evidence: string[] = [];
  const answered = n.answeredCheckFailures === 0 ? ', every check of an answered request passing' : `, ${n.answeredCheckFailures} checks of answered requests failing`;
  evidence.push(
    n.noResponse > 0
      ? `${afterFixes ? 'after the fixes, ' : ''}${n.noResponse} requests still got no response (${n.timeouts} timeouts)${afterFixes ? answered : ''}`
      : `${afterFixes ? 'after the fixes, ' : ''}every request got a response (no timeouts)${afterFixes ? answered : ''}: the peak did not overload this machine this time`,
  );
  const capacity = run.capacity;
  if (!capacity) {
    return { number: 3, title: 'the rest is capacity', found: n.noResponse > 0, from: run.step, evidence: [...evidence, 'no capacity section was computed'], findingIds: [] };
  }
  for (const name of ['closed-model.throughput', 'service-time', 'capacity.per-task', 'utilization']) {
    const f = formula(capacity, name);
    if (f) evidence.push(`${f.formula} → ${f.substituted} = ${f.result.toFixed(f.name === 'service-time' ? 4 : 2)}${f.unit ? ` ${f.unit}` : ''}`);
  }
  evidence.push(`bottleneck: ${capacity.bottleneck.summary}`);
  if (capacity.saturation.knee) {
    const k = capacity.saturation.knee;
    evidence.push(
      `knee at ~${k.concurrency.toFixed(1)} requests in flight: throughput stops growing near ${k.throughput.toFixed(0)} req/s ` +
        `while mean latency goes from ${k.latencyBelowMs.toFixed(0)} ms to ${k.latencyAboveMs.toFixed(0)} ms`,
    );
  }
  const rho = formula(capacity, 'utilization')?.result ?? 0;
  const verdict = capacity.bottleneck.verdict;
  const overloaded = rho >= 0.85 || verdict === 'cpu' || verdict === 'db-pool' || verdict === 'database';
  return {
    number: 3,
    title: 'the rest is capacity',
    found: n.noResponse > 0 || overloaded,
    from: run.step,
    evidence,
    findingIds: byId(run.findings, 'client-no-server-line').map((f) => f.id),
  };
}

/** The arc's lessons: 1 and 2 from the buggy run (else the fixed one), 3 from the fixed run (else the buggy one). */
export function arcLessons(runs: { buggy?: RunFacts; fixed?: RunFacts }, line?: LineToChange): Lesson[] {
  const first = runs.buggy ?? runs.fixed;
  const last = runs.fixed ?? runs.buggy;
  if (!first || !last) return [];
  return [missingIdLesson(first, line), checksVsTimeoutsLesson(first), capacityLesson(last, runs.fixed !== undefined)];
}

export function renderLessons(lessons: Lesson[], style: { bold: (s: string) => string; green: (s: string) => string; dim: (s: string) => string }): string[] {
  const out: string[] = [];
  for (const lesson of lessons) {
    const mark = lesson.found ? style.green('✓ found') : style.dim('– not found');
    out.push(`${style.bold(`${lesson.number}. ${lesson.title}`)}  ${mark}${lesson.from ? style.dim(`  (${lesson.from} run)`) : ''}`);
    for (const line of lesson.evidence) out.push(`   ${line}`);
    out.push('');
  }
  return out;
}
