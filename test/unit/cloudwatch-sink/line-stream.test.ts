/**
 * The transport's worker-side stream: thread-stream hands it arbitrary slices of the app's output, so lines arrive
 * torn across chunks, several per chunk, with or without CRLF, and the last may have no newline.
 */
import { describe, expect, it } from 'vitest';
import { lineStream } from '../../../middleware/sinks/cloudwatch/line-stream.js';

function collect() {
  const lines: string[] = [];
  const calls: number[] = [];
  let closed = 0;
  const stream = lineStream(
    (chunkLines) => {
      calls.push(chunkLines.length);
      lines.push(...chunkLines);
    },
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      closed++;
    },
  );
  return { stream, lines, calls, closed: () => closed };
}

const finished = (stream: NodeJS.WritableStream) => new Promise<void>((resolve) => stream.once('close', () => resolve()));

describe('CloudWatch transport line stream', () => {
  it('cuts chunks into whole lines: torn lines joined, CRLF trimmed, a last line without newline kept', async () => {
    const { stream, lines, calls, closed } = collect();
    const done = finished(stream);
    stream.write('{"a":1}\n{"b":');
    stream.write('2}\r\n{"c":"é');
    stream.write('ü"}\n\n{"d":4}\n{"tail":true}');
    stream.end();
    await done;
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":"éü"}', '', '{"d":4}', '{"tail":true}']);
    // one handler call per chunk that completed a line (not one per line), and one for the tail at end()
    expect(calls).toEqual([1, 1, 3, 1]);
    // 'close' (what thread-stream waits for before the worker exits) comes after the close work has finished
    expect(closed()).toBe(1);
  });

  it('a chunk without a newline delivers nothing until its line ends', async () => {
    const { stream, lines } = collect();
    stream.write('{"long":"');
    stream.write('x'.repeat(1000));
    expect(lines).toEqual([]);
    stream.write('"}\n');
    expect(lines).toEqual([`{"long":"${'x'.repeat(1000)}"}`]);
    const done = finished(stream);
    stream.end();
    await done;
  });
});
