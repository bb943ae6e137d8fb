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
import type { InputFileAccounting } from '../../model.js';

export const LOG_FILE = /\.(ndjson|jsonl|log)(\.gz)?$|\.gz$/i;

export interface InputFile {
  /** display name */
  name: string;
  /** the file on disk (absent for stdin): what the parallel pass splits into byte ranges (parallel.ts) */
  path?: string;
  open(): Promise<Readable>;
}

const GZIP_MAGIC = [0x1f, 0x8b];

export async function isGzipFile(path: string): Promise<boolean> {
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
    path,
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

export interface ResolvedInputs {
  files: InputFile[];
  /** present for a directory */
  accounting?: InputFileAccounting;
  /** folders inside the directory that could not be listed (the rest is read) */
  warnings: string[];
}

export interface ResolveOptions {
  /** for tests: stdin replacement when the path is '-' */
  stdin?: Readable;
  /** walk into symlinked folders (each folder and file still once, by device + inode) */
  followSymlinks?: boolean;
}

const identity = (info: { dev: number; ino: number }) => `${info.dev}:${info.ino}`;

/**
 * Every log file under `root`, as paths relative to it. A symlinked folder is walked only when asked, and each
 * folder at most once (by device + inode), so a link to itself or to an ancestor cannot loop, and a link to a
 * large system folder is not walked by surprise. Files are de-duplicated later, in path order.
 */
async function walk(
  root: string,
  followSymlinks: boolean,
  accounting: InputFileAccounting,
  warnings: string[],
): Promise<{ rel: string; id: string }[]> {
  const found: { rel: string; id: string }[] = [];
  const visited = new Set<string>([identity(await stat(root))]);
  const pending: string[] = [''];
  while (pending.length > 0) {
    const rel = pending.pop()!;
    let entries;
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch (err) {
      if (rel === '') throw err;
      warnings.push(`folder ${join(root, rel)} could not be listed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): skipped.`);
      continue;
    }
    for (const entry of entries) {
      const childRel = rel === '' ? entry.name : join(rel, entry.name);
      const isLink = entry.isSymbolicLink();
      if (!isLink && !entry.isDirectory() && !entry.isFile()) continue;
      // a dangling link or a file removed meanwhile is not a log file
      const info = await stat(join(root, childRel)).catch(() => undefined);
      if (!info) continue;
      if (info.isDirectory()) {
        if (isLink && !followSymlinks) {
          accounting.symlinkedFoldersNotFollowed++;
          continue;
        }
        const id = identity(info);
        if (visited.has(id)) {
          accounting.loops++;
          continue;
        }
        visited.add(id);
        pending.push(childRel);
      } else if (info.isFile() && LOG_FILE.test(entry.name)) {
        found.push({ rel: childRel, id: identity(info) });
      }
    }
  }
  return found;
}

/** The files behind a --logs value, in read order, and what the directory walk skipped. */
export async function resolveInputs(path: string, options: ResolveOptions = {}): Promise<ResolvedInputs> {
  if (path === '-') return { files: [stdinInput(options.stdin ?? process.stdin)], warnings: [] };
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw fsError(path, err);
  }
  if (info.isFile()) return { files: [fileInput(path)], warnings: [] };
  if (!info.isDirectory()) throw fsError(path, new Error('not a file or directory'));
  // Recursive: `runs/` holds one folder per run (runs/<run-id>/app.ndjson), and `logjam runs --logs runs/` should
  // see them all. Relative paths sort into a stable read order; only regular files count.
  const accounting: InputFileAccounting = { files: 0, symlinkedFoldersNotFollowed: 0, filesSeenTwice: 0, loops: 0 };
  const warnings: string[] = [];
  let found;
  try {
    found = await walk(path, options.followSymlinks ?? false, accounting, warnings);
  } catch (err) {
    throw fsError(path, err);
  }
  // de-duplicated in path order, so which copy is read does not depend on the walk
  const seen = new Set<string>();
  const files: string[] = [];
  for (const f of found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))) {
    if (seen.has(f.id)) {
      accounting.filesSeenTwice++;
      continue;
    }
    seen.add(f.id);
    files.push(f.rel);
  }
  accounting.files = files.length;
  if (files.length === 0) {
    throw new LogjamError('LJ_LOGS_EMPTY_DIR', `--logs ${path} holds no log files`, {
      hint:
        accounting.symlinkedFoldersNotFollowed > 0
          ? `${accounting.symlinkedFoldersNotFollowed} symlinked folders were not followed: pass --follow-symlinks to read them`
          : 'the directory and its subfolders are read for *.ndjson, *.jsonl, *.log and their .gz versions',
    });
  }
  return { files: files.map((n) => fileInput(join(path, n))), accounting, warnings };
}
