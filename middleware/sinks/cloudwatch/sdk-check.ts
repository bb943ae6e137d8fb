/**
 * The AWS SDK is an optional peer dependency of the published package (docs/packaging.md): a service that never
 * ships to or reads from CloudWatch does not install it. Whoever configures CloudWatch without it gets this one
 * message, at configuration time, instead of a module-resolution failure inside pino's worker thread.
 */
import { createRequire } from 'node:module';

export const AWS_SDK_PACKAGE = '@aws-sdk/client-cloudwatch-logs';

export function missingAwsSdkMessage(feature: string): string {
  return `${feature} needs the AWS SDK, which is not installed: run \`npm install ${AWS_SDK_PACKAGE}\``;
}

/** Throws the one clear error when the SDK cannot be resolved from logjam's own location. */
export function assertAwsSdkInstalled(feature: string, resolve: (id: string) => string = createRequire(import.meta.url).resolve): void {
  try {
    resolve(AWS_SDK_PACKAGE);
  } catch {
    throw new Error(`logjam: ${missingAwsSdkMessage(feature)}`);
  }
}
