/**
 * A scenario module (a file's exports, or an object given to runLoad) -> the runner's ScenarioSpecs: k6's options
 * parsed (k6-options.ts), each scenario's `exec` function found, and every call of it wrapped so the API functions
 * know their VU (runtime.ts).
 */
import { UsageError } from '../../common/errors.js';
import { scenarioConfigs } from '../runner/k6-options.js';
import type { ScenarioSpec } from '../runner/types.js';
import { runtime } from './runtime.js';

/** What a scenario file exports: k6's `options`, the functions scenarios run, optional setup/teardown. */
export interface ScenarioModule {
  options?: Record<string, unknown>;
  default?: (data?: unknown) => unknown;
  setup?: () => unknown;
  teardown?: (data?: unknown) => unknown;
  [exported: string]: unknown;
}

export function moduleToSpecs(module: ScenarioModule, baseEnv: Readonly<Record<string, string>>, setupData: () => unknown): ScenarioSpec[] {
  const configs = scenarioConfigs(module.options);
  const rt = runtime();
  return configs.map((config) => {
    const fn = module[config.exec];
    if (typeof fn !== 'function') {
      throw new UsageError(
        config.exec === 'default'
          ? `scenario "${config.name}": the file has no default export function (export default async function () {…}), and the scenario names no exec`
          : `scenario "${config.name}": exec "${config.exec.slice(0, 60)}" is not an exported function of the file`,
      );
    }
    const env = { ...baseEnv, ...config.env };
    return {
      name: config.name,
      executor: config.executor,
      iteration: async (vu) => {
        await rt.storage.run({ vu, env }, () => (fn as (data: unknown) => unknown)(setupData()));
      },
      thinkTimeS: config.thinkTimeS,
      ...(config.startTimeS ? { startTimeS: config.startTimeS } : {}),
      ...(Object.keys(config.tags).length > 0 ? { tags: config.tags } : {}),
    };
  });
}
