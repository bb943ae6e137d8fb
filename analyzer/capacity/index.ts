/** Capacity math: the public surface `logjam analyze` and `logjam capacity` use. Keep these exports stable. */
export { computeCapacity } from './compute.js';
export { renderCapacityTerminal, renderCapacityMarkdown, formulaText } from './render.js';
export { parseDeploymentFacts } from './facts.js';
export type { DeploymentFlags } from './facts.js';
export type * from './types.js';
