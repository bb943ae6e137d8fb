/**
 * One streaming pass over a local source: bytes -> lines -> classified lines, with every line counted (per input
 * format for the lines a format read).
 * Content never throws: bad lines are counted, a truncated or corrupt .gz becomes a warning (the lines read
 * before the damage still count). Only an unreadable path is an error (LogjamError, exit 2).
 */
import type { InputAccounting } from '../../model.js';
import type { LogLine } from '../../aggregate/aggregator.js';
import { LogjamError } from '../../../common/errors.js';
import { classifyLine, FOREIGN, MALFORMED, readLogjamBytes } from './classify.js';
import { FlatJsonReader } from './flat-json.js';
import { logjamFormat } from '../formats/logjam.js';
import { classifyAlbLine, countAlbLine } from '../formats/alb.js';
import type { InputFile } from './inputs.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-reader.js';
import type { LineHandler } from './line-reader.js';

export interface ScanStats {
  bytes: number;
}

export interface ScanOptions {
  /** false: every line decoded and classified by classifyLine(), no fast path (the tests compare the two) */
  fastPath?: boolean;
}

export async function scanInputs(
  inputs: InputFile[],
  input: InputAccounting,
  onLine: (line: LogLine) => void,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  options: ScanOptions = {},
): Promise<ScanStats> {
  // lines read per input format (formats/index.ts), for the report's input section
  const formats = (input.formats ??= {});
  const read = (format: string, line: LogLine): void => {
    formats[format] = (formats[format] ?? 0) + 1;
    onLine(line);
  };
  const reader = new FlatJsonReader();
  return scanTextLines(
    inputs,
    {
      // most lines: logjam's own flat objects, read from the bytes (flat-json.ts); the rest are decoded below.
      // (An ALB line starts with a lowercase letter, never "{": nothing the fast path reads is one.)
      bytes:
        options.fastPath === false
          ? undefined
          : (buf, start, end) => {
              const line = readLogjamBytes(reader, buf, start, end);
              if (line === undefined) return false;
              input.totalLines++;
              read(logjamFormat.name, line);
              return true;
            },
      line(text) {
        input.totalLines++;
        // ALB access-log lines (sources/formats/alb.ts) are told apart by their first bytes, before JSON
        const alb = classifyAlbLine(text);
        if (alb !== undefined) {
          const line = countAlbLine(input, alb);
          if (line !== undefined) read('alb', line);
          return;
        }
        const c = classifyLine(text);
        if (c === MALFORMED) input.malformed++;
        else if (c === FOREIGN) input.foreign++;
        else read(c.format, c.line);
      },
      oversized() {
        input.totalLines++;
        input.oversized++;
      },
    },
    (warning) => (input.warnings ??= []).push(warning),
    maxLineBytes,
  );
}

/** The same pass for any NDJSON (the client log too): raw text lines, oversized ones counted, damage a warning. */
export async function scanTextLines(
  inputs: InputFile[],
  handler: LineHandler,
  onWarning: (warning: string) => void,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): Promise<ScanStats> {
  const stats: ScanStats = { bytes: 0 };
  const splitter = new LineSplitter(handler, maxLineBytes);
  for (const file of inputs) {
    let stream;
    try {
      stream = await file.open();
    } catch (err) {
      throw new LogjamError('LJ_LOGS_UNREADABLE', `cannot read ${file.name}: ${(err as Error).message}`, { cause: err });
    }
    // an exception from the line handler (a bug, not bad input) would otherwise escape the 'data' listener as an
    // uncaught exception and leave this pass pending forever: it stops the stream and fails the pass instead
    let handlerFailure: { error: unknown } | undefined;
    try {
      // flowing mode, not for-await: a stream destroyed by an error (a truncated .gz) still delivers every chunk
      // it produced before the error, and the splitter handles each chunk synchronously
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => {
          if (handlerFailure) return;
          stats.bytes += chunk.length;
          try {
            splitter.write(chunk);
          } catch (error) {
            handlerFailure = { error };
            stream.destroy();
            reject(error);
          }
        });
        stream.once('end', resolve);
        stream.once('error', reject);
      });
    } catch (err) {
      if (handlerFailure) throw handlerFailure.error;
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (!code.startsWith('Z_') && code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        throw new LogjamError('LJ_LOGS_UNREADABLE', `cannot read ${file.name}: ${(err as Error).message}`, { cause: err });
      }
      onWarning(`${file.name}: compressed data is truncated or corrupt (${(err as Error).message}); read up to the damage`);
    }
    // each file ends its last line (a file without a final newline must not glue onto the next file)
    splitter.end();
  }
  return stats;
}
