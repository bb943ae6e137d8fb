/**
 * The input formats the local source reads, detected per line: the first format that reads a line wins, so one
 * file (or one directory) may mix them. Adding a format is one module under this folder and one entry here; the
 * input accounting counts lines per format name (InputAccounting.formats) and docs/analyzer.md ("Input formats")
 * documents each one's field mapping and what it cannot tell.
 */
import { logjamFormat } from './logjam.js';
import { pinoHttpFormat } from './pino-http.js';
import type { JsonLineFormat, LineFormat, TextLineFormat } from './types.js';

export type { LineFormat } from './types.js';

/** In the order they are tried: logjam first (the common case, and the strictest). */
export const LINE_FORMATS: readonly LineFormat[] = [logjamFormat, pinoHttpFormat];

export const JSON_FORMATS: readonly JsonLineFormat[] = LINE_FORMATS.filter((f): f is JsonLineFormat => f.kind === 'json');
export const TEXT_FORMATS: readonly TextLineFormat[] = LINE_FORMATS.filter((f): f is TextLineFormat => f.kind === 'text');

/** format name -> what its lines cannot tell (formats that can tell everything the report shows have none) */
export const FORMAT_LIMITS: ReadonlyMap<string, string> = new Map(
  LINE_FORMATS.filter((f) => f.cannotTell !== undefined).map((f) => [f.name, f.cannotTell!]),
);
