import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyAwsFailure } from '../../../common/aws-retry.js';
import { QUERY_RETRY_RULE } from '../../../analyzer/sources/cloudwatch/errors.js';
import { SINK_RETRY_RULE } from '../../../middleware/sinks/cloudwatch/errors.js';

const aws = (name: string, status?: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('one AWS retry classifier, each caller with its rule', () => {
  it('both retry throttling and 5xx, and neither retries a malformed call or a missing group', () => {
    for (const rule of [SINK_RETRY_RULE, QUERY_RETRY_RULE]) {
      expect(classifyAwsFailure(aws('ThrottlingException', 400), rule)).toBe('retryable');
      expect(classifyAwsFailure(aws('InternalFailure', 503), rule)).toBe('retryable');
      expect(classifyAwsFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), rule)).toBe('retryable');
      expect(classifyAwsFailure(aws('MalformedQueryException', 400), rule)).toBe('rejected');
      expect(classifyAwsFailure(aws('ResourceNotFoundException', 400), rule)).toBe('missing_destination');
      expect(classifyAwsFailure(aws('AbortError'), rule)).toBe('aborted');
    }
  });

  it('where they differ on purpose: a call with no HTTP answer, and a bare 429', () => {
    const noCredentials = aws('CredentialsProviderError');
    expect(classifyAwsFailure(noCredentials, SINK_RETRY_RULE)).toBe('retryable');
    expect(classifyAwsFailure(noCredentials, QUERY_RETRY_RULE)).toBe('rejected');
    expect(classifyAwsFailure(aws('SlowDown', 429), SINK_RETRY_RULE)).toBe('retryable');
    expect(classifyAwsFailure(aws('SlowDown', 429), QUERY_RETRY_RULE)).toBe('rejected');
    expect(classifyAwsFailure(aws('LimitExceededException', 400), QUERY_RETRY_RULE)).toBe('retryable');
  });
});

describe('one capped exponential backoff', () => {
  it('full jitter spans [0, ceiling); equal jitter [ceiling/2, ceiling); both capped', () => {
    const policy = { baseMs: 100, capMs: 1000 };
    expect(backoffDelay(2, policy, () => 0)).toBe(0);
    expect(backoffDelay(2, policy, () => 0.999)).toBe(399);
    expect(backoffDelay(2, { ...policy, jitter: 'equal' }, () => 0)).toBe(200);
    expect(backoffDelay(2, { ...policy, jitter: 'equal' }, () => 0.5)).toBe(300);
    expect(backoffDelay(40, { ...policy, jitter: 'equal' }, () => 0.999)).toBeLessThan(1000);
    expect(backoffDelay(40, { ...policy, jitter: 'equal' }, () => 0)).toBe(500);
  });
});
