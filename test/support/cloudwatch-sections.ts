/** Building a RunAggregate from hand-made Logs Insights rows, for tests of the CloudWatch source's assembly. */
import { assembleAggregate, type SectionRows } from '../../analyzer/sources/cloudwatch/assemble.js';

export const T0 = Date.UTC(2025, 0, 31, 12, 0, 0);

/** Every section with no rows. */
export const emptySections = (): SectionRows => ({
  summary: [], events: [], services: [], statuses: [], duplicates: [], unfinishedRoutes: [], poolTimeouts: [], routes: [],
  routeStatuses: [], unmatchedRoutes: [], timeline: [], timelineErrors: [], timelineAborts: [], timelineRuntime: [], aborts: [],
  suspiciousPaths: [], statusClusters: [], errorMessages: [], runtime: [], dropped: [],
});

/** Assemble run "r" (10 s from T0, 5 s bins) from the given sections' rows; the rest are empty. */
export const assemble = (rows: Partial<SectionRows>) =>
  assembleAggregate({
    runId: 'r', source: 'cloudwatch:g', firstTime: T0, lastTime: T0 + 9999, binMs: 5000, binColumn: 'bin(5s)', examples: 2,
    rows: { ...emptySections(), ...rows }, queries: {},
  });
