/**
 * Where `http`, `check`, `sleep` and `group` find the VU they belong to: an AsyncLocalStorage holding the current
 * iteration's Vu, set by the runner around every call of a scenario function. It lives on globalThis under a
 * registered symbol, not in a module variable, so that every copy of this module (the package's own, the one a
 * scenario file resolves `logjam/load` to, a test's TypeScript source) shares one store.
 *
 * k6's globals come from here too: `__ENV` (the run's --env values and the scenario's env), `__VU`, `__ITER`
 * (0 outside an iteration, as in k6's init code).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Vu } from '../runner/types.js';

export interface IterationContext {
  vu: Vu;
  env: Readonly<Record<string, string>>;
}

interface Runtime {
  storage: AsyncLocalStorage<IterationContext>;
  /** __ENV outside an iteration (init code, setup, teardown) */
  env: Record<string, string>;
}

const KEY = Symbol.for('logjam.load.runtime');

export function runtime(): Runtime {
  const g = globalThis as unknown as Record<symbol, Runtime | undefined>;
  let rt = g[KEY];
  if (!rt) {
    rt = { storage: new AsyncLocalStorage<IterationContext>(), env: {} };
    g[KEY] = rt;
    installGlobals(rt);
  }
  return rt;
}

function installGlobals(rt: Runtime): void {
  const define = (name: string, get: () => unknown): void => {
    Object.defineProperty(globalThis, name, { get, configurable: true, enumerable: false });
  };
  define('__ENV', () => rt.storage.getStore()?.env ?? rt.env);
  define('__VU', () => rt.storage.getStore()?.vu.globalId ?? 0);
  define('__ITER', () => rt.storage.getStore()?.vu.iteration ?? 0);
}

export function currentVu(what: string): Vu {
  const context = runtime().storage.getStore();
  if (!context) {
    throw new Error(`${what} can only be called inside a scenario function (an iteration), not in init code, setup or teardown`);
  }
  return context.vu;
}
