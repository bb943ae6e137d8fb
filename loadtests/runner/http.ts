/**
 * The runner's HTTP client: one undici Agent for the run (a connection pool per origin, sized so every VU can
 * have its request in flight, like k6 where each VU has its own connection), a total per-request timeout, and
 * k6's behaviour on failure: a network error is not thrown, it is a response with status 0 and an `error`.
 * The only thing that throws is the VU's own interruption (graceful stop expired, Ctrl-C), and such a request is
 * not measured — it was cut off by the runner, not failed by the server.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { CLIENT_REQUEST_ID_HEADER, clientRequestId } from '../../common/client-log.js';
import { isValidId } from '../../middleware/schema.js';
import type { ClientRequestFacts } from './client-log.js';
import { HttpResponse } from './http-response.js';
import type { NoResponseReason } from './types.js';

export interface RequestOutcome {
  durationMs: number;
  status: number;
  noResponse?: NoResponseReason;
  /** the request's tags (k6's name, method, status, plus the script's own): thresholds and guards read them */
  tags: Readonly<Record<string, string>>;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** k6's tags; `name` defaults to the URL without its query string, as in k6 */
  tags?: Readonly<Record<string, string>>;
  /** this request's timeout; default the run's */
  timeoutMs?: number;
  /** told about the request once it is over, cut off included (the client request log) */
  onDone?: (facts: ClientRequestFacts, response: HttpResponse | undefined) => void;
}

export interface HttpClientOptions {
  runId: string;
  timeoutMs: number;
  /** upper bound of requests in flight per origin: the run's total VUs */
  maxConnections: number;
  /** called once per finished (not interrupted) request */
  onRequest(outcome: RequestOutcome): void;
  onInterrupted(): void;
}

/** Thrown (and only thrown) when the iteration's signal stops a request. */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted by the runner');
    this.name = 'InterruptedError';
  }
}

const USER_AGENT = 'logjam-load/0.1.0';
const TIMED_OUT = Symbol('request timeout');

function errorCode(err: unknown): string | undefined {
  // undici wraps socket errors: the errno code may be on the error or on its cause.
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET' && code !== 'UND_ERR_ABORTED') return code;
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Why a request got no response, from the error undici gave (pure; exported for tests). */
export function classifyNoResponse(err: unknown, timedOut: boolean): NoResponseReason {
  if (timedOut) return 'timeout';
  const code = errorCode(err);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET': // "other side closed": the server dropped the connection mid-request
      return 'reset';
    default:
      return 'other';
  }
}

/**
 * The script's headers without its X-Request-Id (any case), and that id when it is valid: the script's own
 * correlation wins over ours; an invalid one (which the middleware would replace anyway) is replaced by ours.
 */
function splitRequestId(headers: Record<string, string> | undefined): { own?: string; rest?: Record<string, string> } {
  if (!headers) return {};
  let own: string | undefined;
  let rest: Record<string, string> | undefined;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== CLIENT_REQUEST_ID_HEADER) continue;
    if (isValidId(headers[key])) own = headers[key];
    rest ??= { ...headers };
    delete rest[key];
  }
  return { own, rest: rest ?? headers };
}

export class HttpClient {
  private readonly agent: Agent;
  /** random per client (per run), so ids from two runs or two load generators never collide */
  private readonly idPrefix = `lj${randomBytes(5).toString('hex')}`;
  private sequence = 0;

  constructor(private readonly options: HttpClientOptions) {
    this.agent = new Agent({
      connections: Math.max(1, options.maxConnections),
      connect: { timeout: options.timeoutMs },
      // Our own timer bounds the whole request; these only stop undici's shorter defaults from firing first.
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  async request(
    method: string,
    url: string,
    body: string | null,
    requestOptions: RequestOptions,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    if (signal.aborted) throw new InterruptedError();
    const { onDone } = requestOptions;
    const { own, rest: headers } = splitRequestId(requestOptions.headers);
    // every request carries a client-made id the server logs as its request_id: the join key of the client log
    const requestId = own ?? clientRequestId(this.idPrefix, ++this.sequence);
    const timeoutMs = requestOptions.timeoutMs ?? this.options.timeoutMs;
    const baseTags = { name: requestOptions.tags?.name ?? url.split('?')[0]!, method, ...requestOptions.tags };
    const controller = new AbortController();
    const onStop = (): void => controller.abort(new InterruptedError());
    signal.addEventListener('abort', onStop, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(TIMED_OUT);
    }, timeoutMs);
    const started = performance.now();
    // the wall clock, like the server's line times: performance.timeOrigin + now() drifts from it as a process ages
    const startedAt = Date.now();
    const facts = (durationMs: number, status: number, error?: ClientRequestFacts['error']): ClientRequestFacts => ({
      id: requestId,
      name: baseTags.name,
      method,
      url,
      start: startedAt,
      durationMs,
      status,
      ...(error ? { error } : {}),
    });
    try {
      const res = await request(url, {
        method: method as 'GET',
        headers: { 'user-agent': USER_AGENT, ...headers, [CLIENT_REQUEST_ID_HEADER]: requestId, 'x-run-id': this.options.runId },
        body: body ?? undefined,
        dispatcher: this.agent,
        signal: controller.signal,
      });
      const text = await res.body.text();
      const durationMs = performance.now() - started;
      this.options.onRequest({ durationMs, status: res.statusCode, tags: { ...baseTags, status: String(res.statusCode) } });
      const response = new HttpResponse(method, url, res.statusCode, res.headers, text, { duration: durationMs }, '');
      onDone?.(facts(durationMs, res.statusCode), response);
      return response;
    } catch (err) {
      if (signal.aborted && !timedOut) {
        this.options.onInterrupted();
        onDone?.(facts(performance.now() - started, 0, 'interrupted'), undefined);
        throw new InterruptedError();
      }
      const durationMs = performance.now() - started;
      const reason = classifyNoResponse(err, timedOut);
      this.options.onRequest({ durationMs, status: 0, noResponse: reason, tags: { ...baseTags, status: '0' } });
      const words = timedOut ? `request timeout after ${timeoutMs} ms` : describe(err);
      const response = new HttpResponse(method, url, 0, {}, '', { duration: durationMs }, words, reason);
      onDone?.(facts(durationMs, 0, reason), response);
      return response;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onStop);
    }
  }

  async close(): Promise<void> {
    // destroy, not close: at the end of a run, requests still hanging on a silent server must not hold us up.
    await this.agent.destroy();
  }
}

function describe(err: unknown): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return code ? `${code}: ${message}` : message;
}
