import { it } from 'vitest';
import { aggregateLines } from '../../unit/analyzer/helpers.js';
import { logLines } from '../../support/log-lines.js';
const L = logLines();
it('toString host', async () => {
  try { const a = await aggregateLines([{ ...L.finish({ id: 'a' }), host: { toString: 1 } }]); console.log('ok', a.input); } catch (e) { console.log('THREW', (e as Error).message); }
});
it('pid toString', async () => {
  try { const a = await aggregateLines([{ ...L.finish({ id: 'a' }), pid: { toString: 1 } }]); console.log('ok', a.input); } catch (e) { console.log('THREW', (e as Error).message); }
});
it.skip('big time', async () => {
  const p = aggregateLines([{ ...L.finish({ id: 'a' }), time: 1e20 }]);
  const r = await Promise.race([p.then(() => 'done', (e) => 'threw ' + e.message), new Promise((r) => setTimeout(() => r('TIMEOUT'), 5000))]);
  console.log('big time', r);
}, 20000);
