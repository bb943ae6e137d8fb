import * as buggy from './planners-and-studiers.js';
import * as fixed from './planners-and-studiers.fixed.js';
import type { ScenarioDefinition } from './types.js';
import { LAB_SCENARIO } from '../../common/lab-scenario.js';

const plannersAndStudiers: ScenarioDefinition = {
  name: LAB_SCENARIO,
  description: "the CSSE6400 lab's scenario: 2500 studiers listing todos, 20 planners creating and deleting them",
  variants: ['buggy', 'fixed'],
  module: (variant) => (variant === 'fixed' ? fixed : buggy),
};

/** Every scenario `logjam load --scenario` knows, by name (each is a scenario file in this folder). */
export const SCENARIOS: Readonly<Record<string, ScenarioDefinition>> = {
  [plannersAndStudiers.name]: plannersAndStudiers,
};

export type { ScenarioDefinition } from './types.js';
