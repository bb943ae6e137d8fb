/**
 * OpenTelemetry correlation: with no SDK registered nothing is added; with a test-only tracer provider and an
 * active span, trace_id/span_id appear on the request's lines and traceparent in propagationHeaders().
 * (Its own file: registering a global provider is process-wide, and vitest runs each file in its own process.)
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { EVENTS, getLogger, propagationHeaders, requestLogging } from '../../../middleware/index.js';
import { captureLogger, listen } from './helpers.js';

/** An app where an outer middleware plays the HTTP server instrumentation: one active span per request. */
async function start() {
  const { logger, capture } = captureLogger();
  const app = express();
  const tracer = trace.getTracer('logjam-test');
  app.use((_req, res, next) => {
    tracer.startActiveSpan('GET', (span) => {
      res.on('close', () => span.end());
      next();
    });
  });
  app.use(requestLogging({ logger }));
  let seen: { headers: Record<string, string>; inner?: string } | undefined;
  app.get('/traced', (_req, res) => {
    getLogger().info('in handler');
    const headers = propagationHeaders();
    tracer.startActiveSpan('inner work', (inner) => {
      getLogger().info('in inner span');
      seen = { headers, inner: inner.spanContext().spanId };
      inner.end();
    });
    res.send('ok');
  });
  const server = await listen(app);
  return { capture, server, seen: () => seen };
}

const contextManager = new AsyncLocalStorageContextManager();
afterAll(() => {
  trace.disable();
  context.disable();
});

describe('OpenTelemetry', () => {
  it('without an SDK: no trace fields, no traceparent, nothing breaks', async () => {
    const { capture, server, seen } = await start();
    try {
      await (await fetch(`${server.url}/traced`, { headers: { 'x-request-id': 'no-otel' } })).text();
      await capture.waitFor((l) => l.event === EVENTS.requestFinish && l.request_id === 'no-otel');
      const lines = capture.forRequest('no-otel');
      expect(lines.length).toBe(4);
      expect(lines.some((l) => 'trace_id' in l || 'span_id' in l)).toBe(false);
      expect(seen()?.headers).toEqual({ 'x-request-id': 'no-otel' });
    } finally {
      await server.close();
    }
  });

  it('with an active span: trace_id/span_id on every line of the request, traceparent for outbound calls', async () => {
    context.setGlobalContextManager(contextManager.enable());
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    const { capture, server, seen } = await start();
    try {
      await (await fetch(`${server.url}/traced`, { headers: { 'x-request-id': 'otel-1' } })).text();
      await capture.waitFor((l) => l.event === EVENTS.requestFinish && l.request_id === 'otel-1');
      const spans = exporter.getFinishedSpans();
      const outer = spans.find((s) => s.name === 'GET')?.spanContext();
      expect(outer).toBeDefined();
      const lines = capture.forRequest('otel-1');
      expect(lines.length).toBe(4);
      const byMsg = (msg: string) => lines.find((l) => l.msg === msg);
      for (const msg of ['request start', 'in handler', 'request finish']) {
        expect(byMsg(msg)).toMatchObject({ trace_id: outer?.traceId, span_id: outer?.spanId });
      }
      expect(outer?.traceId).toMatch(/^[0-9a-f]{32}$/);
      // A span the application started itself: its lines carry that span.
      expect(byMsg('in inner span')).toMatchObject({ trace_id: outer?.traceId, span_id: seen()?.inner });
      expect(seen()?.headers).toEqual({
        'x-request-id': 'otel-1',
        traceparent: `00-${outer?.traceId}-${outer?.spanId}-01`,
      });
    } finally {
      await server.close();
    }
  });
});
