/**
 * One AWS Application Load Balancer access-log line, as the local source hands it to the aggregator (the parser is
 * sources/formats/alb.ts; the join with the app's lines is front-door.ts). Times in epoch ms, durations in ms.
 */

/** The `event` of the line object the aggregator receives for an ALB line (not a logjam schema event). */
export const ALB_EVENT = 'alb.access';

export interface AlbRecord {
  /** http, https, h2, grpcs, ws, wss */
  type: string;
  /** `time`: when the ALB sent the response (or gave up) */
  time: number;
  /** `request_creation_time`: when the ALB received the request; undefined when the line has "-" */
  arrival: number | undefined;
  /** the three processing times in ms; -1 where the ALB logged -1 (it could not dispatch / got no response) */
  requestProcessingMs: number;
  targetProcessingMs: number;
  responseProcessingMs: number;
  /** undefined where the line has "-" */
  elbStatus: number | undefined;
  targetStatus: number | undefined;
  /** false when `target:port` is "-" (no target was chosen: no healthy target, a fixed response, a redirect) */
  hasTarget: boolean;
  method: string;
  /** the request URL's path, without scheme, host, port and query string */
  path: string;
  /** the Root (and Self) of the `trace_id` field: `Root` or `Root;Self`, the key the join uses; undefined: "-" */
  traceKey: string | undefined;
  /** the Root alone, to show */
  traceRoot: string | undefined;
}

/** a type, not an interface: it is passed on as a LogLine (a Record) */
export type AlbLine = {
  time: number;
  event: typeof ALB_EVENT;
  alb: AlbRecord;
};

/** The key both sides join on: Root, plus Self when the ALB added one (a client that reuses a Root gets a new Self). */
export function traceJoinKey(root: string, self: string | undefined): string {
  return self === undefined ? root : `${root};${self}`;
}
