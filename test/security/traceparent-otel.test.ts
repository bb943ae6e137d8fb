/**
 * traceparent with a test-only OpenTelemetry SDK: tracer provider + W3C propagator + async context manager.
 * - No HTTP server instrumentation (no span active when the request reaches the middleware): a valid traceparent
 *   continues the caller's trace: lines carry its trace_id (no span_id: the caller's span is not ours), spans the
 *   app starts are children of the caller's span, propagationHeaders() passes the traceparent on.
 * - With a server span active (what the SDK's HTTP instrumentation does): that span's ids win.
 * - An invalid traceparent is never extracted: the lines are flagged, the app's spans start a new trace.
 * (Its own file: registering a global provider is process-wide, and vitest runs each file in its own process.)
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorLogging, getLogger, propagationHeaders, requestLogging } from '../../middleware/index.js';
import { EVENTS, FIELDS } from '../../middleware/schema.js';
import { listen } from '../integration/middleware/helpers.js';
import type { Running } from '../integration/middleware/helpers.js';
import { reportFigure } from '../reliability/support/figure-line.js';
import { strictLogger } from './support/strict-capture.js';
import type { Line, StrictCapture } from './support/strict-capture.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${PARENT}-01`;
const UPPERCASE = `00-${TRACE.toUpperCase()}-${PARENT}-01`;

const exporter = new InMemorySpanExporter();
const tracer = () => trace.getTracer('logjam-security-test');

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
});

afterAll(() => {
  trace.disable();
  propagation.disable();
  context.disable();
});

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
  exporter.reset();
});

/** The app: optionally a server span per request (playing the SDK's HTTP instrumentation), then logjam. */
async function start(serverSpan: boolean): Promise<{ capture: StrictCapture; outbound: () => Record<string, string> }> {
  const { logger, capture } = strictLogger();
  const app = express();
  if (serverSpan) {
    app.use((req, res, next) => {
      const parent = propagation.extract(context.active(), req.headers);
      tracer().startActiveSpan('GET /work', {}, parent, (span) => {
        res.on('close', () => span.end());
        next();
      });
    });
  }
  app.use(requestLogging({ logger }));
  let outbound: Record<string, string> = {};
  app.get('/work', (_req, res) => {
    getLogger().info('before app span');
    outbound = propagationHeaders();
    tracer().startActiveSpan('app work', (span) => {
      getLogger().info('in app span');
      span.end();
    });
    res.send('ok');
  });
  app.use(errorLogging());
  running = await listen(app);
  return { capture, outbound: () => outbound };
}

async function get(capture: StrictCapture, requestId: string, traceparent: string): Promise<Line[]> {
  await (await fetch(`${running?.url}/work`, { headers: { 'x-request-id': requestId, traceparent } })).text();
  await capture.waitFor((l) => l[FIELDS.event] === EVENTS.requestFinish && l[FIELDS.requestId] === requestId);
  const lines = capture.forRequest(requestId);
  expect(lines.length).toBe(4);
  return lines;
}

const byMsg = (lines: Line[], msg: string) => lines.find((l) => l[FIELDS.msg] === msg) as Line;
const spanNamed = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name);
const MIDDLEWARE_AND_APP = ['request start', 'before app span', 'request finish'];

describe('traceparent with an OpenTelemetry SDK and the W3C propagator', () => {
  it('without server instrumentation: a valid traceparent continues the trace; its span id is never logged as ours', async () => {
    const { capture, outbound } = await start(false);
    const lines = await get(capture, 'otel-continue', VALID);
    for (const msg of MIDDLEWARE_AND_APP) {
      const line = byMsg(lines, msg);
      expect(line[FIELDS.traceId], msg).toBe(TRACE);
      expect(line[FIELDS.spanId], msg).toBeUndefined();
      expect(line[FIELDS.traceparentRejected], msg).toBeUndefined();
    }
    const appSpan = spanNamed('app work');
    expect(appSpan?.spanContext().traceId).toBe(TRACE);
    expect(appSpan?.parentSpanContext?.spanId).toBe(PARENT);
    expect(byMsg(lines, 'in app span')).toMatchObject({ [FIELDS.traceId]: TRACE, [FIELDS.spanId]: appSpan?.spanContext().spanId });
    expect(outbound().traceparent).toBe(VALID);
    reportFigure('traceparent-otel', `no server span: trace_id ${lines[0]?.[FIELDS.traceId] === TRACE ? '=' : '!='} inbound; app span parent = inbound parent-id; span_id absent on middleware lines`);
  });

  it('with a server span active: its trace id (the inbound one) and its own span id', async () => {
    const { capture, outbound } = await start(true);
    const lines = await get(capture, 'otel-server-span', VALID);
    const server = spanNamed('GET /work');
    expect(server?.spanContext().traceId).toBe(TRACE);
    expect(server?.parentSpanContext?.spanId).toBe(PARENT);
    for (const msg of MIDDLEWARE_AND_APP) {
      expect(byMsg(lines, msg), msg).toMatchObject({ [FIELDS.traceId]: TRACE, [FIELDS.spanId]: server?.spanContext().spanId });
    }
    expect(outbound().traceparent).toBe(`00-${TRACE}-${server?.spanContext().spanId}-01`);
  });

  it('an invalid traceparent is flagged and not continued, with or without a server span', async () => {
    const plain = await start(false);
    const lines = await get(plain.capture, 'otel-invalid', UPPERCASE);
    for (const line of lines) expect(line[FIELDS.traceparentRejected]).toBe(true);
    for (const msg of MIDDLEWARE_AND_APP) expect(byMsg(lines, msg)[FIELDS.traceId], msg).toBeUndefined();
    const appSpan = spanNamed('app work');
    expect(appSpan?.parentSpanContext).toBeUndefined();
    expect(appSpan?.spanContext().traceId).not.toBe(TRACE);
    expect(byMsg(lines, 'in app span')[FIELDS.traceId]).toBe(appSpan?.spanContext().traceId);
    expect(plain.outbound().traceparent).toBeUndefined();
    expect(plain.capture.text().includes(TRACE.toUpperCase())).toBe(false);
    await running?.close();
    exporter.reset();

    const instrumented = await start(true);
    const withSpan = await get(instrumented.capture, 'otel-invalid-span', UPPERCASE);
    const server = spanNamed('GET /work');
    expect(server?.parentSpanContext).toBeUndefined(); // the propagator refused it too: a new root trace
    for (const line of withSpan) expect(line[FIELDS.traceparentRejected]).toBe(true);
    expect(byMsg(withSpan, 'request start')).toMatchObject({ [FIELDS.traceId]: server?.spanContext().traceId, [FIELDS.spanId]: server?.spanContext().spanId });
  });
});
