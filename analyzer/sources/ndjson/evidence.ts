/**
 * The local source's evidence queries: jq commands that show the lines behind each section of the report, run on
 * the same files the analysis read. The local equivalent of the CloudWatch source's Logs Insights texts
 * (analyzer/sources/cloudwatch/queries.ts), keyed by the same section ids so analyses attach either the same way.
 * They list or group the lines as they are in the files; de-duplication and bounded-memory caps are the analyzer's.
 */
import { EVENTS, FIELDS as F } from '../../../middleware/schema.js';
import type { EvidenceQuery } from '../../model.js';
import { shellQuote } from '../../../common/format.js';

export interface LocalEvidenceInput {
  /** the --logs argument ('-' for stdin) */
  path: string;
  /** true when the path is a directory (every file below it is read) */
  directory: boolean;
  /** the run; undefined for a time window (analyze without --run): its request lines between since and until */
  runId: string | undefined;
  since: number;
  until: number;
}


const str = (v: string) => JSON.stringify(v);

/** The jq condition of the selection: the run's lines, or a time window's request lines. */
function selection(input: LocalEvidenceInput): string {
  if (input.runId !== undefined) return `.${F.runId} == ${str(input.runId)}`;
  return `(.${F.requestId} != null and .${F.time} >= ${Math.floor(input.since)} and .${F.time} <= ${Math.ceil(input.until)})`;
}

/** jq filters by section id: a select on the run's lines, then what to show of them. */
function filters(run: string): Record<string, string> {
  const ev = (event: string) => `select(${run} and .${F.event} == ${str(event)})`;
  const finish = ev(EVENTS.requestFinish);
  // null for an empty list (jq cannot divide null by 0)
  const mean = (field: string) => `(map(.${field} // 0) | if length > 0 then add / length else null end)`;
  const group = (by: string, extra = '') => `group_by(${by}) | map({key: (.[0] | ${by}), requests: length${extra}}) | sort_by(-.requests)`;
  return {
    summary: `[.[] | ${finish}] | {requests: (map(.${F.requestId}) | unique | length), mean_ms: ${mean(F.durationMs)}, max_ms: (map(.${F.durationMs}) | max)}`,
    routes: `[.[] | ${finish}] | ${group(`[.${F.method}, .${F.route} // .${F.path}]`, `, mean_ms: ${mean(F.durationMs)}, db_ms: ${mean(F.dbMs)}, pool_wait_ms: ${mean(F.poolWaitMs)}`)}`,
    'route-statuses': `[.[] | ${finish}] | ${group(`[.${F.method}, .${F.route} // .${F.path}, .${F.status}]`)}`,
    'status-clusters': `[.[] | ${finish} | select(.${F.status} >= 400)] | ${group(`[.${F.method}, .${F.route} // .${F.path}, .${F.status}]`)}`,
    'error-messages': `[.[] | ${ev(EVENTS.requestError)}] | ${group(`[.${F.method}, .${F.route} // .${F.path}, .${F.status}, (.${F.err}.message // .${F.msg})]`)}`,
    'suspicious-paths': `[.[] | ${finish} | select(.${F.path} | test("/(undefined|null|nan|\\\\[object object\\\\])(/|$)|//|[^/]/$"; "i"))] | ${group(`[.${F.method}, .${F.path}, .${F.status}]`)}`,
    aborts: `[.[] | ${ev(EVENTS.requestAbort)}] | ${group(`[.${F.method}, .${F.route} // .${F.path}]`)}`,
    unfinished: `[.[] | select(${run} and .${F.requestId} != null)] | group_by(.${F.requestId}) | map(select(map(.${F.event}) | unique == [${str(EVENTS.requestStart)}]) | .[0] | {${F.requestId}, ${F.method}, ${F.path}, ${F.time}})`,
    duplicates: `[.[] | select(${run} and .${F.requestId} != null and (.${F.event} | startswith("request.")))] | group_by([.${F.requestId}, .${F.event}]) | map(select(length > 1) | {${F.requestId}: .[0].${F.requestId}, ${F.event}: .[0].${F.event}, lines: length})`,
    dropped: `[.[] | select(.${F.event} == ${str(EVENTS.logDropped)})] | ${group(`[.${F.sink}, .${F.reason}]`, `, dropped: (map(.${F.dropped}) | add)`)}`,
    'timeline-runtime': `[.[] | select(.${F.event} == ${str(EVENTS.runtimeStats)})] | map({${F.time}, ${F.host}, ${F.pid}, ${F.elu}, ${F.elDelayP99Ms}, ${F.poolWaiting}})`,
  };
}

/**
 * Every section's jq command for one run (or time window) of a local input. They read logjam's field names: lines
 * of other input formats (pino-http) are not in their results (docs/analyzer.md, "Input formats").
 */
export function localEvidence(input: LocalEvidenceInput): Record<string, EvidenceQuery> {
  // -f: plain and gzipped files alike; a directory: every file below it
  const read =
    input.path === '-'
      ? 'zcat -f <saved-stdin.ndjson>'
      : input.directory
        ? `find ${shellQuote(input.path)} -type f -exec zcat -f {} +`
        : `zcat -f ${shellQuote(input.path)}`;
  const out: Record<string, EvidenceQuery> = {};
  for (const [id, program] of Object.entries(filters(selection(input)))) {
    // -R + fromjson?: lines that are not JSON are skipped, as the analyzer skips (and counts) them
    out[id] = { language: 'jq', text: `${read} | jq -R 'fromjson? // empty' | jq -s ${shellQuote(program)}` };
  }
  return out;
}
