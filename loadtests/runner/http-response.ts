import type { NoResponseReason } from './types.js';

/**
 * The runner's equivalent of k6's Response. Like k6's, it has no `id` property: the lab's buggy script reads
 * `request.id` and gets `undefined`, and the Node runner reproduces that exactly (see scenarios/).
 */
export class HttpResponse {
  constructor(
    readonly method: string,
    readonly url: string,
    /** 0 when there was no response (k6 does the same) */
    readonly status: number,
    readonly headers: Readonly<Record<string, string | string[] | undefined>>,
    readonly body: string,
    readonly timings: { readonly duration: number },
    /** '' when there was a response; otherwise the reason in words, like k6's `error` */
    readonly error: string,
    readonly noResponseReason?: NoResponseReason,
  ) {}

  /** Parses the body as JSON; throws on an empty or invalid body, like k6's r.json(). */
  json(): unknown {
    return JSON.parse(this.body);
  }
}
