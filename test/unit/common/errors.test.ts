import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EXIT, LogjamError, UsageError, hasErrorCode, type ErrorCode } from '../../../common/errors.js';
import { RunNotFoundError } from '../../../analyzer/index.js';
import { PoolTimeoutError } from '../../../middleware/index.js';
import { ConfigError } from '../../../sample-app/config.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The rows of docs/errors.md's "Error codes" table: code -> exit column as written. */
function documentedCodes(): Map<string, string> {
  const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Error codes'));
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| `(LJ_[A-Z0-9_]+)` \| ([^|]+) \|/gm)) rows.set(m[1]!, m[2]!.trim());
  return rows;
}

describe('the error registry (common/errors.ts)', () => {
  it('docs/errors.md documents every code of the table, with its exit code, and no other code', () => {
    const documented = documentedCodes();
    const table = Object.keys(ERROR_CODES);
    expect(table.filter((c) => !documented.has(c)), 'in the table, missing from docs/errors.md').toEqual([]);
    expect([...documented.keys()].filter((c) => !(c in ERROR_CODES)), 'in docs/errors.md, not in the table').toEqual([]);
    for (const [code, exit] of documented) {
      expect(exit, code).toBe(String(ERROR_CODES[code as ErrorCode].exit ?? '—'));
    }
  });

  it('an error takes its exit code from the table', () => {
    expect(new LogjamError('LJ_THRESHOLD_BREACHED', 'x').exitCode).toBe(EXIT.thresholdsBreached);
    expect(new LogjamError('LJ_INTERRUPTED', 'x').exitCode).toBe(EXIT.interrupted);
    expect(new LogjamError('LJ_CW_THROTTLED', 'x').exitCode).toBe(EXIT.usageOrSource);
    expect(new UsageError('bad flag', 'try this')).toMatchObject({ code: 'LJ_USAGE', exitCode: 2, hint: 'try this', name: 'UsageError' });
  });

  it('a misspelt code does not compile, and a cast one is refused at run time', () => {
    // @ts-expect-error: 'LJ_USGAE' is not a key of ERROR_CODES
    expect(() => new LogjamError('LJ_USGAE', 'typo')).toThrow(TypeError);
    expect(() => new LogjamError('LJ_NOPE' as ErrorCode, 'cast')).toThrow(/unknown logjam error code "LJ_NOPE"/);
  });

  it('every folder’s error classes are LogjamErrors with a registered code', () => {
    const errors = [
      new RunNotFoundError('r1', [], 'test.ndjson'),
      new PoolTimeoutError(1500),
      new ConfigError(['PORT must be a number']),
    ];
    for (const err of errors) {
      expect(err).toBeInstanceOf(LogjamError);
      expect(err.code in ERROR_CODES, err.code).toBe(true);
    }
    expect(errors.map((e) => e.name)).toEqual(['RunNotFoundError', 'PoolTimeoutError', 'ConfigError']);
    expect(hasErrorCode(new PoolTimeoutError(1), 'LJ_POOL_TIMEOUT')).toBe(true);
    // by code, not class: an error from a second copy of the module still matches
    expect(hasErrorCode({ code: 'LJ_POOL_TIMEOUT' }, 'LJ_POOL_TIMEOUT')).toBe(true);
    expect(hasErrorCode(new Error('x'), 'LJ_POOL_TIMEOUT')).toBe(false);
  });
});
