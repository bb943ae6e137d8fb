/**
 * The front-door (ALB) section, as rows every text renderer draws: one summary line, the joined routes and the
 * failures. Cells are plain text; each renderer escapes them its own way.
 */
import type { AlbAccounting, FrontDoorSummary } from '../model.js';
import type { Align } from './table.js';
import { fmtMs } from './text.js';

export interface SectionTable {
  header: string[];
  rows: string[][];
  align: Align[];
}

export function frontDoorSummaryLine(fd: FrontDoorSummary): string {
  return (
    `${fd.albLines} ALB lines for the run: ${fd.joined} joined to app finish lines, ${fd.failures} answered by the ALB ` +
    `and never finished by the app, ${fd.afterApp} answered with an ALB error after the app finished; outside the app p50 ${fmtMs(fd.beforeAppMs.p50)} ` +
    `p95 ${fmtMs(fd.beforeAppMs.p95)}; app finishes with no ALB line ${fd.appOnly}, without trace id ${fd.appWithoutTraceId}; ` +
    `ALB lines of other times ${fd.outsideRun}, without trace id ${fd.noTraceId}`
  );
}

export function frontDoorRouteTable(fd: FrontDoorSummary): SectionTable {
  return {
    header: ['method', 'route', 'joined', 'failures', 'outside p50', 'outside p95', 'ALB req p50', 'ALB req p95'],
    rows: fd.routes.map((r) => [
      r.method,
      r.matched ? r.route : `${r.route} *`,
      String(r.joined),
      String(r.failures),
      fmtMs(r.beforeAppMs.p50),
      fmtMs(r.beforeAppMs.p95),
      fmtMs(r.requestProcessingMs.p50),
      fmtMs(r.requestProcessingMs.p95),
    ]),
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
  };
}

export function frontDoorFailureTable(fd: FrontDoorSummary): SectionTable {
  return {
    header: ['method', 'route', 'ALB', 'target', 'count', 'app got', 'side', 'ALB held p50', 'max'],
    rows: fd.failureGroups.map((f) => [
      f.method,
      f.route,
      String(f.elbStatus),
      f.targetStatus === undefined ? '-' : String(f.targetStatus),
      String(f.count),
      String(f.appStarted),
      f.side,
      fmtMs(f.albElapsedMs.p50),
      fmtMs(f.albElapsedMs.max),
    ]),
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'right'],
  };
}

/** "; ALB access log: 120 lines read, 2 malformed + 1 truncated (in malformed)" for the input line; '' without ALB lines. */
export function describeAlbInput(alb: AlbAccounting | undefined): string {
  if (alb === undefined) return '';
  return `; ALB access log: ${alb.lines} lines read (in parsed), ${alb.malformed} malformed + ${alb.truncated} truncated (in malformed)`;
}
