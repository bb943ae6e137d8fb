import { plannersAndStudiers } from './planners-and-studiers.js';
import type { ScenarioDefinition } from './types.js';

/** Every scenario `logjam load --scenario` knows, by name. */
export const SCENARIOS: Readonly<Record<string, ScenarioDefinition>> = {
  [plannersAndStudiers.name]: plannersAndStudiers,
};

export type { ScenarioDefinition } from './types.js';
