/**
 * `logjam capacity` end to end in-process: flags validated before any source is read (exit 2, one clear message),
 * and --json prints the report with its `bottleneck` key for a real NDJSON log.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main.js';
import { EVENTS, FIELDS as F, SCHEMA_VERSION } from '../../../middleware/schema.js';

let dir: string;
let logs: string;

/** 60 s of a run ramping from 1 to 16 in flight against a 100 req/s limit, as the middleware would log it. */
function rampLog(): string {
  const t0 = Date.UTC(2025, 0, 1, 12);
  const lines: string[] = [];
  let id = 0;
  for (let s = 0; s < 60; s++) {
    const n = 1 + s / 4;
    const x = Math.min(10 * n, 100);
    for (let k = 0; k < Math.round(x); k++) {
      lines.push(
        JSON.stringify({
          [F.time]: t0 + s * 1000 + Math.floor((k * 1000) / x),
          [F.level]: 'info',
          [F.msg]: 'request finished',
          [F.event]: EVENTS.requestFinish,
          [F.schema]: SCHEMA_VERSION,
          [F.service]: 'taskoverflow',
          [F.host]: 'test',
          [F.pid]: 1,
          [F.requestId]: `req-${id++}`,
          [F.runId]: 'cap1',
          [F.method]: 'GET',
          [F.path]: '/api/v1/todos',
          [F.route]: '/api/v1/todos',
          [F.status]: 200,
          [F.durationMs]: (n / x) * 1000,
          [F.bytesOut]: 10,
          [F.dbMs]: 2,
          [F.dbQueries]: 1,
          [F.poolWaitMs]: 0,
        }),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logjam-capacity-'));
  logs = join(dir, 'run.ndjson');
  await writeFile(logs, rampLog());
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
});

describe('logjam capacity', () => {
  it('rejects bad numbers with exit 2 and the flag name, before reading the source', async () => {
    const r = await run(['capacity', '--run', 'cap1', '--logs', join(dir, 'missing.ndjson'), '--cpus', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--cpus must be a number');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('rejects --target-rps with --target-vus', async () => {
    const r = await run(['capacity', '--run', 'cap1', '--logs', logs, '--target-rps', '10', '--target-vus', '10']);
    expect(r.code).toBe(2);
  });

  it('rejects an unknown DB class, listing the known ones', async () => {
    const r = await run(['capacity', '--run', 'cap1', '--logs', logs, '--db-instance-class', 'db.z1.mega']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown DB instance class "db.z1.mega"');
    expect(r.stderr).toContain('db.t3.micro');
  });

  it('prints the report as JSON, with the bottleneck verdict and the plan', async () => {
    const r = await run(['capacity', '--run', 'cap1', '--logs', logs, '--json', '--cpus', '2', '--target-rps', '500']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.inputs.runId).toBe('cap1');
    expect(report.bottleneck.verdict).toBeDefined();
    expect(report.bottleneck.ranked).toHaveLength(4);
    expect(report.plan.target).toEqual({ kind: 'rps', value: 500 });
    expect(report.formulas.map((f: { name: string }) => f.name)).toContain('capacity.per-task');
    expect(report.saturation.points.length).toBeGreaterThan(50);
  });

  it('prints formulas with numbers in the terminal and writes --html', async () => {
    const html = join(dir, 'report.html');
    const r = await run(['capacity', '--run', 'cap1', '--logs', logs, '--html', html]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('capacity = workers × threads / S = 1 × 1 /');
    expect(r.stderr).toContain(`wrote ${html}`);
    expect(await readFile(html, 'utf8')).toContain('id="chart-usl"');
  });
});
