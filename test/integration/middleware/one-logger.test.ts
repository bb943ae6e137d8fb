/**
 * One logger per process: getLogger() outside a request is the service's own logger (the first createLogger),
 * before or after requestLogging(), whatever a second app configures; inside a request, that app's logger.
 * One narrative per test file on purpose: the process default is process state (vitest isolates each file).
 */
import express from 'express';
import { describe, expect, it } from 'vitest';
import { EVENTS, closeLogger, getLogger, requestLogging, setDefaultLogger } from '../../../middleware/index.js';
import { captureLogger, listen } from './helpers.js';

describe('the process default logger', () => {
  it('is the first createLogger, before and after requestLogging, and each app logs its requests through its own', async () => {
    const { logger: main, capture: mainLines } = captureLogger({ service: 'todo-api' });
    getLogger().info('before requestLogging');

    const { logger: second, capture: secondLines } = captureLogger({ service: 'admin-api' });
    const appA = express();
    appA.use(requestLogging({ logger: main }));
    appA.get('/a', (_req, res) => {
      getLogger().info('in a');
      res.send('a');
    });
    const appB = express();
    appB.use(requestLogging({ logger: second })); // configured last: must not take over the process default
    appB.get('/b', (_req, res) => {
      getLogger().info('in b');
      res.send('b');
    });
    getLogger().info('after requestLogging');

    const a = await listen(appA);
    const b = await listen(appB);
    try {
      await fetch(`${a.url}/a`, { headers: { 'x-request-id': 'req-a' } });
      await fetch(`${b.url}/b`, { headers: { 'x-request-id': 'req-b' } });
      await mainLines.waitFor((l) => l.event === EVENTS.requestFinish && l.request_id === 'req-a');
      await secondLines.waitFor((l) => l.event === EVENTS.requestFinish && l.request_id === 'req-b');
    } finally {
      await a.close();
      await b.close();
    }
    getLogger().info('after requests');

    const mainMessages = mainLines.lines.filter((l) => l.event === undefined).map((l) => l.msg);
    expect(mainMessages).toEqual(['before requestLogging', 'after requestLogging', 'in a', 'after requests']);
    expect(mainLines.lines.every((l) => l.service === 'todo-api')).toBe(true);
    expect(secondLines.lines.filter((l) => l.event === undefined).map((l) => l.msg)).toEqual(['in b']);
    expect(secondLines.forRequest('req-a')).toEqual([]);

    // setDefaultLogger says it explicitly; closeLogger unregisters a closed default (its sinks would throw)
    setDefaultLogger(second);
    getLogger().info('to second');
    expect(secondLines.lines.at(-1)).toMatchObject({ msg: 'to second', service: 'admin-api' });
    await closeLogger(second);
    expect(getLogger()).not.toBe(second);
  });
});
