/**
 * terraform/loadgen.tf runs the generators with SUMMARY_STDOUT=1 so their summary reaches CloudWatch (the summary
 * file dies with the task). This checks the other half of that contract on the scripts the loadgen image copies
 * (loadtests/k6/*.js): handleSummary, run under Node with k6's modules stubbed (no k6 binary here), prints the
 * summary JSON as ONE line starting `LOGJAM_K6_SUMMARY ` — and only when asked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TERRAFORM_DIR } from './terraform-model.js';

const K6_DIR = join(TERRAFORM_DIR, '..', 'loadtests', 'k6');
const JS_FILES = readdirSync(K6_DIR).filter((f) => f.endsWith('.js'));
/** The scripts k6 runs (they export handleSummary); the others are modules a script imports (logjam.js). */
const SCRIPTS = JS_FILES.filter((f) => /^export function handleSummary\(/m.test(readFileSync(join(K6_DIR, f), 'utf8')));
const PREFIX = 'LOGJAM_K6_SUMMARY ';

type HandleSummary = (data: unknown) => { stdout: string } & Record<string, string>;

/** The script with its three imports replaced by stubs, loaded as an ES module. */
async function loadHandleSummary(file: string): Promise<HandleSummary> {
  const source = readFileSync(join(K6_DIR, file), 'utf8');
  const stubbed = source
    .replace(/^import http from 'k6\/http';$/m, 'const http = {};')
    .replace(/^import \{ check, sleep \} from 'k6';$/m, 'const check = () => true; const sleep = () => {};')
    .replace(/^import \{ textSummary \} from 'https:\/\/jslib\.k6\.io\/[^']+';$/m, "const textSummary = () => '     checks.........: 50.00%\\n';");
  expect(stubbed, `${file}: an import the stubs do not cover`).not.toMatch(/^import /m);
  const mod = (await import(`data:text/javascript;base64,${Buffer.from(stubbed).toString('base64')}`)) as { handleSummary: HandleSummary };
  return mod.handleSummary;
}

/** A k6 summary export shape, with a newline inside a string (check names can hold anything). */
const SUMMARY = {
  setup_data: { runId: 'lab-1' },
  metrics: { http_reqs: { type: 'counter', contains: 'default', values: { count: 1200, rate: 3.3 } } },
  root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [{ name: 'is status 200\nreally', path: '::is status 200', id: 'x', passes: 1, fails: 2 }] },
};

const globals = globalThis as { __ENV?: Record<string, string> };
afterEach(() => {
  delete globals.__ENV;
});

describe('k6 scripts: SUMMARY_STDOUT', () => {
  it('the loadgen image gets both lab scripts', () => {
    expect(SCRIPTS.sort()).toEqual(['planners-and-studiers.fixed.js', 'planners-and-studiers.js']);
    // the image copies every .js: the client-log module a user's script imports goes along
    expect(JS_FILES).toContain('logjam.js');
  });

  for (const file of SCRIPTS) {
    it(`${file}: SUMMARY_STDOUT=1 adds the summary JSON as one prefixed line after the text summary`, async () => {
      globals.__ENV = { SUMMARY_STDOUT: '1' };
      const handleSummary = await loadHandleSummary(file);
      const out = handleSummary(SUMMARY);
      expect(out.stdout.startsWith('     checks')).toBe(true);
      const lines = out.stdout.split('\n').filter((l) => l.startsWith(PREFIX));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!.slice(PREFIX.length))).toEqual(SUMMARY);
      // the file is still written
      expect(JSON.parse(out['summary-lab-1.json']!)).toEqual(SUMMARY);
    });

    it(`${file}: without SUMMARY_STDOUT only the text summary goes to stdout`, async () => {
      globals.__ENV = {};
      const handleSummary = await loadHandleSummary(file);
      const out = handleSummary(SUMMARY);
      expect(out.stdout).not.toContain(PREFIX.trim());
      expect(Object.keys(out).sort()).toEqual(['stdout', 'summary-lab-1.json']);
    });
  }
});
