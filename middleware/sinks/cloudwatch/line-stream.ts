/**
 * The worker side of the transport: thread-stream hands the worker whatever text the app thread has written since
 * the last read (many lines at once); this stream cuts each chunk into lines and gives them to `onLines` in one
 * synchronous call. pino-abstract-transport instead pipes through split2 and an async iterator, which costs a
 * stream push and a promise per line — about a tenth of the worker's time in a profile of a burst.
 *
 * A line torn across two chunks is kept until its end arrives; a last line without '\n' is delivered at end().
 * `close` runs once when the stream is destroyed (after end(), or on error) and 'close' is emitted when it settles:
 * thread-stream waits for that event before the worker exits, so the final flush runs to its end.
 */
import { Writable } from 'node:stream';

/** Lines of one chunk (no '\n', a trailing '\r' removed as split2 did), and the time the chunk arrived. */
export type LinesHandler = (lines: string[], now: number) => void;

export function lineStream(onLines: LinesHandler, close: () => Promise<void>): Writable {
  let partial = '';
  const deliver = (text: string, final: boolean) => {
    const lines = text.split('\n');
    partial = final ? '' : lines.pop()!;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
    }
    if (lines.length > 0) onLines(lines, Date.now());
  };
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      deliver(partial + (typeof chunk === 'string' ? chunk : chunk.toString('utf8')), false);
      callback();
    },
    final(callback) {
      if (partial.length > 0) deliver(partial, true);
      callback();
    },
    destroy(error, callback) {
      close().then(
        () => callback(error),
        (closeError: unknown) => callback(error ?? (closeError as Error)),
      );
    },
  });
}
