/**
 * What is running, from `ps`: used to prove that a command left nothing behind. Processes are identified by pid AND
 * start time (/proc/<pid>/stat), so a pid the kernel reused for something else after our process exited is not
 * mistaken for a stray (command lines do not do: PostgreSQL backends retitle themselves). Scoped to the processes a test itself started (a pid tree, a data folder): other tests on the machine run
 * their own servers and databases at the same time.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  args: string;
  /** clock ticks since boot when the process started; undefined when it was already gone */
  startTime?: string;
}

/**
 * Field 22 of /proc/<pid>/stat (after the parenthesised command name, which may contain spaces); undefined for a
 * process that is gone or a zombie (exited, only waiting for its parent to collect the status).
 */
async function startTimeOf(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

export async function listProcesses(): Promise<ProcessInfo[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,pgid=,args='], { maxBuffer: 16 * 1024 * 1024 });
  const out: ProcessInfo[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m) out.push({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), args: m[4]! });
  }
  return out;
}

/** The processes under the given roots (the roots included), following parent pids. */
export function descendants(all: ProcessInfo[], roots: number[]): ProcessInfo[] {
  const found = new Map<number, ProcessInfo>();
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const p of all) {
      if ((p.pid === pid || p.ppid === pid) && !found.has(p.pid)) {
        found.set(p.pid, p);
        if (p.pid !== pid) queue.push(p.pid);
      }
    }
  }
  return [...found.values()];
}

/**
 * Everything a command started: its process tree, plus whatever runs on the given marker (e.g. a PostgreSQL data
 * folder: `pg_ctl` starts the postmaster in its own session, so it is no child of the command) and that one's tree.
 */
export async function processesOf(rootPid: number, markers: string[]): Promise<ProcessInfo[]> {
  const all = await listProcesses();
  const marked = all.filter((p) => markers.some((m) => p.args.includes(m))).map((p) => p.pid);
  const tree = descendants(all, [rootPid, ...marked]);
  for (const p of tree) p.startTime = await startTimeOf(p.pid);
  return tree;
}

/** Those of `earlier` still running: same pid, same start time (a reused pid is not a survivor). */
export async function survivors(earlier: ProcessInfo[]): Promise<ProcessInfo[]> {
  const alive: ProcessInfo[] = [];
  for (const p of earlier) {
    if (p.startTime === undefined) continue;
    if ((await startTimeOf(p.pid)) === p.startTime) alive.push(p);
  }
  return alive;
}

/** Processes whose command line names the marker (e.g. a postmaster still running on a data folder). */
export async function runningWith(marker: string): Promise<ProcessInfo[]> {
  return (await listProcesses()).filter((p) => p.args.includes(marker));
}
