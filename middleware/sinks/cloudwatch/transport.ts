/**
 * The pino transport entry (runs in pino's worker thread):
 *   pino.transport({ target: '<abs>/dist/middleware/sinks/cloudwatch/transport.js', options: { ...CloudWatchSinkOptions, service } })
 *
 * Each line becomes one CloudWatch event: the raw line is the message (so Logs Insights discovers its JSON fields)
 * and the line's `time` is the event timestamp. On close — pino ends the transport at process exit, and
 * thread-stream's end() waits (up to 10 s) for this stream to close — the shipper makes a final flush bounded
 * by shutdownTimeoutMs and counts anything left as dropped.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { lineTime } from './line-time.js';
import { resolveOptions, type CloudWatchTransportOptions, type ResolvedOptions } from './options.js';
import { dropLine } from './drop-report.js';
import { FIELDS, SCHEMA_VERSION } from '../../schema.js';
import { CloudWatchShipper } from './shipper.js';
import { lineStream } from './line-stream.js';

export default async function cloudWatchTransport(options: CloudWatchTransportOptions) {
  let resolved: ResolvedOptions;
  try {
    resolved = resolveOptions(options);
  } catch (error) {
    return misconfigured(options, error);
  }
  // maxAttempts 1: the shipper retries itself so retries are counted, spaced and bounded by its own policy.
  // Region, credentials and AWS_ENDPOINT_URL_CLOUDWATCH_LOGS come from the SDK's standard chains when not given.
  const client = new CloudWatchLogsClient({
    maxAttempts: 1,
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const shipper = new CloudWatchShipper(resolved, { client });

  return lineStream(
    (lines, now) => {
      for (const line of lines) shipper.push(lineTime(line, now), line);
    },
    async () => {
      try {
        await shipper.close();
      } finally {
        client.destroy();
      }
    },
  );
}

/**
 * Bad options must not crash the host (a transport that fails to start emits 'error' on the host's stream): say
 * why on stderr once, consume the lines, and count them as dropped when the transport closes.
 */
function misconfigured(options: CloudWatchTransportOptions | undefined, error: unknown) {
  const service = options?.service ?? 'app';
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `${JSON.stringify({
      [FIELDS.time]: Date.now(),
      [FIELDS.level]: 'error',
      [FIELDS.msg]: `cloudwatch sink disabled: ${reason}`,
      [FIELDS.schema]: SCHEMA_VERSION,
      [FIELDS.service]: service,
      [FIELDS.pid]: process.pid,
      [FIELDS.sink]: 'cloudwatch',
    })}\n`,
  );
  let dropped = 0;
  return lineStream(
    (lines) => {
      for (const line of lines) if (line.length > 0) dropped++;
    },
    async () => {
      if (dropped > 0) process.stderr.write(`${dropLine(service, dropped, 'misconfigured')}\n`);
    },
  );
}
