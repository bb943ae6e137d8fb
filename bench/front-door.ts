/**
 * Benchmark of the ALB join (analyzer/aggregate/front-door.ts) in its worst order: every ALB line first (an S3
 * folder read before the app's log), so all of them wait for their partner, then every app finish line. Prints the
 * parse + join rate (the line generator is not timed) and the memory held per waiting line at the peak, at N/2 and N (the per-line cost should stay
 * flat; the total grows with N — the documented bound). Run: `node --expose-gc dist/bench/front-door.js [--lines N]`.
 */
import { classifyAlbLine } from '../analyzer/sources/formats/alb.js';
import { FrontDoorJoin } from '../analyzer/aggregate/front-door.js';
import type { AlbLine } from '../analyzer/aggregate/alb-record.js';
import { albLine, traceRoot } from '../test/support/alb-log.js';
import { FRONT_DOOR_USAGE, handleBenchArgs } from './usage.js';

const gc = (globalThis as { gc?: () => void }).gc;
const held = () => {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

function run(n: number) {
  const t0 = Date.UTC(2026, 11, 2);
  const join = new FrontDoorJoin();
  const before = held();
  let albMs = 0;
  for (let i = 0; i < n; i++) {
    const text = albLine({
      arrival: t0 + i,
      method: 'GET',
      url: `https://api.example.com:443/api/items/${i % 1000}`,
      traceId: `Root=${traceRoot(t0, i)}`,
      target: '10.0.1.12:3000',
      requestProcessingS: 0.001,
      targetProcessingS: 0.02,
      responseProcessingS: 0,
      elbStatus: i % 100 === 0 ? 504 : 200,
      targetStatus: i % 100 === 0 ? undefined : 200,
    });
    // timed: parse + join, not the generator
    const start = performance.now();
    join.alb((classifyAlbLine(text) as AlbLine).alb);
    albMs += performance.now() - start;
  }
  const peak = held() - before;
  const appStart = performance.now();
  for (let i = 0; i < n; i++) {
    if (i % 100 === 0) continue; // the 504s: no finish
    join.appFinish({ time: t0 + i, amzn_trace_id: traceRoot(t0, i), status: 200, duration_ms: 18 }, 'GET', '/api/items/:id', true);
  }
  const fd = join.result(t0, t0 + n)!;
  const appMs = performance.now() - appStart;
  return { n, albLinesPerS: Math.round(n / (albMs / 1000)), appLinesPerS: Math.round(n / (appMs / 1000)), bytesPerWaitingLine: Math.round(peak / n), peakMb: +(peak / 1e6).toFixed(1), joined: fd.joined, failures: fd.failures };
}

handleBenchArgs(process.argv.slice(2), FRONT_DOOR_USAGE);
const arg = process.argv.indexOf('--lines');
const n = arg === -1 ? 500_000 : Number(process.argv[arg + 1]);
if (!gc) console.error('(run with node --expose-gc for exact memory figures)');
const half = run(Math.floor(n / 2));
const full = run(n);
console.table([half, full]);
console.log(`bytes per waiting line, N vs N/2: ${(full.bytesPerWaitingLine / half.bytesPerWaitingLine).toFixed(2)}`);
