/**
 * Child process for the delivery tests: ONE logger made by the BUILT createLogger (file and/or CloudWatch sink, the
 * latter in its real pino worker thread), driven over IPC so a test can write lines in phases between the faults it
 * injects into the fake CloudWatch (which lives in the test process: the child's worker thread must not share an
 * event loop with it, because ending a pino transport blocks the calling thread).
 *
 * Plain ESM JavaScript on purpose: the build (tsconfig.build.json) does not compile test/reliability, and Node 20
 * cannot run TypeScript. The TypeScript side of the protocol is logger-child.ts.
 *
 * env: LJ_MIDDLEWARE (absolute path of dist/middleware/index.js), LJ_LOGGER_OPTIONS (JSON: createLogger options)
 * in:  { op: 'log', from, count, chunk?, pad?, skewMs?, msg? }  -> { op: 'logged', rss }
 *      { op: 'memory' }               -> { op: 'memory', rss, peakRss, peakArrayBuffers }  (peaks since the last ask)
 *      { op: 'close' }                                  -> closeLogger, { op: 'closed', flushed }, exit 0
 */
import { setImmediate } from 'node:timers';
import { pathToFileURL } from 'node:url';

const { createLogger, closeLogger } = await import(pathToFileURL(process.env.LJ_MIDDLEWARE).href);
const logger = createLogger(JSON.parse(process.env.LJ_LOGGER_OPTIONS ?? '{}'));

// Memory sampled between messages and after each chunk of lines: the process's RSS (this thread, the transport's
// worker and native memory), and this thread's ArrayBuffers, where pino's thread-stream queues lines the worker
// has not taken yet.
let peakRss = 0;
let peakArrayBuffers = 0;
const sampleRss = () => {
  const { rss, arrayBuffers } = process.memoryUsage();
  if (rss > peakRss) peakRss = rss;
  if (arrayBuffers > peakArrayBuffers) peakArrayBuffers = arrayBuffers;
  return rss;
};
sampleRss();
const sampler = setInterval(sampleRss, 20);
sampler.unref();

/**
 * A wrong clock is how lines end up days old or hours ahead: pino stamps `time` with Date.now(), so the skew is
 * applied to this thread's clock only while the lines are written (the transport's worker keeps the real clock).
 */
function withClockSkew(skewMs, write) {
  if (!skewMs) return write();
  const realNow = Date.now;
  Date.now = () => realNow() + skewMs;
  try {
    return write();
  } finally {
    Date.now = realNow;
  }
}

process.on('message', async (message) => {
  if (message.op === 'log') {
    const pad = message.pad ? 'x'.repeat(message.pad) : undefined;
    const end = message.from + message.count;
    // `chunk` lines per event-loop turn, like a server writing between requests: pino's thread-stream hands lines
    // to the worker only when this thread yields, and holds everything written before that in this thread's memory.
    const chunk = message.chunk ?? message.count;
    for (let first = message.from; first < end; first += chunk) {
      withClockSkew(message.skewMs, () => {
        for (let seq = first; seq < Math.min(end, first + chunk); seq++) {
          logger.info(pad === undefined ? { seq } : { seq, pad }, message.msg ?? 'delivery line');
        }
      });
      sampleRss();
      if (first + chunk < end) await new Promise((resolve) => setImmediate(resolve));
    }
    process.send({ op: 'logged', rss: sampleRss() });
  } else if (message.op === 'memory') {
    const rss = sampleRss();
    process.send({ op: 'memory', rss, peakRss, peakArrayBuffers });
    peakRss = 0;
    peakArrayBuffers = 0;
    sampleRss();
  } else if (message.op === 'close') {
    clearInterval(sampler);
    const { flushed } = await closeLogger(logger, 20_000);
    process.send({ op: 'closed', flushed }, () => process.exit(0));
  }
});

// The test went away (failed half-way): do not linger.
process.once('disconnect', () => process.exit(4));
process.send({ op: 'ready' });
