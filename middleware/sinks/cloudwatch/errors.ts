/**
 * The sink's rule for retrying PutLogEvents (the mechanism is common/aws-retry.ts, shared with the analyzer): every
 * "try again later" name AWS uses, any 5xx or 429, and any call that got no HTTP answer at all (a network error:
 * ECONNRESET, refused, DNS) — a sink that gives up early loses lines.
 */
import { awsErrorName, classifyAwsFailure, type AwsFailure, type AwsRetryRule } from '../../../common/aws-retry.js';

export type FailureKind = AwsFailure;

export const SINK_RETRY_RULE: AwsRetryRule = {
  retryableNames: new Set([
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
  ]),
  retryWithoutResponse: true,
  retry429: true,
};

export const failureName = awsErrorName;

export function classifyFailure(error: unknown): FailureKind {
  return classifyAwsFailure(error, SINK_RETRY_RULE);
}
