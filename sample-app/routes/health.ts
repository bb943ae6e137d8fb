import { Router } from 'express';
import type { Pool } from 'pg';
import { ping } from '../db/todos.js';

/** GET /api/v1/health: 200 when a query goes through the pool; a failure answers like any DB error (503/500). */
export function healthRouter(pool: Pool): Router {
  const router = Router();
  router.get('/api/v1/health', async (_req, res) => {
    await ping(pool);
    res.json({ status: 'ok' });
  });
  return router;
}
