/**
 * Child process for the "SIGTERM right after a burst" test: logs a burst of N lines through pino.transport with
 * the BUILT CloudWatch transport (a real worker thread), says "burst-done" on stdout, then waits for SIGTERM.
 *
 * env: LJ_TRANSPORT (absolute path of dist/middleware/sinks/cloudwatch/transport.js), LJ_GROUP, LJ_STREAM,
 *      LJ_COUNT, LJ_EXIT ('end' = the handler ends the transport and exits on its 'close';
 *      'exit' = the handler just calls process.exit and relies on pino's exit hook to end the transport).
 * AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_REGION and dummy credentials come from the environment, as in production.
 */
import pino from 'pino';

const count = Number(process.env.LJ_COUNT ?? '1000');
const mode = process.env.LJ_EXIT ?? 'end';

const transport = pino.transport({
  target: process.env.LJ_TRANSPORT!,
  options: {
    logGroupName: process.env.LJ_GROUP!,
    logStreamName: process.env.LJ_STREAM!,
    service: 'burst-child',
    shutdownTimeoutMs: Number(process.env.LJ_SHUTDOWN_MS ?? '8000'),
  },
});
const logger = pino({ timestamp: pino.stdTimeFunctions.epochTime }, transport);

process.once('SIGTERM', () => {
  if (mode === 'exit') {
    // pino registered an exit hook that flushes the worker buffer and ends the transport synchronously.
    process.exit(0);
  }
  transport.once('close', () => process.exit(0));
  transport.end();
});

for (let seq = 0; seq < count; seq++) logger.info({ seq }, 'burst line');
process.stdout.write('burst-done\n');
// Stay alive until the signal arrives (bounded: a forgotten child exits by itself).
setTimeout(() => process.exit(3), 60_000);
