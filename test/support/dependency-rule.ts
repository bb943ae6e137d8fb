/**
 * The dependency rule between top-level folders (docs/architecture.md shows the same table): which folder may import
 * which. A pure checker over an edge list, and a reader that turns the sources into that list.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** folder -> the folders it may import (besides itself). Lower layers never import higher ones. */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  cli: ['lab', 'analyzer', 'loadtests', 'sample-app', 'middleware', 'common'],
  lab: ['analyzer', 'loadtests', 'sample-app', 'middleware', 'common'],
  analyzer: ['middleware', 'common'],
  loadtests: ['middleware', 'common'],
  'sample-app': ['middleware', 'common'],
  middleware: ['common'],
  common: [],
  bench: ['analyzer', 'loadtests', 'sample-app', 'middleware', 'common', 'test'],
};

/** Folders that may enter analyzer/ only through its front door. */
export const FRONT_DOOR = { folder: 'analyzer', file: 'analyzer/index.ts', from: ['cli', 'lab'] } as const;

export interface ImportEdge {
  /** importing file, relative to the root, `/`-separated */
  from: string;
  /** imported file, relative to the root, `.ts` */
  to: string;
}

export const folderOf = (file: string): string => file.split('/')[0]!;

/** Every rule an edge list breaks, one line each; empty when the edges keep the rule. */
export function ruleViolations(edges: readonly ImportEdge[], allowed = ALLOWED): string[] {
  const problems: string[] = [];
  const folderEdges = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === b) continue;
    if (!(allowed[a] ?? []).includes(b)) problems.push(`${from} imports ${to}: ${a}/ may not import ${b}/`);
    if ((FRONT_DOOR.from as readonly string[]).includes(a) && b === FRONT_DOOR.folder && to !== FRONT_DOOR.file) {
      problems.push(`${from} imports ${to}: ${a}/ enters analyzer/ only through ${FRONT_DOOR.file}`);
    }
    if (!folderEdges.has(a)) folderEdges.set(a, new Set());
    folderEdges.get(a)!.add(b);
  }
  const cycle = findCycle(folderEdges);
  if (cycle) problems.push(`folder-level import cycle: ${cycle.join(' → ')}`);
  return problems;
}

/** A cycle in the folder graph as a path that ends where it starts, or undefined. */
export function findCycle(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

// static imports and re-exports (`… from '…'`, type-only too), side-effect imports, dynamic import('…')
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'k6') out.push(...tsFiles(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The project-internal import edges of every .ts file in `folders` (relative specifiers only). */
export function readEdges(root: string, folders: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const folder of folders) {
    for (const file of tsFiles(join(root, folder))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(SPECIFIER)) {
        const spec = m[1]!;
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
        edges.push({ from: relative(root, file).split(sep).join('/'), to: relative(root, target).split(sep).join('/') });
      }
    }
  }
  return edges;
}
