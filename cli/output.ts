/** Writing a report to a file for the commands: a failure is a clear LogjamError (exit 2), never a stack trace. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LogjamError } from '../common/errors.js';

export async function writeReportFile(path: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  } catch (err) {
    throw new LogjamError('LJ_OUT_UNWRITABLE', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
  process.stderr.write(`logjam: wrote ${path}\n`);
}
