import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalSource } from '../../../analyzer/sources/ndjson/index.js';
import type { RunAggregate } from '../../../analyzer/model.js';
import { toNdjson, type Line } from '../../support/log-lines.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'logjam-analyzer-'));
}

export function writeLog(lines: Line[] | string, name = 'run.ndjson', dir = tempDir()): string {
  const path = join(dir, name);
  writeFileSync(path, typeof lines === 'string' ? lines : toNdjson(lines));
  return path;
}

/** Streams crafted lines through the real local source (file -> splitter -> classifier -> aggregator). */
export async function aggregateLines(lines: Line[] | string, runId = 'run-1'): Promise<RunAggregate> {
  return createLocalSource(writeLog(lines)).aggregate(runId);
}
