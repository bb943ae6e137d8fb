import { describe, expect, it } from 'vitest';
import { computeCapacity, parseDeploymentFacts } from '../../../analyzer/capacity/index.js';
import { OUTPUT_FORMATS, stdoutFormat } from '../../../analyzer/report/formats.js';
import { buildReport } from '../../../analyzer/report/report.js';
import { UsageError } from '../../../common/errors.js';
import { aggregate, bin } from '../capacity/fixtures.js';

// No import of pipeline.ts here: the capacity section must print without a hook that loading it used to fill.
function reportWithCapacity() {
  const agg = aggregate({ bins: [bin(0, 1, 5), bin(1, 2, 20), bin(2, 3, 30), bin(3, 1, 4)] });
  const capacity = computeCapacity(agg, undefined, parseDeploymentFacts({ fargateCpu: '1024', fargateMemory: '2048' }));
  return buildReport({ aggregate: agg, findings: [], capacity });
}

describe('one table of output formats over one report object', () => {
  it('analyze picks the stdout format by flag, the terminal text by default, and refuses two', () => {
    expect(stdoutFormat({}).name).toBe('terminal');
    expect(stdoutFormat({ json: true }).name).toBe('json');
    expect(stdoutFormat({ markdown: true, html: 'r.html' }).name).toBe('markdown');
    expect(() => stdoutFormat({ json: true, markdown: true })).toThrow(new UsageError('give --json or --markdown, not both'));
  });

  it('every format renders the capacity section from the same report', () => {
    const report = reportWithCapacity();
    expect(OUTPUT_FORMATS.terminal.render(report)).toMatch(/capacity/i);
    expect(OUTPUT_FORMATS.markdown.render(report)).toMatch(/capacity/i);
    expect(OUTPUT_FORMATS.html.render(report, { title: 't' })).toContain('<h2>Capacity</h2>');
    expect(JSON.parse(OUTPUT_FORMATS.json.render(report)).capacity.inputs.deployment.cpus).toBe(1);
  });

  it('without capacity, no renderer prints the section', () => {
    const report = buildReport({ aggregate: aggregate({}), findings: [] });
    expect(OUTPUT_FORMATS.html.render(report)).not.toContain('<h2>Capacity</h2>');
    expect(OUTPUT_FORMATS.markdown.render(report)).not.toMatch(/## Capacity/i);
  });
});
