/**
 * The one table of output formats: every renderer takes the same AnalysisReport. `logjam analyze` picks its stdout
 * format and its file outputs from here, and the lab writes its report files from here, so a new format is one row.
 */
import { UsageError } from '../../common/errors.js';
import { renderHtmlReport } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import type { AnalysisReport } from './report.js';
import { renderTerminal } from './terminal.js';

export interface RenderOptions {
  /** ANSI colour (terminal only) */
  color?: boolean;
  /** each finding's Logs Insights query under it (terminal only; JSON and Markdown always carry them) */
  queries?: boolean;
  /** page title (HTML only) */
  title?: string;
}

export interface OutputFormat {
  name: 'terminal' | 'json' | 'markdown' | 'html';
  /** the `analyze` flag that selects it, or undefined for the default */
  flag?: '--json' | '--markdown' | '--html';
  /** true: printed on stdout (or to --out) when its flag is given; false: its flag names the file it is written to */
  stdout: boolean;
  /** the file extension the lab gives it in a run's folder */
  extension: '.txt' | '.json' | '.md' | '.html';
  render(report: AnalysisReport, options?: RenderOptions): string;
}

export const OUTPUT_FORMATS = {
  terminal: {
    name: 'terminal',
    stdout: true,
    extension: '.txt',
    render: (r, o = {}) => renderTerminal(r, { color: o.color ?? false, queries: o.queries ?? false }),
  },
  json: { name: 'json', flag: '--json', stdout: true, extension: '.json', render: (r) => renderJson(r) },
  markdown: { name: 'markdown', flag: '--markdown', stdout: true, extension: '.md', render: (r) => renderMarkdown(r) },
  html: { name: 'html', flag: '--html', stdout: false, extension: '.html', render: (r, o = {}) => renderHtmlReport(r, { title: o.title }) },
} as const satisfies Record<string, OutputFormat>;

export type FormatName = keyof typeof OUTPUT_FORMATS;

/**
 * The format for stdout from the commander options (`json: true`, `markdown: true`…): at most one stdout flag, and
 * the terminal text when none is given.
 */
export function stdoutFormat(selected: Partial<Record<FormatName, unknown>>): OutputFormat {
  const formats: OutputFormat[] = Object.values(OUTPUT_FORMATS);
  const chosen = formats.filter((f) => f.stdout && f.flag !== undefined && Boolean(selected[f.name]));
  if (chosen.length > 1) throw new UsageError(`give ${chosen.map((f) => f.flag).join(' or ')}, not both`);
  return chosen[0] ?? OUTPUT_FORMATS.terminal;
}
