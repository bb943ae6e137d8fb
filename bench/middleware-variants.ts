/** The middleware benchmark's variants and routes (shared by the driver and the server processes). */
export const VARIANTS = ['bare express', 'logjam start+finish', 'logjam finish only', 'pino-http'] as const;
export type VariantName = (typeof VARIANTS)[number];
export const ROUTES = { hello: '/hello', json: '/todo', todos: '/todos' } as const;
export type RouteName = keyof typeof ROUTES;
