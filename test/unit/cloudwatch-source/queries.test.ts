import { describe, expect, it } from 'vitest';
import { binColumn, binLiteral, buildQueries, insightsQueries, quote, SUSPICIOUS_PATH_REGEX, type InsightsQueryId } from '../../../analyzer/sources/cloudwatch/queries.js';
import { suspiciousSegment } from '../../../analyzer/aggregate/paths.js';
import { combinedQueries } from '../../../analyzer/sources/cloudwatch/combined-queries.js';
import { parseQuery } from '../../support/fake-cloudwatch/insights.js';

const params = { runId: 'lab-1', requestId: 'req-1', binMs: 5000, since: 1000, until: 2000, services: ['svc'] };

describe('Logs Insights queries', () => {
  it.each(Object.keys(insightsQueries) as InsightsQueryId[])('%s stays within the query subset the fake engine checks', (id) => {
    expect(() => parseQuery(insightsQueries[id](params))).not.toThrow();
  });

  it('scopes run queries to the run and the current schema version, and context queries by time and service', () => {
    const q = buildQueries(params);
    expect(Object.values(q).every((x) => x.language === 'logs-insights')).toBe(true);
    expect(q.routes!.text).toContain('filter run_id = "lab-1" and schema = 1 and event = "request.finish" and time >= 1000 and time <= 2000');
    expect(q.runtime!.text).toContain('filter event = "runtime.stats" and service in ["svc"] and time >= 1000 and time <= 2000');
    expect(q.timeline!.text).toContain('by bin(5s)');
    // internal variants are not shown in reports
    expect(Object.keys(q)).not.toContain('trace');
    expect(Object.keys(q)).toContain('suspicious-paths');
  });

  it('scopes the combined queries like the section queries they replace', () => {
    const context = { ...params, since: 1200, until: 1800 };
    expect(combinedQueries.routes(params)).toContain('filter run_id = "lab-1" and schema = 1 and event = "request.finish" and time >= 1000 and time <= 2000');
    expect(combinedQueries['request-counts'](params)).toContain(
      'filter run_id = "lab-1" and schema = 1 and time >= 1000 and time <= 2000 and event in ["request.finish", "request.abort", "request.error"]',
    );
    const timeline = combinedQueries.timeline(params, context);
    expect(timeline).toContain('(event = "runtime.stats" and service in ["svc"] and time >= 1200 and time <= 1800)');
    expect(timeline).toContain('by bin(5s), event');
    const processes = combinedQueries.processes(params, context);
    expect(processes).toContain('filter (run_id = "lab-1" or not ispresent(request_id)) and time >= 1000 and time <= 2000');
    // a time window with no bounds takes every line: no filter at all
    expect(combinedQueries.processes({ runId: undefined }, context).startsWith('fields ')).toBe(true);
    for (const text of [combinedQueries.routes(params), combinedQueries['request-counts'](params), timeline, processes]) {
      expect(() => parseQuery(text)).not.toThrow();
    }
  });

  it('quotes ids so a hostile run id cannot change the query', () => {
    expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
    const text = insightsQueries.summary({ runId: 'x" or run_id != "' });
    expect(parseQuery(text)).toHaveLength(2);
    expect(text).toContain('run_id = "x\\" or run_id != \\""');
  });

  it('writes bin widths the way the console does', () => {
    expect(binLiteral(1000)).toBe('1s');
    expect(binLiteral(60_000)).toBe('1m');
    expect(binLiteral(7_200_000)).toBe('2h');
    expect(binLiteral(2048_000)).toBe('2048s');
    expect(binLiteral(250)).toBe('250ms');
    expect(binColumn(5000)).toBe('bin(5s)');
  });

  it('the suspicious-path prefilter lets through every path the segment rules flag', () => {
    const regex = new RegExp(SUSPICIOUS_PATH_REGEX.replace('(?i)', ''), 'i');
    const paths = [
      '/api/v1/todos/undefined',
      '/api/v1/todos/null/items',
      '/api/v1/todos/NaN',
      '/api/v1/todos/[object Object]',
      '/api/v1/todos/%5Bobject%20Object%5D',
      '/api/v1/todos/[object%20Object]',
      '/api//todos',
      '/api/v1/todos/',
      '/api/v1/todos/Undefined',
      '/api/v1/todos/42',
      '/api/v1/nullable',
      '/',
      '/undefinedness/x',
    ];
    for (const path of paths) {
      if (suspiciousSegment(path) !== undefined) expect(regex.test(path), path).toBe(true);
    }
    expect(regex.test('/api/v1/todos/42')).toBe(false);
    expect(regex.test('/api/v1/nullable')).toBe(false);
  });
});
