import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED, findCycle, readEdges, ruleViolations, type ImportEdge } from '../../support/dependency-rule.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const SOURCE_FOLDERS = Object.keys(ALLOWED);

/** docs/architecture.md's "may import" table: folder -> allowed folders. */
function documentedRule(): Record<string, string[]> {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const rule: Record<string, string[]> = {};
  for (const m of doc.matchAll(/^\| `([a-z-]+)\/` \| ([^|]*) \|/gm)) {
    rule[m[1]!] = [...m[2]!.matchAll(/`([a-z-]+)\/`/g)].map((x) => x[1]!);
  }
  return rule;
}

describe('the dependency rule (docs/architecture.md)', () => {
  it('every import in the source folders keeps the rule: allowed edges, analyzer/ through its index, no cycle', () => {
    const edges = readEdges(ROOT, SOURCE_FOLDERS);
    expect(edges.length).toBeGreaterThan(200); // the reader sees the imports (a broken regex would pass vacuously)
    expect(ruleViolations(edges)).toEqual([]);
  });

  it('the table in docs/architecture.md is the one the test enforces', () => {
    const doc = documentedRule();
    expect(Object.keys(doc).sort()).toEqual(Object.keys(ALLOWED).sort());
    for (const [folder, allowed] of Object.entries(ALLOWED)) expect(doc[folder]!.sort(), folder).toEqual([...allowed].sort());
  });

  it('common/ is a leaf: it imports no other project folder', () => {
    expect(readEdges(ROOT, ['common']).filter((e) => !e.to.startsWith('common/'))).toEqual([]);
  });
});

describe('the checker', () => {
  const ok: ImportEdge[] = [
    { from: 'cli/analyze.ts', to: 'analyzer/index.ts' },
    { from: 'analyzer/pipeline.ts', to: 'common/errors.ts' },
    { from: 'analyzer/model.ts', to: 'middleware/schema.ts' },
  ];

  it('passes allowed edges', () => {
    expect(ruleViolations(ok)).toEqual([]);
  });

  it('fails an upward import, and names the file and the rule', () => {
    const problems = ruleViolations([...ok, { from: 'loadtests/runner/probe.ts', to: 'analyzer/errors.ts' }]);
    expect(problems).toEqual(['loadtests/runner/probe.ts imports analyzer/errors.ts: loadtests/ may not import analyzer/']);
  });

  it('fails cli/ or lab/ reaching past analyzer/index.ts', () => {
    const problems = ruleViolations([{ from: 'lab/run-lab.ts', to: 'analyzer/report/html.ts' }]);
    expect(problems).toEqual(['lab/run-lab.ts imports analyzer/report/html.ts: lab/ enters analyzer/ only through analyzer/index.ts']);
  });

  it('fails a folder-level cycle even when the table would allow each edge', () => {
    const loose = { a: ['b'], b: ['c'], c: ['a'] };
    const edges = [
      { from: 'a/x.ts', to: 'b/y.ts' },
      { from: 'b/y.ts', to: 'c/z.ts' },
      { from: 'c/z.ts', to: 'a/w.ts' },
    ];
    expect(ruleViolations(edges, loose)).toEqual(['folder-level import cycle: a → b → c → a']);
    expect(findCycle(new Map([['a', new Set(['b'])], ['b', new Set<string>()]]))).toBeUndefined();
  });
});
