// Types for the jslib modules the scripts import by URL. k6 fetches them at run time; tsc (offline, CI) only needs
// their shape, declared here.
declare module 'https://jslib.k6.io/k6-summary/0.1.0/index.js' {
  export interface TextSummaryOptions {
    indent?: string;
    enableColors?: boolean;
  }
  export function textSummary(data: object, options?: TextSummaryOptions): string;
  export function jUnit(data: object, options?: object): string;
}

// k6's runtime provides `console` (its messages go to k6's log); @types/k6 does not declare it and the ES lib does
// not either (it is a DOM/Node global).
declare const console: {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
};
