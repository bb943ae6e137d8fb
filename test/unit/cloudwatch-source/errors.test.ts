import { describe, expect, it } from 'vitest';
import { EXIT, LogjamError } from '../../../common/errors.js';
import { isRetryable, toSourceError } from '../../../analyzer/sources/cloudwatch/errors.js';

const ctx = { logGroup: '/app', region: 'eu-west-1', query: 'fields @message\n| limit 5' };
const named = (name: string, message = 'x', status?: number) =>
  Object.assign(new Error(message), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });

describe('AWS errors -> LogjamError with the fix', () => {
  it.each([
    [named('CredentialsProviderError', 'Could not load credentials from any providers'), 'LJ_CW_CREDENTIALS', /aws configure/],
    [new Error('Region is missing'), 'LJ_CW_REGION', /--region/],
    [named('ExpiredTokenException'), 'LJ_CW_CREDENTIALS', /expired/],
    [named('ResourceNotFoundException'), 'LJ_CW_LOG_GROUP', /describe-log-groups --region eu-west-1/],
    [named('AccessDeniedException', 'not authorized', 400), 'LJ_CW_ACCESS', /logs:StartQuery/],
    [named('ThrottlingException'), 'LJ_CW_THROTTLED', /--max-parallel-queries/],
  ])('%s', (error, code, hint) => {
    const mapped = toSourceError(error, ctx);
    expect(mapped).toBeInstanceOf(LogjamError);
    expect(mapped.code).toBe(code);
    expect(mapped.exitCode).toBe(EXIT.usageOrSource);
    expect(mapped.hint).toMatch(hint);
  });

  it('a malformed query shows the query', () => {
    const mapped = toSourceError(named('MalformedQueryException', 'unexpected symbol'), ctx);
    expect(mapped.message).toContain('unexpected symbol');
    expect(mapped.message).toContain('    fields @message\n    | limit 5');
  });

  it('retries only what can succeed later', () => {
    expect(isRetryable(named('ThrottlingException'))).toBe(true);
    expect(isRetryable(named('LimitExceededException'))).toBe(true);
    expect(isRetryable(named('InternalFailure', 'x', 503))).toBe(true);
    expect(isRetryable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(named('MalformedQueryException'))).toBe(false);
    expect(isRetryable(named('ResourceNotFoundException', 'x', 400))).toBe(false);
  });
});
