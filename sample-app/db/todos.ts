/**
 * Todo persistence: parameterised SQL only (values never enter the SQL text, so db.query lines never hold user
 * data). Each function takes the pool; the N+1 variant of list exists for the N_PLUS_ONE knob.
 */
import type { Pool } from 'pg';
import type { TodoInput } from '../validation.js';

export interface Todo {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
  deadline_at: string | null;
  created_at: string;
  updated_at: string;
}

interface TodoRow {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  deadline_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, title, description, completed, deadline_at, created_at, updated_at';

function toTodo(row: TodoRow): Todo {
  return {
    // pg returns bigint as a string; identity values stay far below 2^53, so a JSON number is exact
    id: Number(row.id),
    title: row.title,
    description: row.description,
    completed: row.completed,
    deadline_at: row.deadline_at ? row.deadline_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export async function listTodos(pool: Pool, completed?: boolean): Promise<Todo[]> {
  const result =
    completed === undefined
      ? await pool.query<TodoRow>(`select ${COLUMNS} from todos order by id`)
      : await pool.query<TodoRow>(`select ${COLUMNS} from todos where completed = $1 order by id`, [completed]);
  return result.rows.map(toTodo);
}

/** The N+1 anti-pattern on purpose: one query for the ids, then one round trip per todo. */
export async function listTodosNPlusOne(pool: Pool, completed?: boolean): Promise<Todo[]> {
  const ids =
    completed === undefined
      ? await pool.query<{ id: string }>('select id from todos order by id')
      : await pool.query<{ id: string }>('select id from todos where completed = $1 order by id', [completed]);
  const todos: Todo[] = [];
  for (const { id } of ids.rows) {
    const todo = await getTodo(pool, id);
    if (todo) todos.push(todo); // deleted between the two queries: skip it, as the single query would have
  }
  return todos;
}

export async function getTodo(pool: Pool, id: string): Promise<Todo | undefined> {
  const result = await pool.query<TodoRow>(`select ${COLUMNS} from todos where id = $1`, [id]);
  return result.rows[0] ? toTodo(result.rows[0]) : undefined;
}

export async function createTodo(pool: Pool, input: TodoInput): Promise<Todo> {
  const result = await pool.query<TodoRow>(
    `insert into todos (title, description, completed, deadline_at) values ($1, $2, $3, $4) returning ${COLUMNS}`,
    [input.title, input.description ?? null, input.completed ?? false, input.deadline_at ?? null],
  );
  return toTodo(result.rows[0] as TodoRow);
}

/** Update the fields present in `input`; undefined when no such todo. */
export async function updateTodo(pool: Pool, id: string, input: TodoInput): Promise<Todo | undefined> {
  // Column names come from this fixed list, never from the request.
  const columns = (['title', 'description', 'completed', 'deadline_at'] as const).filter((c) => input[c] !== undefined);
  const sets = columns.map((c, i) => `${c} = $${i + 2}`);
  const result = await pool.query<TodoRow>(
    `update todos set ${[...sets, 'updated_at = now()'].join(', ')} where id = $1 returning ${COLUMNS}`,
    [id, ...columns.map((c) => input[c])],
  );
  return result.rows[0] ? toTodo(result.rows[0]) : undefined;
}

export async function deleteTodo(pool: Pool, id: string): Promise<Todo | undefined> {
  const result = await pool.query<TodoRow>(`delete from todos where id = $1 returning ${COLUMNS}`, [id]);
  return result.rows[0] ? toTodo(result.rows[0]) : undefined;
}

/** The SLOW_QUERY_MS knob: hold a connection for `ms` inside the database. */
export async function slowQuery(pool: Pool, ms: number): Promise<void> {
  await pool.query('select pg_sleep($1::float8 / 1000)', [ms]);
}

/** Health: a round trip through the pool. */
export async function ping(pool: Pool): Promise<void> {
  await pool.query('select 1');
}
