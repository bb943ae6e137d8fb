import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClientView } from '../../../analyzer/sources/client-summary.js';
import { tempDir } from './helpers.js';

const fixture = (name: string) => join(import.meta.dirname, '../../fixtures/analyzer', name);

describe('client summaries', () => {
  it("reads k6's handleSummary export, checks from nested groups included", async () => {
    const v = await loadClientView(fixture('k6-summary.json'));
    expect(v).toMatchObject({ requests: 1600, failedRequests: 400, vusMax: 20, iterations: 400, durationP95Ms: 61.5, testDurationMs: 40012.5 });
    expect(v.checks.map((c) => [c.name, c.fails])).toEqual([
      ['list is status 200', 0],
      ['delete is status 204', 400],
      ['POST is status 200', 400],
    ]);
    expect(v.noResponse).toBeUndefined();
  });

  it("reads the Node runner's logjam block: noResponse by reason, think time, run id", async () => {
    const v = await loadClientView(fixture('node-runner-summary.json'));
    expect(v).toMatchObject({ requests: 400, noResponse: 12, noResponseByReason: { timeout: 10, refused: 2, reset: 0, other: 0 }, thinkTimeS: 0.5, runId: 'run-1', vusMax: 10 });
  });

  it('reads the legacy --summary-export layout (flat metrics, checks keyed by name)', async () => {
    const v = await loadClientView(fixture('legacy-summary-export.json'));
    expect(v).toMatchObject({ requests: 15, failedRequests: 5, vusMax: 3, durationP95Ms: 25 });
    expect(v.checks).toEqual([{ name: 'is status 200', passes: 10, fails: 5 }]);
  });

  it('bad files are SourceErrors with exit 2 and a message that says what is wrong', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'text.txt'), '     ✓ is status 200\n');
    writeFileSync(join(dir, 'other.json'), '{"hello": 1}');
    await expect(loadClientView(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'LJ_CLIENT_SUMMARY_READ', exitCode: 2 });
    await expect(loadClientView(join(dir, 'text.txt'))).rejects.toMatchObject({ code: 'LJ_CLIENT_SUMMARY_JSON' });
    await expect(loadClientView(join(dir, 'other.json'))).rejects.toThrow(/not a k6 summary/);
  });
});
