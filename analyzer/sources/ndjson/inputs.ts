/**
 * Where the bytes come from: one file, every log file under a directory (recursively, sorted by path), or stdin. Gzip is detected
 * by its magic bytes (so a compressed file without .gz is still read) and decompressed as a stream.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LogjamError } from '../../../common/errors.js';

export const LOG_FILE = /\.(ndjson|jsonl|log)(\.gz)?$|\.gz$/i;

export interface InputFile {
  /** display name */
  name: string;
  open(): Promise<Readable>;
}

const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzipFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === GZIP_MAGIC[0] && buf[1] === GZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

function fileInput(path: string): InputFile {
  return {
    name: path,
    async open() {
      const gz = await isGzipFile(path);
      const raw = createReadStream(path, { highWaterMark: 256 * 1024 });
      if (!gz) return raw;
      const gunzip = createGunzip();
      raw.on('error', (err) => gunzip.destroy(err));
      return raw.pipe(gunzip);
    },
  };
}

/** stdin: peek at the first chunk for the gzip magic, then stream it and the rest. */
function stdinInput(stdin: Readable): InputFile {
  return {
    name: '(stdin)',
    async open() {
      const it = (stdin as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
      const first = await it.next();
      const toBuffer = (v: Buffer | string) => (typeof v === 'string' ? Buffer.from(v) : v);
      async function* all(): AsyncGenerator<Buffer> {
        if (first.done) return;
        yield toBuffer(first.value);
        for (;;) {
          const next = await it.next();
          if (next.done) return;
          yield toBuffer(next.value);
        }
      }
      const source = Readable.from(all(), { objectMode: false });
      const head = first.done ? undefined : toBuffer(first.value);
      if (head && head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) {
        const gunzip = createGunzip();
        source.on('error', (err) => gunzip.destroy(err));
        return source.pipe(gunzip);
      }
      return source;
    },
  };
}

function fsError(path: string, err: unknown): LogjamError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
  return new LogjamError('LJ_LOGS_UNREADABLE', `cannot read --logs ${path}: ${why}`, {
    hint: 'pass an NDJSON file, a directory of *.ndjson / *.jsonl / *.log (.gz) files, or - for stdin',
    cause: err,
  });
}

/** The files behind a --logs value, in read order. */
export async function resolveInputs(path: string, stdin: Readable = process.stdin): Promise<InputFile[]> {
  if (path === '-') return [stdinInput(stdin)];
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw fsError(path, err);
  }
  if (info.isFile()) return [fileInput(path)];
  if (!info.isDirectory()) throw fsError(path, new Error('not a file or directory'));
  // Recursive: `runs/` holds one folder per run (runs/<run-id>/app.ndjson), and `logjam runs --logs runs/` should
  // see them all. Relative paths sort into a stable read order; only regular files count.
  let names: string[];
  try {
    names = (await readdir(path, { recursive: true })).filter((n) => LOG_FILE.test(n)).sort();
  } catch (err) {
    throw fsError(path, err);
  }
  const files: string[] = [];
  for (const name of names) {
    const info = await stat(join(path, name)).catch(() => undefined);
    if (info?.isFile()) files.push(name);
  }
  if (files.length === 0) {
    throw new LogjamError('LJ_LOGS_EMPTY_DIR', `--logs ${path} holds no log files`, {
      hint: 'the directory and its subfolders are read for *.ndjson, *.jsonl, *.log and their .gz versions',
    });
  }
  return files.map((n) => fileInput(join(path, n)));
}
