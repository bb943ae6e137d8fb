/**
 * The pino transport entry (runs in pino's worker thread):
 *   pino.transport({ target: '<abs>/dist/middleware/sinks/cloudwatch/transport.js', options: { ...CloudWatchSinkOptions, service } })
 *
 * Each line becomes one CloudWatch event: the raw line is the message (so Logs Insights discovers its JSON fields)
 * and the line's `time` is the event timestamp. On close — pino ends the transport at process exit, and
 * thread-stream's end() waits (up to 10 s) for this stream to close — the shipper makes a final flush bounded
 * by shutdownTimeoutMs and counts anything left as dropped.
 */
import build from 'pino-abstract-transport';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { lineTime } from './line-time.js';
import { resolveOptions, type CloudWatchTransportOptions } from './options.js';
import { CloudWatchShipper } from './shipper.js';

interface ParsedLine {
  line: string;
  time: number;
}

export default async function cloudWatchTransport(options: CloudWatchTransportOptions) {
  const resolved = resolveOptions(options);
  // maxAttempts 1: the shipper retries itself so retries are counted, spaced and bounded by its own policy.
  // Region, credentials and AWS_ENDPOINT_URL_CLOUDWATCH_LOGS come from the SDK's standard chains when not given.
  const client = new CloudWatchLogsClient({
    maxAttempts: 1,
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const shipper = new CloudWatchShipper(resolved, { client });

  return build(
    async (source: AsyncIterable<ParsedLine>) => {
      for await (const { line, time } of source) shipper.push(time, line);
    },
    {
      // Only the timestamp is needed; returning an object keeps pino-abstract-transport from JSON-parsing lines.
      parseLine: (line: string): ParsedLine => ({ line, time: lineTime(line, Date.now()) }),
      close: async () => {
        try {
          await shipper.close();
        } finally {
          client.destroy();
        }
      },
    },
  );
}
