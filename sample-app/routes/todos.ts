/** The todo API: /api/v1/todos and /api/v1/todos/:id. Validation first, then one repository call. */
import { Router } from 'express';
import type { Pool } from 'pg';
import type { Knobs } from '../config.js';
import { createTodo, deleteTodo, getTodo, listTodos, listTodosNPlusOne, updateTodo } from '../db/todos.js';
import { knobsMiddleware } from '../knobs.js';
import { parseCompletedFilter, parseId, validateTodoBody } from '../validation.js';

export const TODOS_PATH = '/api/v1/todos';

export function todosRouter(pool: Pool, knobs: Knobs): Router {
  const router = Router();
  router.use(TODOS_PATH, knobsMiddleware(pool, knobs));

  router.get(TODOS_PATH, async (req, res) => {
    const completed = parseCompletedFilter(req.query.completed);
    if (!completed.ok) return void res.status(400).json(completed.error);
    const todos = knobs.nPlusOne ? await listTodosNPlusOne(pool, completed.value) : await listTodos(pool, completed.value);
    res.json(todos);
  });

  router.post(TODOS_PATH, async (req, res) => {
    const body = validateTodoBody(req.body, 'create');
    if (!body.ok) return void res.status(400).json(body.error);
    const todo = await createTodo(pool, body.value);
    res.status(201).location(`${TODOS_PATH}/${todo.id}`).json(todo);
  });

  router.get(`${TODOS_PATH}/:id`, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id.ok) return void res.status(400).json(id.error);
    const todo = await getTodo(pool, id.value);
    if (!todo) return void res.status(404).json({ error: 'todo not found' });
    res.json(todo);
  });

  router.put(`${TODOS_PATH}/:id`, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id.ok) return void res.status(400).json(id.error);
    const body = validateTodoBody(req.body, 'update');
    if (!body.ok) return void res.status(400).json(body.error);
    const todo = await updateTodo(pool, id.value, body.value);
    if (!todo) return void res.status(404).json({ error: 'todo not found' });
    res.json(todo);
  });

  router.delete(`${TODOS_PATH}/:id`, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id.ok) return void res.status(400).json(id.error);
    const todo = await deleteTodo(pool, id.value);
    if (!todo) return void res.status(404).json({ error: 'todo not found' });
    res.json(todo);
  });

  return router;
}
