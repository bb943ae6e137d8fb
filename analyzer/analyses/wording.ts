/**
 * Findings speak of any service and any client. Only when the client summary says the run was the lab's own load
 * test (planners-and-studiers against TaskOverflow, common/lab-scenario.ts) may a finding name the lab's client bugs
 * and the sample app's answers, as an extra sentence on top of the generic text.
 */
import { LAB_SCENARIO } from '../../common/lab-scenario.js';
import type { ClientView } from '../model.js';

export function isLabClient(client: ClientView | undefined): boolean {
  return client?.scenario === LAB_SCENARIO;
}

/** The lab's sentence after the generic text, when the run is the lab's; else nothing. */
export function labNote(client: ClientView | undefined, note: string): string {
  return isLabClient(client) ? ` ${note}` : '';
}
