/** KNOB_ROUTE: the slowness knobs on one route only — which requests it names, and what the config accepts. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../sample-app/config.js';
import { routeMatches } from '../../../sample-app/knobs.js';

describe('KNOB_ROUTE', () => {
  it('names requests by method and route template (`:name` = one segment)', () => {
    expect(routeMatches('GET /api/v1/todos/:id', 'GET', '/api/v1/todos/42')).toBe(true);
    expect(routeMatches('GET /api/v1/todos/:id', 'GET', '/api/v1/todos/42/')).toBe(true);
    expect(routeMatches('GET /api/v1/todos/:id', 'PUT', '/api/v1/todos/42')).toBe(false);
    expect(routeMatches('GET /api/v1/todos/:id', 'GET', '/api/v1/todos')).toBe(false);
    expect(routeMatches('GET /api/v1/todos/:id', 'GET', '/api/v1/todos/42/x')).toBe(false);
    expect(routeMatches('GET /api/v1/todos', 'GET', '/api/v1/todos')).toBe(true);
  });

  it('is parsed into the knobs, and a value that is not `METHOD /template` is refused with a clear message', () => {
    expect(parseConfig({ KNOB_ROUTE: 'GET  /api/v1/todos/:id', SLOW_QUERY_MS: '50' }).knobs).toMatchObject({ route: 'GET /api/v1/todos/:id', slowQueryMs: 50 });
    expect(parseConfig({}).knobs.route).toBeUndefined();
    expect(() => parseConfig({ KNOB_ROUTE: '/api/v1/todos' })).toThrow(ConfigError);
    expect(() => parseConfig({ KNOB_ROUTE: 'get /api/v1/todos' })).toThrow(/KNOB_ROUTE must be a method and a route template/);
  });
});
