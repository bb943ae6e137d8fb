/**
 * Reads a client log (logjam's client.ndjson or k6's `--out json=` file, plain or gzipped) into a ClientTable, in
 * one streaming pass. Every line is counted: requests kept, other runs, duplicate ids, malformed lines, and k6's
 * lines that are not a request sample or carry no logjam id — nothing is skipped silently.
 */
import { stat } from 'node:fs/promises';
import { K6_TAGS } from '../../../common/client-log.js';
import { LogjamError } from '../../../common/errors.js';
import { resolveInputs } from '../ndjson/inputs.js';
import { scanTextLines } from '../ndjson/scan.js';
import { parseClientLine } from './parse.js';
import { ClientTable } from '../../aggregate/client-table.js';
import type { ClientLogAccounting } from '../../model.js';

export type { ClientLogAccounting };


export interface LoadedClientLog {
  table: ClientTable;
  accounting: ClientLogAccounting;
}

export async function loadClientLog(path: string, runId: string): Promise<LoadedClientLog> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
  } catch (err) {
    throw new LogjamError('LJ_CLIENT_LOG_READ', `cannot read the client log ${path}: ${(err as Error).message}`, {
      hint: 'pass runs/<run-id>/client.ndjson (written by `logjam load`) or the file of k6 --out json=',
    });
  }
  const table = new ClientTable();
  const a: ClientLogAccounting = {
    file: path,
    format: 'unknown',
    totalLines: 0,
    requests: 0,
    otherRuns: 0,
    duplicateIds: 0,
    malformed: 0,
    oversized: 0,
    foreign: 0,
    k6OtherLines: 0,
    k6WithoutId: 0,
    namesFolded: 0,
    otherRunIds: [],
  };
  let logjamLines = 0;
  let k6Lines = 0;
  const { files } = await resolveInputs(path);
  await scanTextLines(
    files,
    {
      line(text) {
        a.totalLines++;
        const r = parseClientLine(text);
        if (typeof r === 'string') {
          if (r === 'malformed') a.malformed++;
          else if (r === 'foreign') a.foreign++;
          else if (r === 'k6-other') {
            a.k6OtherLines++;
            k6Lines++;
          } else {
            a.k6WithoutId++;
            k6Lines++;
          }
          return;
        }
        if (r.format === 'logjam') logjamLines++;
        else k6Lines++;
        if (r.runId !== undefined && r.runId !== runId) {
          a.otherRuns++;
          if (a.otherRunIds.length < 5 && !a.otherRunIds.includes(r.runId)) a.otherRunIds.push(r.runId);
          return;
        }
        table.add(r.id, r.start, r.durationMs, r.status, r.outcome, r.name);
      },
      oversized() {
        a.totalLines++;
        a.oversized++;
      },
    },
    (warning) => (a.warnings ??= []).push(warning),
  ).catch((err: unknown) => {
    throw new LogjamError('LJ_CLIENT_LOG_READ', `cannot read the client log ${path}: ${(err as Error).message}`);
  });
  // the index is built once, for every row: repeated ids are found here (the first line of an id is kept)
  a.duplicateIds = table.seal();
  if (table.startsClamped > 0) {
    (a.warnings ??= []).push(`${table.startsClamped} request starts lie over ~118 hours from the first one: clamped to the table's time range`);
  }
  a.requests = table.size - a.duplicateIds;
  a.format = logjamLines > 0 && k6Lines > 0 ? 'mixed' : logjamLines > 0 ? 'logjam' : k6Lines > 0 ? 'k6-json' : 'unknown';
  a.namesFolded = table.namesFolded;
  if (a.requests === 0) {
    throw new LogjamError('LJ_CLIENT_LOG_EMPTY', `the client log ${path} has no request line of run ${runId}`, {
      hint:
        a.otherRunIds.length > 0
          ? `it holds run${a.otherRunIds.length > 1 ? 's' : ''} ${a.otherRunIds.join(', ')}`
          : a.k6WithoutId > 0
            ? `${a.k6WithoutId} k6 request samples carry no ${K6_TAGS.requestId} tag: import loadtests/k6/logjam.js in the script`
            : 'pass the client.ndjson `logjam load` wrote, or k6 --out json= output of a script using loadtests/k6/logjam.js',
    });
  }
  return { table, accounting: a };
}
