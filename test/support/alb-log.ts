/**
 * Writes AWS Application Load Balancer access-log lines in the documented format (Elastic Load Balancing user
 * guide, "Access log entries": 30 space-separated fields, some double-quoted), for requests a test describes — ALB
 * logs cannot be produced here (no AWS), so tests write them from the requests they made. Also the broken variants
 * a real input has: a line cut short, a value no ALB writes, and a gzip file cut in the middle (S3 delivers
 * `.log.gz` files, one per 5 minutes per ALB node).
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export interface AlbRequest {
  /** request_creation_time: when the ALB received the request (epoch ms) */
  arrival: number;
  /** seconds, as the ALB logs them; -1 where no target answered */
  requestProcessingS: number;
  targetProcessingS: number;
  responseProcessingS: number;
  elbStatus: number;
  /** undefined: "-" (no response from a target) */
  targetStatus?: number;
  /** "ip:port", or undefined for "-" (no target chosen: 503 without a healthy target) */
  target?: string;
  method: string;
  /** the full URL the ALB logs: scheme://host:port/path?query */
  url: string;
  /** the X-Amzn-Trace-Id the ALB forwarded, e.g. "Root=1-67891233-abcdef012345678912345678"; "-" for none */
  traceId: string;
  /** time - request_creation_time in ms; default: the sum of the processing times that are not -1 */
  elapsedMs?: number;
  userAgent?: string;
}

const ELB = 'app/taskoverflow-alb/50dc6c495c0c9188';
const TARGET_GROUP = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/taskoverflow-tg/73e2d6bc24d8a067';

/** ISO time with microseconds, as the ALB writes it: 2026-12-02T00:39:35.123000Z */
export function albTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

const seconds = (s: number) => (s === -1 ? '-1' : s.toFixed(3));
const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/** One line in the documented field order (through conn_trace_id). */
export function albLine(r: AlbRequest): string {
  const parts = [r.requestProcessingS, r.targetProcessingS, r.responseProcessingS].filter((s) => s >= 0);
  const elapsed = r.elapsedMs ?? parts.reduce((a, b) => a + b, 0) * 1000;
  const time = r.arrival + elapsed;
  const https = r.url.startsWith('https:');
  return [
    https ? 'https' : 'http',
    albTime(time),
    ELB,
    '203.0.113.7:52144',
    r.target ?? '-',
    seconds(r.requestProcessingS),
    seconds(r.targetProcessingS),
    seconds(r.responseProcessingS),
    String(r.elbStatus),
    r.targetStatus === undefined ? '-' : String(r.targetStatus),
    '312',
    '1057',
    quote(`${r.method} ${r.url} HTTP/1.1`),
    quote(r.userAgent ?? 'k6/0.54.0 (https://k6.io/)'),
    https ? 'ECDHE-RSA-AES128-GCM-SHA256' : '-',
    https ? 'TLSv1.2' : '-',
    TARGET_GROUP,
    quote(r.traceId),
    quote('api.example.com'),
    quote('-'),
    '1',
    albTime(r.arrival),
    quote('forward'),
    quote('-'),
    quote('-'),
    quote(r.target ?? '-'),
    quote(r.targetStatus === undefined ? '-' : String(r.targetStatus)),
    quote('-'),
    quote('-'),
    'TID_1234abcd5678ef90',
  ].join(' ');
}

/** A line cut short (a partial copy, a file still being written): fewer fields than the format, an open quote. */
export function truncatedAlbLine(r: AlbRequest): string {
  const line = albLine(r);
  return line.slice(0, line.indexOf('"') + 12);
}

/** A line with every field but a value no ALB writes (a processing time that is not a number). */
export function malformedAlbLine(r: AlbRequest): string {
  const fields = albLine(r).split(' ');
  fields[5] = 'fast';
  return fields.join(' ');
}

/** A valid X-Amzn-Trace-Id Root, distinct per n: 1-<epoch seconds, 8 hex>-<24 hex>. */
export function traceRoot(atMs: number, n: number): string {
  return `1-${Math.floor(atMs / 1000).toString(16).padStart(8, '0')}-${n.toString(16).padStart(24, '0')}`;
}

/** Writes lines as S3 delivers them: gzip; `cutBytes` cuts the compressed file (a truncated .gz). */
export function writeAlbLog(path: string, lines: string[], options: { gzip?: boolean; cutBytes?: number; finalNewline?: boolean } = {}): void {
  const text = lines.join('\n') + (options.finalNewline === false ? '' : '\n');
  if (!options.gzip) {
    writeFileSync(path, text);
    return;
  }
  const gz = gzipSync(text);
  writeFileSync(path, options.cutBytes ? gz.subarray(0, gz.length - options.cutBytes) : gz);
}
