import type { ScenarioSpec } from '../runner/types.js';

/** A named load test: one or more k6-style scenarios, in variants (e.g. the lab's buggy script and its fix). */
export interface ScenarioDefinition {
  name: string;
  description: string;
  /** the first is the default */
  variants: readonly string[];
  build(variant: string, endpoint: string): ScenarioSpec[];
}
