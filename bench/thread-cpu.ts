/**
 * CPU time of the calling thread in ns, or undefined where it cannot be read. On a shared machine the wall-clock
 * time of a piece of work mostly measures the scheduler; the thread's own CPU time does not. Linux: the
 * scheduler's run time of the calling thread (ns); Node ≥ 23.9 elsewhere: process.threadCpuUsage (µs).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A thread's run time in ns from its /proc schedstat file (its first field). */
function schedstatNs(dir: string): number {
  return Number(readFileSync(`${dir}/schedstat`, 'utf8').split(' ')[0]);
}

export function threadCpuNs(): number | undefined {
  try {
    return schedstatNs('/proc/thread-self');
  } catch {
    const usage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.();
    return usage ? (usage.user + usage.system) * 1000 : undefined;
  }
}

/** This thread's id as the kernel knows it (Linux), or undefined elsewhere. */
export function threadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

/**
 * CPU time in ns of every thread of this process, by thread id (Linux), or undefined elsewhere: tells the threads
 * V8 and libuv run for every isolate (GC helpers, the JIT's background compilers) apart from the isolates' own.
 */
export function processThreadsCpuNs(): Map<number, number> | undefined {
  try {
    const threads = new Map<number, number>();
    for (const task of readdirSync('/proc/self/task')) {
      try {
        threads.set(Number(task), schedstatNs(`/proc/self/task/${task}`));
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return threads;
  } catch {
    return undefined;
  }
}
