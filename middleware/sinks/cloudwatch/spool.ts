/**
 * The optional on-disk spool (opt-in: `spoolDir` / LOGJAM_CLOUDWATCH_SPOOL_DIR), like Vector's disk buffer but only
 * at exit: what the shipper could not send by the end of its shutdown bound is written to one file per process in
 * the spool folder instead of being dropped, and the next shipper started on the same folder and log group loads
 * those files first and ships them. The folder is bounded (`maxSpoolBytes`): what does not fit is dropped and
 * counted as before (shutdown_timeout). Sync I/O on purpose: it runs once at start and once at exit, in the worker.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEvent } from './batcher.js';

const SUFFIX = '.spool.ndjson';

/** File names start with the log group (made safe), so two groups sharing a folder never ship each other's lines. */
function prefixFor(logGroupName: string): string {
  return `${logGroupName.replace(/[^A-Za-z0-9._-]/g, '_')}.`;
}

function spoolFiles(dir: string, logGroupName: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const prefix = prefixFor(logGroupName);
  return names.filter((n) => n.startsWith(prefix) && n.endsWith(SUFFIX)).sort();
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(SUFFIX)) continue;
    try {
      total += statSync(join(dir, name)).size;
    } catch {
      // removed meanwhile by another process
    }
  }
  return total;
}

/**
 * Write as many of `events` (oldest first) as the folder's bound allows. Returns how many were written; the caller
 * counts the rest as dropped. Never throws: a failed write spools nothing.
 */
export function writeSpool(dir: string, logGroupName: string, events: readonly LogEvent[], maxSpoolBytes: number): number {
  if (events.length === 0) return 0;
  try {
    mkdirSync(dir, { recursive: true });
    let room = maxSpoolBytes - folderBytes(dir);
    const lines: string[] = [];
    for (const event of events) {
      const line = `${JSON.stringify({ t: event.timestamp, m: event.message })}\n`;
      const bytes = Buffer.byteLength(line);
      if (bytes > room) break;
      room -= bytes;
      lines.push(line);
    }
    if (lines.length === 0) return 0;
    // A new file per process and exit: never appended to while another process may be reading one.
    writeFileSync(join(dir, `${prefixFor(logGroupName)}${Date.now()}-${process.pid}${SUFFIX}`), lines.join(''), { mode: 0o600 });
    return lines.length;
  } catch {
    return 0;
  }
}

/**
 * Load and remove every spool file of this log group. Removed once loaded: from then on the events are in the
 * shipper's buffer, and its own exit spools them again if they are still unsent.
 */
export function takeSpool(dir: string, logGroupName: string): LogEvent[] {
  const events: LogEvent[] = [];
  for (const name of spoolFiles(dir, logGroupName)) {
    const path = join(dir, name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
      rmSync(path, { force: true });
    } catch {
      continue; // another process took it first
    }
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const parsed = JSON.parse(line) as { t?: unknown; m?: unknown };
        if (typeof parsed.t === 'number' && typeof parsed.m === 'string' && parsed.m.length > 0) events.push({ timestamp: parsed.t, message: parsed.m });
      } catch {
        // a torn last line (disk full, killed mid-write): skip it
      }
    }
  }
  return events;
}
