/**
 * Findings of two runs matched by stable id + key: which appeared, which vanished, which changed. Error clusters are
 * matched per message template (a new error message on a route is news even when the status is not), with each
 * run's example request ids, so a reader can open one with `logjam trace`.
 */
import type { Finding, RunAggregate } from '../model.js';
import type { FindingChange, FindingItem, FindingsDiff } from './types.js';

/** Findings every run has whatever happened (summaries): matched only when their severity changes. */
const SUMMARIES = new Set(['time-breakdown', 'latency', 'event-loop-delay', 'client-summary-run']);
const CLUSTERS = new Set(['server-errors', 'client-errors']);
/** a count must move by this share (and by at least MIN_COUNT_DELTA) for a matched finding to be "changed" */
const COUNT_SHARE = 0.2;
const MIN_COUNT_DELTA = 3;

function primaryCount(f: Finding): number | undefined {
  const c = f.counts;
  return c.requests ?? c.serverCount ?? c.missing ?? c.aborts ?? c.unfinished;
}

/** One item per finding; an error cluster becomes one item per message template it logged. */
export function findingItems(findings: Finding[], agg: RunAggregate): FindingItem[] {
  const items: FindingItem[] = [];
  for (const f of findings) {
    const key = f.key ?? '';
    const base: FindingItem = { id: f.id, key, severity: f.severity, title: f.title, exampleRequestIds: f.exampleRequestIds };
    const count = primaryCount(f);
    if (count !== undefined) base.count = count;
    if (f.query) base.query = f.query;
    const cluster = CLUSTERS.has(f.id) ? agg.statusClusters.find((c) => `${c.method} ${c.route} ${c.status}` === key) : undefined;
    if (!cluster || cluster.messages.length === 0) {
      items.push(base);
      continue;
    }
    for (const m of cluster.messages) {
      items.push({ ...base, key: `${key} "${m.template}"`, title: `${cluster.method} ${cluster.route} ${cluster.status}: "${m.template}" × ${m.count}`, count: m.count });
    }
  }
  return items;
}

const itemKey = (i: FindingItem) => `${i.id}\u0000${i.key}`;

function whatChanged(base: FindingItem, run: FindingItem): string | undefined {
  const parts: string[] = [];
  if (base.severity !== run.severity) parts.push(`severity ${base.severity} → ${run.severity}`);
  if (!SUMMARIES.has(base.id) && base.count !== undefined && run.count !== undefined) {
    const d = run.count - base.count;
    if (Math.abs(d) >= MIN_COUNT_DELTA && Math.abs(d) >= COUNT_SHARE * Math.max(base.count, 1)) parts.push(`${base.count} → ${run.count}`);
  }
  return parts.length > 0 ? parts.join(', ') : undefined;
}

export function diffFindings(base: FindingItem[], run: FindingItem[]): FindingsDiff {
  const baseBy = new Map(base.map((i) => [itemKey(i), i]));
  const runBy = new Map(run.map((i) => [itemKey(i), i]));
  const appeared = run.filter((i) => !baseBy.has(itemKey(i)) && !SUMMARIES.has(i.id));
  const vanished = base.filter((i) => !runBy.has(itemKey(i)) && !SUMMARIES.has(i.id));
  const changed: FindingChange[] = [];
  let unchanged = 0;
  for (const r of run) {
    const b = baseBy.get(itemKey(r));
    if (!b) continue;
    const what = whatChanged(b, r);
    if (what) changed.push({ id: r.id, key: r.key, base: b, run: r, what });
    else unchanged++;
  }
  return { appeared, vanished, changed, unchanged };
}
