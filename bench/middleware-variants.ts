/** The middleware benchmark's variants and routes (shared by the driver and the server processes). */
export const VARIANTS = ['bare express', 'logjam start+finish', 'logjam finish only', 'pino-http', 'logjam baseline'] as const;
/** Measured unless asked otherwise: `--finish-only` adds 'logjam finish only', `--baseline <path>` 'logjam baseline'. */
export const DEFAULT_VARIANTS = ['bare express', 'logjam start+finish', 'pino-http'] as const;
/** The environment variable that gives a 'logjam baseline' server the other build's dist/middleware/index.js. */
export const BASELINE_ENV = 'LOGJAM_BENCH_BASELINE';
export type VariantName = (typeof VARIANTS)[number];
export const ROUTES = { hello: '/hello', json: '/todo', todos: '/todos' } as const;
export type RouteName = keyof typeof ROUTES;
/** `file`: each variant logs through its file destination; otherwise (the default) through stdout, its default one. */
export const DESTINATION_ENV = 'LOGJAM_BENCH_DESTINATION';
