/**
 * Guard rails a load tool owes its user, watched while the run goes and reported in the summary:
 *
 *  - EndpointGuard: most responses of one request name are 4xx (404 above all) — the test is hammering a wrong
 *    URL, not measuring the service. Warned as soon as a name has MIN_RESPONSES answers, so within the first
 *    seconds, not after a 30-minute run.
 *  - GeneratorMonitor: the load generator itself is saturated (its event-loop delay, its CPU). Then the measured
 *    latencies include time the runner spent queued behind itself: they are the generator's, not the service's.
 *
 * Both are bounded: at most MAX_NAMES request names are tracked (the rest are counted under "(other)").
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import type { SummaryClientError, SummaryGeneratorHealth } from '../k6-summary.js';
import type { SampleSink } from './metrics.js';

const MIN_RESPONSES = 10;
/** "most": more than this share of a name's responses */
const CLIENT_ERROR_SHARE = 0.5;
const MAX_NAMES = 200;
const OTHER = '(other)';

/** The summary's shape is the contract (loadtests/k6-summary.ts); the guard produces exactly it. */
export type ClientErrorWarning = SummaryClientError;

interface NameCounts {
  method: string;
  responses: number;
  status4xx: number;
  status404: number;
  warned: boolean;
}

export class EndpointGuard implements SampleSink {
  private readonly names = new Map<string, NameCounts>();

  constructor(private readonly onWarning?: (warning: ClientErrorWarning) => void) {}

  sample(metric: string, _value: number, tags: Readonly<Record<string, string>>): void {
    if (metric !== 'http_reqs') return;
    const status = Number(tags.status);
    if (!(status > 0)) return; // no response: a different problem, counted in noResponse
    let name = `${tags.method ?? ''} ${tags.name ?? ''}`.trim();
    if (!this.names.has(name) && this.names.size >= MAX_NAMES) name = OTHER;
    let c = this.names.get(name);
    if (!c) {
      c = { method: tags.method ?? '', responses: 0, status4xx: 0, status404: 0, warned: false };
      this.names.set(name, c);
    }
    c.responses++;
    if (status >= 400 && status < 500) c.status4xx++;
    if (status === 404) c.status404++;
    if (!c.warned && c.responses >= MIN_RESPONSES && c.status4xx / c.responses > CLIENT_ERROR_SHARE) {
      c.warned = true;
      this.onWarning?.(this.toWarning(name, c));
    }
  }

  private toWarning(key: string, c: NameCounts): ClientErrorWarning {
    const name = c.method && key.startsWith(`${c.method} `) ? key.slice(c.method.length + 1) : key;
    return { name, method: c.method, responses: c.responses, status4xx: c.status4xx, status404: c.status404, share: c.status4xx / c.responses };
  }

  /** Every name whose responses were mostly 4xx over the whole run. */
  warnings(): ClientErrorWarning[] {
    return [...this.names]
      .filter(([, c]) => c.responses >= MIN_RESPONSES && c.status4xx / c.responses > CLIENT_ERROR_SHARE)
      .map(([key, c]) => this.toWarning(key, c));
  }
}

export function describeClientErrors(w: ClientErrorWarning): string {
  const what = w.status404 > w.status4xx / 2 ? `404 Not Found` : '4xx';
  return (
    `${Math.round(w.share * 100)}% of ${w.responses} responses to ${w.method} ${w.name} are ${what} — is the endpoint right? ` +
    `(check --endpoint / the URL in the scenario)`
  );
}

/** Windows of one second: saturated when the loop lagged this much at p99, or the process used this much CPU. */
const EL_DELAY_P99_LIMIT_MS = 100;
const CPU_LIMIT = 0.9;

export type GeneratorHealth = SummaryGeneratorHealth;

export class GeneratorMonitor {
  private readonly total: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly window: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private timer?: NodeJS.Timeout;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private readonly startCpu = process.cpuUsage();
  private readonly startAt = performance.now();
  private cpuPeak = 0;
  private saturatedSeconds = 0;
  private windows = 0;
  private warned = false;

  constructor(private readonly onSaturated?: (text: string) => void, private readonly windowMs = 1000) {}

  start(): void {
    this.total.enable();
    this.window.enable();
    this.timer = setInterval(() => this.tick(), this.windowMs);
    this.timer.unref();
  }

  private tick(): void {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const share = (cpu.user + cpu.system) / 1000 / Math.max(1, now - this.lastAt);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const p99 = this.window.percentile(99) / 1e6;
    this.window.reset();
    this.windows++;
    this.cpuPeak = Math.max(this.cpuPeak, share);
    if (p99 >= EL_DELAY_P99_LIMIT_MS || share >= CPU_LIMIT) {
      this.saturatedSeconds++;
      if (!this.warned) {
        this.warned = true;
        this.onSaturated?.(
          `the load generator is saturated (event-loop delay p99 ${Math.round(p99)} ms, CPU ${Math.round(share * 100)}% of a core): ` +
            'latencies now include the runner queueing behind itself — lower the load or run the generator on another machine',
        );
      }
    }
  }

  stop(): GeneratorHealth {
    if (this.timer) clearInterval(this.timer);
    this.total.disable();
    this.window.disable();
    const cpu = process.cpuUsage(this.startCpu);
    const elapsed = Math.max(1, performance.now() - this.startAt);
    const count = this.total.count;
    return {
      elDelayP99Ms: count > 0 ? this.total.percentile(99) / 1e6 : 0,
      elDelayMaxMs: count > 0 ? this.total.max / 1e6 : 0,
      cpuMean: (cpu.user + cpu.system) / 1000 / elapsed,
      cpuPeak: this.cpuPeak,
      saturatedSeconds: this.saturatedSeconds,
      windows: this.windows,
      // one bad second is a GC pause; a quarter of the run is a generator problem
      saturated: this.saturatedSeconds >= Math.max(2, Math.ceil(this.windows / 4)),
      limits: { elDelayP99Ms: EL_DELAY_P99_LIMIT_MS, cpu: CPU_LIMIT },
    };
  }
}
