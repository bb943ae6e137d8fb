/**
 * state-left-behind from crafted logs through the real local source: the buggy lab test creates and never deletes
 * (its DELETEs go to /undefined), the fixed one deletes every todo it created by its id — which must give nothing.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../analyzer/analyses/index.js';
import { resourceBalances } from '../../../analyzer/analyses/state-left-behind.js';
import type { Finding } from '../../../analyzer/model.js';
import { logLines, type Line } from '../../support/log-lines.js';
import { aggregateLines } from './helpers.js';

const L = logLines();
const leftBehind = (fs: Finding[]): Finding[] => fs.filter((f) => f.id === 'state-left-behind');

function planners(n: number, deleteBy: 'undefined' | 'id', answered = n): Line[] {
  const lines: Line[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(L.finish({ id: `p${i}`, t: L.at(i * 100), method: 'POST', path: '/api/v1/todos', status: 201 }));
    if (i >= answered) continue; // the client never got the 201, so it never learned the id to delete
    const path = deleteBy === 'id' ? `/api/v1/todos/${i + 1}` : '/api/v1/todos/undefined';
    const status = deleteBy === 'id' ? 200 : 400;
    lines.push(L.finish({ id: `d${i}`, t: L.at(i * 100 + 50), method: 'DELETE', path, route: '/api/v1/todos/:id', status }));
  }
  // studiers: list requests never create anything
  for (let i = 0; i < 30; i++) lines.push(L.finish({ id: `g${i}`, t: L.at(i * 10), method: 'GET', path: '/api/v1/todos', status: 200 }));
  return lines;
}

describe('state-left-behind', () => {
  it('the buggy test: 40 todos created, 0 deleted, the DELETEs that failed named', async () => {
    const agg = await aggregateLines(planners(40, 'undefined'));
    const [f, ...more] = leftBehind(analyze(agg));
    expect(more).toEqual([]);
    expect(f!.title).toBe('40 todos created, 0 deleted: the test leaves 40 todos behind');
    expect(f!.severity).toBe('warning');
    expect(f!.counts).toEqual({ created: 40, deleted: 0, left: 40, failedDeletes: 40 });
    expect(f!.explanation).toContain('DELETE /api/v1/todos/:id did not succeed (400 × 40)');
    // its evidence is the statuses-per-route query the local source already has
    expect(f!.query?.language).toBe('jq');
    expect(f!.query?.text).toContain('.status');
  });

  it('a balanced test (every todo deleted by its id) gives no finding', async () => {
    const agg = await aggregateLines(planners(40, 'id'));
    expect(resourceBalances(agg)).toEqual([expect.objectContaining({ route: '/api/v1/todos', itemRoute: '/api/v1/todos/:id', created: 40, deleted: 40 })]);
    expect(leftBehind(analyze(agg))).toEqual([]);
  });

  it('a fixed test that lost a few creates to client timeouts: info, the few counted', async () => {
    const [f] = leftBehind(analyze(await aggregateLines(planners(40, 'id', 37))));
    expect(f).toMatchObject({ severity: 'info', counts: { created: 40, deleted: 37, left: 3, failedDeletes: 0 } });
    expect(f!.explanation).toContain('Every DELETE the server received succeeded');
  });

  it('a create-only test (it never sends a DELETE): info, not a warning', async () => {
    const lines = planners(10, 'id', 0);
    const [f] = leftBehind(analyze(await aggregateLines(lines)));
    expect(f).toMatchObject({ severity: 'info', counts: { created: 10, deleted: 0, left: 10, failedDeletes: 0 } });
    expect(f!.explanation).toContain('The run sent no DELETE to an item of this collection at all.');
  });

  it('a run that creates nothing (only reads) gives no finding', async () => {
    const lines = planners(0, 'id');
    expect(leftBehind(analyze(await aggregateLines(lines)))).toEqual([]);
  });
});
