/** The process default logger's rule (middleware/default-logger.ts): first one wins, a stand-in gives way, close forgets. */
import { describe, expect, it } from 'vitest';
import { closeLogger, createLogger, getLogger } from '../../../middleware/index.js';

const lines: Record<string, unknown>[] = [];
const destination = { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Record<string, unknown>) };

describe('the process default logger', () => {
  it('is a stand-in until the service makes its logger, then that one, and not a later one', async () => {
    const standIn = getLogger(); // a module logging at import time, before the service configured anything
    const service = createLogger({ service: 'todo-api', stdout: false, cloudwatch: false, destination });
    expect(getLogger()).not.toBe(standIn);
    expect(getLogger()).toBe(service);
    const later = createLogger({ service: 'audit', stdout: false, cloudwatch: false, destination });
    expect(getLogger()).toBe(service);
    getLogger().info('outside a request');
    expect(lines.at(-1)).toMatchObject({ msg: 'outside a request', service: 'todo-api' });
    await closeLogger(later);
    expect(getLogger()).toBe(service);
    await closeLogger(service);
    expect(getLogger()).not.toBe(service);
  });
});
