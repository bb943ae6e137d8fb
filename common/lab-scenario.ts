/**
 * The name of the lab's load test (loadtests/scenarios, and the k6 scripts' setup() data). A client summary that
 * names it is the lab's planners-and-studiers run against TaskOverflow: only then do findings speak of the lab's own
 * client bugs and the sample app's answers; for any other client they stay generic (analyzer/analyses/wording.ts).
 */
export const LAB_SCENARIO = 'planners-and-studiers';
