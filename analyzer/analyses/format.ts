/** Small formatting helpers shared by the analyses' explanations (plain words, stable across renderers). */
export const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusLabel(status: number): string {
  const text = STATUS_TEXT[status];
  return text ? `${status} ${text}` : String(status);
}

// the findings' wording uses the shared formats (common/format.ts): "33%" of a whole, "850 ms"
export { formatPercent as pct, formatMs as ms } from '../../common/format.js';

export function statusList(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s} × ${n}`)
    .join(', ');
}

/** Up to `limit` distinct ids, in order. */
export function examples(ids: Iterable<string>, limit = 3): string[] {
  const out: string[] = [];
  for (const id of ids) {
    if (!out.includes(id)) out.push(id);
    if (out.length >= limit) break;
  }
  return out;
}
