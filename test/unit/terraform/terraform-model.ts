/**
 * Reads terraform/*.tf with @cdktf/hcl2json (the HCL parser Terraform's CDK uses) into one merged model the tests
 * query. No terraform binary or AWS account is needed: the checks run on the parsed configuration.
 *
 * hcl2json shapes: blocks are arrays of objects (`resource.aws_lb.app[0]`), nested blocks too
 * (`ingress: [{…}, {…}]`); literal values stay JSON values; anything with an expression becomes a string
 * wrapped in `${…}` (e.g. "${var.app_cpu}", "${local.https_enabled ? 1 : 0}").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';

export type Block = Record<string, unknown>;

export interface TfFile {
  name: string;
  text: string;
  json: Record<string, unknown>;
}

export interface TerraformModel {
  files: TfFile[];
  /** resources[type][name] = body */
  resources: Record<string, Record<string, Block>>;
  data: Record<string, Record<string, Block>>;
  variables: Record<string, Block>;
  outputs: Record<string, Block>;
  locals: Record<string, unknown>;
}

export const TERRAFORM_DIR = join(import.meta.dirname, '..', '..', '..', 'terraform');

function firstBody(value: unknown): Block {
  return (Array.isArray(value) ? value[0] : value) as Block;
}

function mergeTyped(target: Record<string, Record<string, Block>>, section: unknown): void {
  for (const [type, byName] of Object.entries((section ?? {}) as Record<string, Record<string, unknown>>)) {
    target[type] ??= {};
    for (const [name, body] of Object.entries(byName)) {
      if (target[type][name]) throw new Error(`duplicate ${type}.${name}`);
      target[type][name] = firstBody(body);
    }
  }
}

export async function loadTerraform(dir = TERRAFORM_DIR): Promise<TerraformModel> {
  const model: TerraformModel = { files: [], resources: {}, data: {}, variables: {}, outputs: {}, locals: {} };
  const names = readdirSync(dir).filter((f) => f.endsWith('.tf')).sort();
  for (const name of names) {
    const text = readFileSync(join(dir, name), 'utf8');
    const json = await parse(name, text);
    model.files.push({ name, text, json });
    mergeTyped(model.resources, json.resource);
    mergeTyped(model.data, json.data);
    for (const [k, v] of Object.entries((json.variable ?? {}) as Record<string, unknown>)) model.variables[k] = firstBody(v);
    for (const [k, v] of Object.entries((json.output ?? {}) as Record<string, unknown>)) model.outputs[k] = firstBody(v);
    for (const block of (json.locals ?? []) as Block[]) {
      for (const [k, v] of Object.entries(block)) {
        if (k in model.locals) throw new Error(`local.${k} defined twice`);
        model.locals[k] = v;
      }
    }
  }
  return model;
}

/** Every string value anywhere below `value` (expressions included). */
export function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** Names captured by `pattern` (first group) in every string below `value`. */
export function refs(value: unknown, pattern: RegExp): Set<string> {
  const found = new Set<string>();
  for (const s of strings(value)) for (const m of s.matchAll(pattern)) found.add(m[1]!);
  return found;
}

export function resource(model: TerraformModel, type: string, name: string): Block {
  const body = model.resources[type]?.[name];
  if (!body) throw new Error(`resource ${type}.${name} not found`);
  return body;
}

export function resourcesOf(model: TerraformModel, type: string): [string, Block][] {
  return Object.entries(model.resources[type] ?? {});
}

/** Default of a variable (undefined when it has none). */
export function variableDefault(model: TerraformModel, name: string): unknown {
  const v = model.variables[name];
  if (!v) throw new Error(`variable ${name} not declared`);
  return v.default;
}

/**
 * Resolve a plain value or a simple expression to the value Terraform would use with default variables:
 * literals, "${var.x}", "${local.x}" when the local is itself resolvable. Anything else returns undefined
 * (the caller decides whether "cannot tell" is a failure).
 */
export function resolve(model: TerraformModel, value: unknown, depth = 0): unknown {
  if (typeof value !== 'string' || depth > 5) return value;
  const whole = /^\$\{(var|local)\.([A-Za-z0-9_]+)\}$/.exec(value);
  if (!whole) return value.includes('${') ? undefined : value;
  return whole[1] === 'var'
    ? variableDefault(model, whole[2]!)
    : resolve(model, model.locals[whole[2]!], depth + 1);
}

/** The source text of one `resource "type" "name" { … }` block (comments included), for checks on comments. */
export function blockText(model: TerraformModel, type: string, name: string): string {
  for (const file of model.files) {
    const start = file.text.indexOf(`resource "${type}" "${name}" {`);
    if (start < 0) continue;
    const end = file.text.indexOf('\n}\n', start);
    return file.text.slice(start, end < 0 ? undefined : end + 2);
  }
  throw new Error(`resource ${type}.${name} not found in any file`);
}

/** Fargate task sizes: CPU units -> allowed memory (MiB). AWS documentation, "Task size". */
export const FARGATE_MEMORY: Record<number, { min: number; max: number; step: number }> = {
  256: { min: 512, max: 2048, step: 512 },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
};

export function isValidFargatePair(cpu: number, memoryMiB: number): boolean {
  const range = FARGATE_MEMORY[cpu];
  if (!range) return false;
  // 256 CPU allows 512, 1024, 2048: multiples of 512 from 512 would also admit 1536, which AWS rejects.
  if (cpu === 256) return [512, 1024, 2048].includes(memoryMiB);
  return memoryMiB >= range.min && memoryMiB <= range.max && memoryMiB % range.step === 0;
}
