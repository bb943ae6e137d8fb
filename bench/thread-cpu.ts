/**
 * CPU time of the calling thread in ns, or undefined where it cannot be read. On a shared machine the wall-clock
 * time of a piece of work mostly measures the scheduler; the thread's own CPU time does not. Linux: the
 * scheduler's run time of the calling thread (ns); Node ≥ 23.9 elsewhere: process.threadCpuUsage (µs).
 */
import { readFileSync } from 'node:fs';

export function threadCpuNs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    const usage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.();
    return usage ? (usage.user + usage.system) * 1000 : undefined;
  }
}
