/**
 * Loads a scenario file (JavaScript or TypeScript) as an ES module, on every supported Node version.
 *
 * Module hooks (node:module register(), Node ≥ 20.6) do two things for the scenario and the files it imports:
 *  - `logjam/load` resolves to a tiny facade over the running runner's API (found on globalThis), so a scenario
 *    file works wherever it lives — no node_modules next to it needed — and every copy shares the runner's state;
 *  - `.ts`/`.mts` files are type-stripped with amaro, the same stripper Node itself uses for
 *    --experimental-strip-types (Node 22.6+) and by default on Node 23.6+/24: one behaviour on every Node, types
 *    replaced by blanks so line and column numbers in errors stay those of the file. Only erasable syntax
 *    (no enum, no namespace with values, no parameter properties), exactly Node's rule.
 * A `./helper.js` import that does not exist but `./helper.ts` does resolves to the .ts (the TypeScript habit).
 */
import { existsSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../../common/errors.js';

export const API_GLOBAL = 'logjam.load.api';

const FACADE = `const api = globalThis[Symbol.for(${JSON.stringify(API_GLOBAL)})];
if (!api) throw new Error('logjam/load: import it from a scenario file run by logjam load or runLoad()');
export const { http, check, sleep, group, fail } = api;
export default api;
`;

const HOOKS = `
let amaroUrl;
let facadeUrl;
let amaro;
export async function initialize(data) { amaroUrl = data.amaroUrl; facadeUrl = data.facadeUrl; }
export async function resolve(specifier, context, next) {
  if (specifier === 'logjam/load') return { url: facadeUrl, shortCircuit: true };
  try {
    return await next(specifier, context);
  } catch (err) {
    if (/^\\.{1,2}\\//.test(specifier) && specifier.endsWith('.js') && context.parentURL && context.parentURL.startsWith('file:')) {
      const { existsSync } = await import('node:fs');
      const candidate = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
      if (existsSync(candidate)) return { url: candidate.href, shortCircuit: true };
    }
    throw err;
  }
}
export async function load(url, context, next) {
  if (url.startsWith('file:') && /\\.m?ts$/.test(new URL(url).pathname)) {
    const { readFile } = await import('node:fs/promises');
    amaro ??= (await import(amaroUrl)).default;
    const source = await readFile(new URL(url), 'utf8');
    let code;
    try {
      code = amaro.transformSync(source, { mode: 'strip-only' }).code;
    } catch (err) {
      const e = new SyntaxError((err && err.message ? err.message : String(err)).split('\\n')[0]);
      e.logjamFile = url;
      throw e;
    }
    return { format: 'module', source: code, shortCircuit: true };
  }
  return next(url, context);
}
`;

let registered = false;

function registerHooks(): void {
  if (registered) return;
  const amaroPath = createRequire(import.meta.url).resolve('amaro');
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
    data: { amaroUrl: pathToFileURL(amaroPath).href, facadeUrl: `data:text/javascript,${encodeURIComponent(FACADE)}` },
  });
  registered = true;
}

// A real import(), out of reach of bundlers and test runners that rewrite `import()` (vitest does), so the file
// goes through Node's loader and the hooks above.
const nativeImport = new Function('url', 'return import(url)') as (url: string) => Promise<Record<string, unknown>>;

const shown = (path: string): string => relative(process.cwd(), path) || path;

/** "file.ts:12" for the first stack frame in the user's code (not in the runner, not in node_modules). */
export function locateInStack(stack: string | undefined, ownDirs: readonly string[] = RUNNER_DIRS): string | undefined {
  if (!stack) return undefined;
  // a SyntaxError from the ESM loader starts with "file:///path/to/x.ts:3" on a line of its own
  const head = /^(file:\/\/[^\s]+?):(\d+)\s*$/m.exec(stack.split('\n')[0] ?? '');
  if (head) return `${shown(fileURLToPath(head[1]!))}:${head[2]}`;
  for (const match of stack.matchAll(/(file:\/\/[^\s)]+?|\/[^\s():]+):(\d+):(\d+)/g)) {
    let path = match[1]!;
    if (path.startsWith('file:')) path = fileURLToPath(path);
    if (path.includes('/node_modules/') || ownDirs.some((dir) => path.startsWith(dir))) continue;
    return `${shown(path)}:${match[2]}`;
  }
  return undefined;
}

const here = fileURLToPath(new URL('.', import.meta.url));
/** this folder and the runner's: frames there are logjam's, not the scenario's */
const RUNNER_DIRS = [here, resolvePath(here, '..', 'runner') + '/'];

export function locateError(err: unknown): string | undefined {
  return locateInStack(err instanceof Error ? err.stack : undefined);
}

/** Imports the scenario file; a missing file, a syntax error or a throw in its init code is a UsageError. */
export async function importScenarioFile(file: string): Promise<Record<string, unknown>> {
  const path = resolvePath(file);
  if (!existsSync(path)) throw new UsageError(`scenario file ${file.slice(0, 200)} does not exist`);
  if (!/\.(m?js|m?ts)$/.test(path)) throw new UsageError(`scenario file ${file.slice(0, 200)} must be .js, .mjs, .ts or .mts`);
  registerHooks();
  const url = pathToFileURL(path).href;
  try {
    try {
      return await nativeImport(url);
    } catch (err) {
      // inside a vm context without an import callback (vitest's module runner): its own import(), which the
      // runner resolves (vitest.config.ts maps logjam/load)
      if ((err as { code?: string }).code !== 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING') throw err;
      return (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
    }
  } catch (err) {
    const e = err as Error & { logjamFile?: string };
    const where = e.logjamFile ? shown(fileURLToPath(e.logjamFile)) : (locateError(err) ?? shown(path));
    const what = err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err);
    throw new UsageError(`cannot load scenario file ${where}: ${what.slice(0, 300)}`, 'fix the scenario file and run again');
  }
}
