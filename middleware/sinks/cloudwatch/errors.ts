/**
 * What to do with a failed AWS call. The SDK raises modelled exceptions (ResourceNotFoundException…) as classes,
 * but ThrottlingException is not modelled for CloudWatch Logs: it arrives as a generic service error that only
 * carries the name. So classification is by name and HTTP status, never by class.
 */
export type FailureKind = 'missing_destination' | 'retryable' | 'rejected' | 'aborted';

/** Names AWS uses for "try again later". */
const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

interface AwsLikeError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

export function failureName(error: unknown): string {
  const e = error as AwsLikeError | undefined;
  return (typeof e?.name === 'string' && e.name !== 'Error' ? e.name : undefined) ?? e?.code ?? 'UnknownError';
}

export function classifyFailure(error: unknown): FailureKind {
  const e = (error ?? {}) as AwsLikeError;
  const name = failureName(error);
  if (name === 'AbortError') return 'aborted';
  if (name === 'ResourceNotFoundException') return 'missing_destination';
  if (RETRYABLE_NAMES.has(name)) return 'retryable';
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return 'retryable'; // no HTTP answer at all: a network error (ECONNRESET, refused, DNS)
  if (status >= 500 || status === 429) return 'retryable';
  return 'rejected'; // other 4xx: sending the same batch again gets the same answer
}
