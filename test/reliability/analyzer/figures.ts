/**
 * Figures of the hostile-input tests: one line per test on stderr (reportFigure). With LOGJAM_HOSTILE_FIGURES set to
 * a file path, the same lines are also kept there (for docs/reliability.md), a re-run replacing its own line by
 * name instead of appending. Test files run in parallel workers, so the read-modify-write holds a lock file.
 */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { reportFigure } from '../support/figure-line.js';

const OUT = process.env.LOGJAM_HOSTILE_FIGURES;
const HEADER = '# Hostile input to the analyzer — figures\n\nWritten by test/reliability/analyzer/*.test.ts (one line per test, replaced on re-run).\n\n';

function withLock(out: string, work: () => void): void {
  const lock = `${out}.lock`;
  // bounded: a stale lock (a killed run) is broken after ~2 s rather than blocking forever
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      closeSync(openSync(lock, 'wx'));
    } catch {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      continue;
    }
    try {
      work();
    } finally {
      rmSync(lock, { force: true });
    }
    return;
  }
  rmSync(lock, { force: true });
  work();
}

export function figure(name: string, text: string): void {
  reportFigure(name, text);
  if (OUT === undefined) return;
  try {
    withLock(OUT, () => {
      let current = '';
      try {
        current = readFileSync(OUT, 'utf8');
      } catch {
        current = HEADER;
      }
      const tag = `- **${name}**: `;
      const lines = current.split('\n').filter((l) => !l.startsWith(tag));
      while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
      lines.push(`${tag}${text}`);
      writeFileSync(OUT, `${lines.join('\n')}\n`);
    });
  } catch (err) {
    // the figure file is a convenience for the report; the stderr line above is the record
    process.stderr.write(`[figure] could not write ${OUT}: ${(err as Error).message}\n`);
  }
}
