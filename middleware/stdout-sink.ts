/**
 * stdout, the default destination, through the same gathering sink as the file (buffered-file-sink.ts): one write
 * per `stdoutBufferBytes` (default 4096) or per FLUSH_INTERVAL_MS instead of one write(2) per line — two per request
 * with start and finish lines, the largest single cost of the middleware under load.
 *
 * ONE sink per process (per setting), shared by every logger that writes to stdout: their lines go into one buffer,
 * so they reach stdout in the order they were logged, whichever logger logged them; one exit hook and one signal
 * guard cover them all. Batches never exceed the setting (writesWithinBuffer): at the default, 4096 = PIPE_BUF, each
 * write to a pipe is atomic, so processes sharing one stdout pipe (cluster workers, a container's log driver)
 * never interleave mid-line, as with one write per line.
 *
 * A terminal gets each line at once: a person watching sees a line when it is logged, and a TTY is never the hot
 * path of a service under load.
 */
import { isatty } from 'node:tty';
import { BufferedFileSink } from './buffered-file-sink.js';
import { flushOnSignal } from './flush-on-signal.js';

const STDOUT_FD = 1;
const shared = new Map<number, BufferedFileSink>();

/** The process's stdout sink for `bufferBytes` (0 on a terminal, whatever was asked). */
export function stdoutSink(bufferBytes: number, flushIntervalMs: number): BufferedFileSink {
  const bytes = isatty(STDOUT_FD) ? 0 : bufferBytes;
  let sink = shared.get(bytes);
  if (sink === undefined) {
    sink = new BufferedFileSink(STDOUT_FD, {
      bufferBytes: bytes,
      flushIntervalMs,
      label: 'the stdout sink',
      // stdout is the process's, not the logger's: closeLogger flushes it, never closes it
      closeFd: false,
      writesWithinBuffer: true,
    });
    // never unguarded: the sink lives as long as the process
    flushOnSignal(sink);
    shared.set(bytes, sink);
  }
  return sink;
}
