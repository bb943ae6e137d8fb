/**
 * The CloudWatch benchmark's endpoint, in a worker thread of its own: the fake CloudWatch server parses and checks
 * every 1 MB call, and on the writer's thread that work would be counted as the app's cost per line and would cap
 * the throughput the transport is measured at. Messages: 'count' → delivered events so far; 'cpu' → this thread's
 * CPU time (ns); { calls: marker } → one entry per PutLogEvents answered (status, events, bytes as
 * AWS counts them, whether a message contains `marker`); 'close'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startFakeCloudWatch } from '../test/support/fake-cloudwatch/server.js';
import { threadCpuNs } from './thread-cpu.js';

export interface EndpointCall {
  status: number;
  events: number;
  /** message UTF-8 bytes + 26 per event */
  bytes: number;
  /** events of this call that are the sink's own `log.dropped` reports */
  dropReports: number;
  /** the call holds the line asked about (the last line of the burst: calls may land out of order) */
  holdsMarker: boolean;
}

const { group, stream } = workerData as { group: string; stream: string };
const port = parentPort!;
const fake = await startFakeCloudWatch();

port.on('message', (message: string | { calls: string }) => {
  if (message === 'count') {
    port.postMessage({ count: fake.store.groups.get(group)?.streams.get(stream)?.length ?? 0 });
  } else if (message === 'cpu') {
    port.postMessage({ cpu: threadCpuNs() });
  } else if (typeof message === 'object') {
    const marker = message.calls;
    const calls: EndpointCall[] = fake.calls
      .filter((c) => c.op === 'PutLogEvents')
      .map((c) => {
        const events = ((c.body as { logEvents?: { message: string }[] } | undefined)?.logEvents ?? []);
        let bytes = 0;
        let dropReports = 0;
        let holdsMarker = false;
        for (const e of events) {
          bytes += Buffer.byteLength(e.message, 'utf8') + 26;
          if (e.message.includes('"log.dropped"')) dropReports++;
          if (marker !== '' && e.message.includes(marker)) holdsMarker = true;
        }
        return { status: c.status, events: events.length, bytes, dropReports, holdsMarker };
      });
    port.postMessage({ calls });
  } else if (message === 'close') {
    void fake.close().then(() => port.close());
  }
});
port.postMessage({ url: fake.url });
