/**
 * The live progress line on stderr: one line rewritten in place, only when stderr is a terminal (a log file or a
 * CI console gets nothing, so the text summary stays readable).
 */
import type { ProgressSnapshot } from './types.js';

const REDRAW_MS = 250;

export function formatProgress(snapshot: ProgressSnapshot, reqPerSec: number): string {
  const seconds = Math.floor(snapshot.elapsedMs / 1000);
  const clock = `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  const parts = [
    `running ${clock}`,
    `VUs ${snapshot.vus}/${snapshot.vusMax}`,
    `requests ${snapshot.requests}`,
    `${reqPerSec.toFixed(1)} req/s`,
    `failed checks ${snapshot.failedChecks}`,
  ];
  if (snapshot.noResponse > 0) parts.push(`no response ${snapshot.noResponse}`);
  if (snapshot.droppedIterations > 0) parts.push(`dropped ${snapshot.droppedIterations}`);
  return parts.join('  ');
}

/** Returns an onProgress callback that draws the line, or undefined when `stream` is not a TTY. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ((s: ProgressSnapshot) => void) | undefined {
  if (!stream.isTTY) return undefined;
  let lastDraw = -Infinity;
  let lastRequests = 0;
  let lastAt = 0;
  let rate = 0;
  return (snapshot) => {
    if (!snapshot.done && snapshot.elapsedMs - lastDraw < REDRAW_MS) return;
    const dt = (snapshot.elapsedMs - lastAt) / 1000;
    if (dt > 0) rate = (snapshot.requests - lastRequests) / dt;
    lastRequests = snapshot.requests;
    lastAt = snapshot.elapsedMs;
    lastDraw = snapshot.elapsedMs;
    const text = formatProgress(snapshot, rate).slice(0, Math.max(20, (stream.columns ?? 120) - 1));
    stream.write(`\r\x1b[2K${text}${snapshot.done ? '\n' : ''}`);
  };
}
