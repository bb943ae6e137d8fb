/**
 * Schema migrations: an ordered list, each applied once, recorded in schema_migrations. The whole run holds a
 * transaction-scoped advisory lock, so several workers (or tasks) starting at once apply each migration exactly once
 * and the others simply find it done.
 */
import type { Pool } from 'pg';

interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'create todos',
    sql: `create table todos (
      id bigint generated always as identity primary key,
      title text not null check (char_length(title) between 1 and 200),
      description text check (char_length(description) <= 2000),
      completed boolean not null default false,
      deadline_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
  },
  { id: 2, name: 'index todos by completed', sql: 'create index todos_completed_idx on todos (completed, id)' },
];

// Arbitrary constant naming "taskoverflow migrations" for pg_advisory_xact_lock.
const MIGRATION_LOCK_KEY = 0x7a5c0f;

/** Apply the pending migrations. Returns the names of those applied by this call (empty when already up to date). */
export async function runMigrations(pool: Pool): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      'create table if not exists schema_migrations (id integer primary key, name text not null, applied_at timestamptz not null default now())',
    );
    const done = new Set((await client.query<{ id: number }>('select id from schema_migrations')).rows.map((r) => r.id));
    for (const migration of MIGRATIONS) {
      if (done.has(migration.id)) continue;
      await client.query(migration.sql);
      await client.query('insert into schema_migrations (id, name) values ($1, $2)', [migration.id, migration.name]);
      applied.push(migration.name);
    }
    await client.query('commit');
    return applied;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
