/**
 * The full route template of a matched route (`/t/:tenant/boom`), mount paths included, as TEMPLATES: req.baseUrl
 * holds the concrete mount path (`/t/acme`), and Express restores it to the parent's once the request leaves a
 * router, so the error path (errorLogging, mounted on the app) saw `/boom` while the success path saw `/t/acme/boom`.
 * The template is found once per Route object by walking the app's router stack down to it (each layer keeps the
 * pattern it was registered with), then cached: the per-request cost is one WeakMap lookup.
 */

interface LayerLike {
  rawPath?: unknown;
  route?: unknown;
  handle?: { stack?: unknown };
}

/** Routers nested deeper than this are not walked (a router mounted inside itself must not loop). */
const MAX_DEPTH = 16;
/** null: the route is reachable under more than one mount template (or a non-string pattern): no single answer. */
const cache = new WeakMap<object, string | null>();

function joinTemplate(base: string, path: string): string {
  if (base === '') return path;
  return path === '/' ? base : base + path;
}

function collect(stack: unknown, route: object, base: string, depth: number, found: Set<string>, seen: Set<unknown>): void {
  if (!Array.isArray(stack) || depth > MAX_DEPTH || seen.has(stack)) return;
  seen.add(stack);
  for (const layer of stack as LayerLike[]) {
    if (layer.route === route) {
      const path = (route as { path?: unknown }).path;
      found.add(joinTemplate(base, typeof path === 'string' ? path : String(path)));
      continue;
    }
    const inner = layer.handle?.stack;
    if (!Array.isArray(inner)) continue;
    if (typeof layer.rawPath !== 'string') {
      // A RegExp or array mount path has no one template: mark the route ambiguous if it lives below.
      const below = new Set<string>();
      collect(inner, route, base, depth + 1, below, seen);
      if (below.size > 0) found.add('\0ambiguous');
      continue;
    }
    collect(inner, route, layer.rawPath === '/' ? base : base + layer.rawPath, depth + 1, found, seen);
  }
  seen.delete(stack);
}

/** The template of `route` inside `appRouter`, or undefined when it cannot be told (not found, or several). */
export function mountedRouteTemplate(appRouter: unknown, route: object): string | undefined {
  const cached = cache.get(route);
  if (cached !== undefined) return cached ?? undefined;
  const found = new Set<string>();
  collect((appRouter as { stack?: unknown } | undefined)?.stack, route, '', 0, found, new Set());
  const template = found.size === 1 && !found.has('\0ambiguous') ? [...found][0]! : null;
  // Only a definite answer is cached: a route not found yet may be mounted later (app.use after the first request).
  if (template !== null || found.size > 1) cache.set(route, template);
  return template ?? undefined;
}
