/**
 * The capacity report as terminal text and as Markdown. Both print every formula with its numbers substituted,
 * e.g. "X = N / (R + Z) = 2500 / (0.85 s + 6 s) = 365 req/s". Route names come from logs: control characters are
 * escaped as visible text (report/sanitize.ts) for the terminal and Markdown metacharacters escaped for Markdown.
 */
import pc from 'picocolors';
import { bottleneckLabel } from './bottleneck.js';
import { describeFargate } from './fargate.js';
import { num, pct } from './format.js';
import type { CapacityReport, FormulaLine } from './types.js';
import { sanitizeOutput, sanitizeText } from '../report/sanitize.js';

/** "X = N / (R + Z) = 2500 / (0.85 s + 6 s) = 365 req/s" */
export function formulaText(line: FormulaLine): string {
  const eq = line.substituted.indexOf(' = ');
  const rhs = eq >= 0 ? line.substituted.slice(eq + 3) : line.substituted;
  const unit = line.unit ? ` ${line.unit}` : '';
  return `${line.formula} = ${rhs} = ${num(line.result)}${unit}`;
}

/** Control characters from logs (route names) as visible escape text: the one sanitizer of the text renderers. */
const safeTerminal = sanitizeText;

function safeMarkdown(s: string): string {
  return safeTerminal(s).replace(/[\\`*_|<>[\]]/g, (c) => `\\${c}`);
}

interface Section {
  title: string;
  lines: { text: string; detail?: string }[];
}

/** One outline both renderers format, so they never disagree on content. */
function outline(report: CapacityReport, clean: (s: string) => string): Section[] {
  const i = report.inputs;
  const d = i.deployment;
  const sections: Section[] = [];
  const byName = (prefix: string) => report.formulas.filter((f) => f.name.startsWith(prefix));
  const asLines = (fs: FormulaLine[]) => fs.map((f) => (f.note ? { text: formulaText(f), detail: f.note } : { text: formulaText(f) }));

  sections.push({
    title: i.runId ? `Capacity — run ${clean(i.runId)}` : 'Capacity — time window',
    lines: [
      { text: `${i.requests} requests in ${num(i.durationS)} s; mean response ${num(i.meanResponseS * 1000)} ms, p95 ${num(i.p95ResponseS * 1000)} ms` },
      {
        text:
          `load: ${i.vus !== undefined ? `${i.vus} VUs` : 'VUs unknown'}, think time ${num(i.thinkTimeS)} s (${i.thinkTimeSource}); ` +
          `in flight: mean ${num(i.inFlightMean)}, max ${num(i.inFlightMax)}`,
      },
      {
        text:
          `deployment: ${num(d.tasks)} task(s) × ${num(d.cpus)} CPU(s), ${d.workersPerTask} worker(s) per task × ${d.threads} thread(s), pool ${d.poolSize} per worker` +
          (d.awsBy !== undefined ? ` — AWS (${d.awsBy})${d.dbInstanceClass ? `, ${d.dbInstanceClass}` : ''}${d.fargate ? `, Fargate ${describeFargate(d.fargate)}` : ''}` : ''),
      },
    ],
  });
  sections.push({
    title: 'Facts (measured: the service logged it; given: a flag; assumed: a default)',
    lines: i.facts.map((f) => ({ text: `${f.label}: ${clean(f.value)} — ${f.source} (${clean(f.detail)})` })),
  });
  sections.push({
    title: 'Service time per route (by share of time)',
    lines: i.routes.slice(0, 10).map((r) => ({
      text: `${clean(r.method)} ${clean(r.route)}: ${r.count} req, mean ${num(r.meanMs)} ms, p95 ${num(r.p95Ms)} ms, db ${num(r.dbMsMean)} ms, pool wait ${num(r.poolWaitMsMean)} ms (${pct(r.timeShare)} of time)`,
    })),
  });
  sections.push({
    title: 'Workers and capacity',
    lines: asLines([...byName('workers.'), ...byName('service-time'), ...byName('capacity.')]),
  });
  sections.push({
    title: 'Load (closed model) and utilization',
    lines: asLines([...byName('throughput.'), ...byName('littles-law'), ...byName('closed-model.'), ...byName('utilization')]),
  });
  const rds = report.rds;
  if (rds) {
    sections.push({
      title: `RDS PostgreSQL connections (${rds.instanceClass})`,
      lines: [
        ...asLines([...byName('db.'), ...byName('rds.')]),
        {
          text: `${rds.connectionsNeeded} needed vs ${rds.usableConnections} usable (max_connections − 3 reserved for superusers): ${rds.fits ? 'fits' : 'DOES NOT FIT'}`,
        },
        { text: `smallest class that fits: ${rds.smallestFitting ?? 'none in the table'}` },
        { text: `table source: ${rds.tableSource}` },
      ],
    });
  } else {
    sections.push({ title: 'Database connections', lines: asLines(byName('db.')) });
  }
  if (report.plan) {
    const p = report.plan;
    sections.push({
      title: `Plan for ${num(p.target.value)} ${p.target.kind === 'rps' ? 'req/s' : 'users'}`,
      lines: [
        ...asLines(byName('plan.')),
        {
          text:
            `needs ${p.workers} workers = ${p.tasks} task(s) × ${p.workersPerTask} workers, ${p.vcpus} vCPUs in all` +
            (d.awsBy !== undefined && d.platform !== 'ecs-ec2' ? `; Fargate ${p.fargateChange ?? 'none fits'}` : ''),
        },
        {
          text:
            `DB: ${p.dbConnectionsNeeded} connections` +
            (rds && p.dbFits !== undefined
              ? `, ${p.dbFits ? 'fits' : 'does NOT fit'} ${rds.instanceClass}${p.smallestDbClass ? `; smallest class that fits: ${p.smallestDbClass}` : ''}`
              : ''),
        },
        ...p.notes.map((n) => ({ text: n })),
      ],
    });
  }
  const s = report.saturation;
  const u = report.usl;
  sections.push({
    title: 'Saturation (from the run’s time bins)',
    lines: [
      { text: `${s.points.length} usable bins (dropped: ${s.dropped.empty} empty, ${s.dropped.rampEdge} ramp-edge)` },
      { text: s.kneeNote },
      u.ok
        ? {
            text:
              `USL fit X(N) = γN / (1 + α(N−1) + βN(N−1)): α = ${num(u.alpha)} (contention), β = ${num(u.beta)} (coherency), ` +
              `γ = ${num(u.gamma)} req/s, R² = ${num(u.r2)} over ${u.points} points`,
            ...(u.note ? { detail: u.note } : {}),
          }
        : { text: `USL: ${u.reason}` },
      ...(u.ok && u.peakConcurrency !== undefined && u.peakThroughput !== undefined
        ? [
            {
              text: `peak N* = √((1 − α) / β) = √((1 − ${num(u.alpha)}) / ${num(u.beta)}) = ${num(u.peakConcurrency)} in flight; predicted peak X = ${num(u.peakThroughput)} req/s`,
            },
          ]
        : []),
    ],
  });
  const b = report.bottleneck;
  sections.push({
    title: `Bottleneck: ${bottleneckLabel(b.verdict)}`,
    lines: [
      { text: clean(b.summary) },
      ...b.ranked.map((c, idx) => ({ text: `${idx + 1}. ${bottleneckLabel(c.kind)} — score ${num(c.score)}`, detail: clean(c.evidence.join('; ')) })),
    ],
  });
  if (report.notes.length > 0) sections.push({ title: 'Notes', lines: report.notes.map((n) => ({ text: clean(n) })) });
  return sections;
}

export function renderCapacityTerminal(report: CapacityReport, options: { color: boolean }): string {
  const c = pc.createColors(options.color);
  const out: string[] = [];
  for (const section of outline(report, safeTerminal)) {
    out.push(c.bold(section.title));
    for (const line of section.lines) {
      out.push(`  ${line.text}`);
      if (line.detail) out.push(c.dim(`    ${line.detail}`));
    }
    out.push('');
  }
  return sanitizeOutput(out.join('\n'), { color: options.color });
}

export function renderCapacityMarkdown(report: CapacityReport): string {
  const out: string[] = [];
  outline(report, safeMarkdown).forEach((section, idx) => {
    out.push(`${idx === 0 ? '##' : '###'} ${section.title}`, '');
    for (const line of section.lines) {
      out.push(`- ${line.text}${line.detail ? ` — _${line.detail}_` : ''}`);
    }
    out.push('');
  });
  return sanitizeOutput(out.join('\n'), { color: false });
}
