import type { ScenarioModule } from '../load/scenario-module.js';

/** A named load test (`logjam load --scenario <name>`): scenario modules in variants (the lab's buggy script and its fix). */
export interface ScenarioDefinition {
  name: string;
  description: string;
  /** the first is the default */
  variants: readonly string[];
  module(variant: string): ScenarioModule;
}
