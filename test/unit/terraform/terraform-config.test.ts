/**
 * The terraform/ configuration, checked on its parsed form (no terraform binary or AWS account here): the same
 * rules checkov/tfsec would apply for this deployment (public database, encryption, world-open ingress, log
 * retention, HTTP->HTTPS redirect, least-privilege IAM) plus the internal consistency `terraform validate` would
 * check (every variable/local/resource reference resolves).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, FIELDS } from '../../../middleware/schema.js';
import {
  blockText,
  FARGATE_MEMORY,
  isValidFargatePair,
  loadTerraform,
  refs,
  resolve,
  resource,
  resourcesOf,
  strings,
  TERRAFORM_DIR,
  variableDefault,
  type Block,
  type TerraformModel,
} from './terraform-model.js';

let tf: TerraformModel;

beforeAll(async () => {
  tf = await loadTerraform();
});

const WORLD = new Set(['0.0.0.0/0', '::/0']);

describe('terraform files', () => {
  it('every .tf file parses, and the expected files exist', () => {
    const names = tf.files.map((f) => f.name);
    for (const expected of ['main.tf', 'network.tf', 'alb.tf', 'alb-logs.tf', 'ecs.tf', 'rds.tf', 'logs.tf', 'iam.tf', 'loadgen.tf', 'queries.tf', 'variables.tf', 'outputs.tf', 'versions.tf']) {
      expect(names).toContain(expected);
    }
    for (const f of tf.files) expect(Object.keys(f.json).length, `${f.name} parsed to nothing`).toBeGreaterThan(0);
  });

  it('is formatted as `terraform fmt` wants (when the terraform binary is installed)', () => {
    let hasTerraform = true;
    try {
      execFileSync('terraform', ['version'], { stdio: 'ignore' });
    } catch {
      hasTerraform = false;
    }
    if (!hasTerraform) return; // nothing to compare against; the parse checks above still ran
    // -check exits 3 and lists the files that would change
    expect(() => execFileSync('terraform', ['fmt', '-check', '-recursive', TERRAFORM_DIR], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('references (what `terraform validate` would catch)', () => {
  it('every variable referenced is declared and every declared variable is used outside its own block', () => {
    const declared = new Set(Object.keys(tf.variables));
    const used = new Set<string>();
    for (const f of tf.files) {
      const { variable: _ownBlocks, ...rest } = f.json; // a validation block referencing its own variable is not a use
      for (const name of refs(rest, /\bvar\.([A-Za-z_][A-Za-z0-9_]*)/g)) used.add(name);
    }
    expect([...used].filter((v) => !declared.has(v)), 'used but not declared').toEqual([]);
    expect([...declared].filter((v) => !used.has(v)), 'declared but never used').toEqual([]);
  });

  it('every variable has a type and a description', () => {
    for (const [name, v] of Object.entries(tf.variables)) {
      expect(v.type, `variable ${name} type`).toBeDefined();
      expect(typeof v.description === 'string' && v.description.length > 10, `variable ${name} description`).toBe(true);
    }
  });

  it('terraform.tfvars.example sets only declared variables', () => {
    const example = readFileSync(join(TERRAFORM_DIR, 'terraform.tfvars.example'), 'utf8');
    const keys = [...example.matchAll(/^([a-z_][a-z0-9_]*)\s*=/gm)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.filter((k) => !(k in tf.variables))).toEqual([]);
  });

  it('every local referenced is defined and every local defined is used', () => {
    const used = new Set<string>();
    for (const f of tf.files) for (const name of refs(f.json, /\blocal\.([A-Za-z_][A-Za-z0-9_]*)/g)) used.add(name);
    const defined = new Set(Object.keys(tf.locals));
    expect([...used].filter((l) => !defined.has(l)), 'used but not defined').toEqual([]);
    expect([...defined].filter((l) => !used.has(l)), 'defined but never used').toEqual([]);
  });

  it('every resource and data source referenced exists, indexed exactly when it has count/for_each', () => {
    const problems: string[] = [];
    const all = strings(tf.files.map((f) => f.json));
    const check = (kind: 'resource' | 'data', table: Record<string, Record<string, Block>>, re: RegExp) => {
      for (const s of all) {
        for (const m of s.matchAll(re)) {
          const [, type, name, next] = m as unknown as [string, string, string, string];
          const body = table[type]?.[name];
          if (!body) {
            problems.push(`${kind} ${type}.${name} referenced but not declared`);
            continue;
          }
          const multi = body.count !== undefined || body.for_each !== undefined;
          // `[` or `[*]` after a counted resource; a plain attribute after a single one. depends_on lists bare names.
          if (multi && next === '.') problems.push(`${type}.${name} has count/for_each but is used without an index: ${s.slice(0, 80)}`);
          if (!multi && next === '[') problems.push(`${type}.${name} is single but indexed: ${s.slice(0, 80)}`);
        }
      }
    };
    check('resource', tf.resources, /(?<![.\w])(aws_[a-z0-9_]+)\.([a-z0-9_]+)([.[]?)/g);
    check('data', tf.data, /\bdata\.(aws_[a-z0-9_]+)\.([a-z0-9_]+)([.[]?)/g);
    expect(problems).toEqual([]);
  });
});

describe('outputs', () => {
  it('give the endpoint URL, the log group name and the analyze command', () => {
    expect(tf.outputs.endpoint_url?.value).toBe('${local.endpoint_url}');
    expect(tf.locals.endpoint_url).toMatch(/aws_lb\.app\.dns_name/);
    expect(tf.outputs.log_group_name?.value).toBe('${aws_cloudwatch_log_group.app.name}');
    const analyze = String(tf.outputs.analyze_command?.value);
    expect(analyze).toMatch(/^logjam analyze --run <run-id> --log-group \$\{aws_cloudwatch_log_group\.app\.name\} --region \$\{var\.aws_region\}$/);
  });

  it('give everything scripts/start-load-run.sh reads', () => {
    const script = readFileSync(join(TERRAFORM_DIR, '..', 'scripts', 'start-load-run.sh'), 'utf8');
    const read = [...script.matchAll(/tf_output ([a-z_]+)\)/g)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThanOrEqual(7);
    for (const name of read) expect(tf.outputs, `output ${name}`).toHaveProperty(name);
  });
});

describe('database', () => {
  it('is not public, is encrypted, and its password is managed by RDS in Secrets Manager', () => {
    const dbs = resourcesOf(tf, 'aws_db_instance');
    expect(dbs.length).toBe(1);
    for (const [name, db] of dbs) {
      expect(db.publicly_accessible, `${name}.publicly_accessible`).toBe(false);
      expect(db.storage_encrypted, `${name}.storage_encrypted`).toBe(true);
      expect(db.manage_master_user_password, `${name}.manage_master_user_password`).toBe(true);
      expect(db, 'no password in the configuration or state').not.toHaveProperty('password');
      expect(db.engine).toBe('postgres');
      expect(db.vpc_security_group_ids).toEqual(['${aws_security_group.db.id}']);
    }
    expect(variableDefault(tf, 'db_instance_class')).toBe('db.t3.micro');
  });

  it('hands the secret to the app task as `secrets`, never as a plain environment value', () => {
    const secrets = tf.locals.app_secrets as { name: string; valueFrom: string }[];
    expect(secrets).toEqual([
      { name: 'PGUSER', valueFrom: '${local.db_secret_arn}:username::' },
      { name: 'PGPASSWORD', valueFrom: '${local.db_secret_arn}:password::' },
    ]);
    expect(tf.locals.db_secret_arn).toBe('${aws_db_instance.main.master_user_secret[0].secret_arn}');
    const envNames = (tf.locals.app_environment_base as { name: string }[]).map((e) => e.name);
    expect(envNames.filter((n) => /PASSWORD|SECRET|PGUSER|DATABASE_URL/.test(n))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Security groups
// ---------------------------------------------------------------------------------------------------------------------

interface IngressRule {
  where: string;
  group: string; // expression of the security group it belongs to
  fromPort: unknown;
  toPort: unknown;
  cidrs: unknown[]; // resolved CIDRs; undefined entries = could not be resolved
  sourceGroup?: unknown;
}

/** Resolve the CIDRs of a rule body; `each.value` is resolved through its for_each over a variable's default. */
function ruleCidrs(body: Block): unknown[] {
  const raw = [body.cidr_blocks, body.ipv6_cidr_blocks, body.cidr_ipv4, body.cidr_ipv6].filter((v) => v !== undefined);
  const out: unknown[] = [];
  for (const value of raw) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === '${each.value}') {
        const vars = [...refs(body.for_each, /\bvar\.([A-Za-z0-9_]+)/g)];
        if (vars.length === 0) out.push(undefined);
        for (const name of vars) out.push(...((variableDefault(tf, name) as unknown[]) ?? [undefined]));
      } else {
        const r = resolve(tf, v);
        out.push(...(Array.isArray(r) ? r : [r]));
      }
    }
  }
  return out;
}

function ingressRules(): IngressRule[] {
  const rules: IngressRule[] = [];
  for (const [name, sg] of resourcesOf(tf, 'aws_security_group')) {
    for (const [i, rule] of ((sg.ingress ?? []) as Block[]).entries()) {
      rules.push({ where: `aws_security_group.${name}.ingress[${i}]`, group: `\${aws_security_group.${name}.id}`, fromPort: rule.from_port, toPort: rule.to_port, cidrs: ruleCidrs(rule), sourceGroup: (rule.security_groups as unknown[] | undefined)?.[0] });
    }
  }
  for (const [name, rule] of resourcesOf(tf, 'aws_security_group_rule')) {
    if (rule.type !== 'ingress') continue;
    rules.push({ where: `aws_security_group_rule.${name}`, group: String(rule.security_group_id), fromPort: rule.from_port, toPort: rule.to_port, cidrs: ruleCidrs(rule), sourceGroup: rule.source_security_group_id });
  }
  for (const [name, rule] of resourcesOf(tf, 'aws_vpc_security_group_ingress_rule')) {
    rules.push({ where: `aws_vpc_security_group_ingress_rule.${name}`, group: String(rule.security_group_id), fromPort: rule.from_port, toPort: rule.to_port, cidrs: ruleCidrs(rule), sourceGroup: rule.referenced_security_group_id });
  }
  return rules;
}

describe('security groups', () => {
  const albGroup = () => (resource(tf, 'aws_lb', 'app').security_groups as string[])[0];
  const appGroup = () => (resource(tf, 'aws_ecs_service', 'app').network_configuration as Block[])[0]!.security_groups as string[];
  const listenerPorts = () => resourcesOf(tf, 'aws_lb_listener').map(([, l]) => l.port);

  it('nothing but the load balancer listener ports is open to 0.0.0.0/0 or ::/0', () => {
    const rules = ingressRules();
    expect(rules.length).toBeGreaterThanOrEqual(3);
    const ports = new Set(listenerPorts());
    expect([...ports].sort()).toEqual([443, 80]);
    const problems: string[] = [];
    for (const rule of rules) {
      if (rule.cidrs.some((c) => c === undefined)) problems.push(`${rule.where}: CIDR cannot be resolved, so it cannot be shown to be closed`);
      if (!rule.cidrs.some((c) => WORLD.has(String(c)))) continue;
      if (rule.group !== albGroup()) problems.push(`${rule.where}: open to the world on a group that is not the load balancer's`);
      if (rule.fromPort !== rule.toPort || !ports.has(rule.fromPort as number)) problems.push(`${rule.where}: open to the world on ports ${String(rule.fromPort)}-${String(rule.toPort)}, not a listener port`);
    }
    expect(problems).toEqual([]);
  });

  it('port 443 is only opened when the HTTPS listener exists', () => {
    for (const rule of ingressRules().filter((r) => r.fromPort === 443)) {
      const [, name] = rule.where.split('.');
      expect(String(resource(tf, 'aws_vpc_security_group_ingress_rule', name!).for_each)).toMatch(/^\$\{local\.https_enabled \?/);
    }
    expect(resource(tf, 'aws_lb_listener', 'https').count).toBe('${local.https_enabled ? 1 : 0}');
  });

  it('only the load balancer reaches the app, and only the app reaches the database', () => {
    const rules = ingressRules();
    expect(appGroup()).toEqual(['${aws_security_group.app.id}']);
    const intoApp = rules.filter((r) => r.group === '${aws_security_group.app.id}');
    expect(intoApp.length).toBeGreaterThan(0);
    for (const r of intoApp) {
      expect(r.cidrs, r.where).toEqual([]);
      expect(r.sourceGroup, r.where).toBe(albGroup());
      expect(r.fromPort).toBe('${var.app_port}');
    }
    const intoDb = rules.filter((r) => r.group === '${aws_security_group.db.id}');
    expect(intoDb.length).toBeGreaterThan(0);
    for (const r of intoDb) {
      expect(r.cidrs, r.where).toEqual([]);
      expect(r.sourceGroup, r.where).toBe('${aws_security_group.app.id}');
      expect([r.fromPort, r.toPort]).toEqual([5432, 5432]);
    }
    // nothing may come into the load generators
    expect(rules.filter((r) => r.group === '${aws_security_group.loadgen.id}')).toEqual([]);
  });
});

describe('load balancer', () => {
  it('the HTTP listener redirects to HTTPS whenever a certificate is set', () => {
    expect(tf.locals.https_enabled).toBe('${var.certificate_arn != ""}');
    const http = resource(tf, 'aws_lb_listener', 'http');
    expect(http.port).toBe(80);
    const action = (http.default_action as Block[])[0]!;
    expect(action.type).toBe('${local.https_enabled ? "redirect" : "forward"}');
    const redirect = (action.dynamic as Block).redirect as Block[];
    expect(action.target_group_arn).toBe('${local.https_enabled ? null : aws_lb_target_group.app.arn}');
    expect(redirect[0]!.for_each).toBe('${local.https_enabled ? [1] : []}');
    expect((redirect[0]!.content as Block[])[0]).toMatchObject({ protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' });
    const https = resource(tf, 'aws_lb_listener', 'https');
    expect(https).toMatchObject({ protocol: 'HTTPS', port: 443, certificate_arn: '${var.certificate_arn}' });
    expect(String(https.ssl_policy)).toMatch(/^ELBSecurityPolicy-TLS13-1-2/);
  });

  it('plain HTTP without a certificate has its exception written next to the listener', () => {
    const text = blockText(tf, 'aws_lb_listener', 'http');
    expect(text).toMatch(/EXCEPTION \(justified\)/);
    expect(text).toMatch(/checkov:skip=CKV2_AWS_20:/);
  });

  it('drops invalid header fields and health-checks the app', () => {
    expect(resource(tf, 'aws_lb', 'app').drop_invalid_header_fields).toBe(true);
    const hc = (resource(tf, 'aws_lb_target_group', 'app').health_check as Block[])[0]!;
    expect(hc.path).toBe('/api/v1/health');
  });
});

describe('ALB access logs', () => {
  it('are enabled, to the S3 bucket of alb-logs.tf under their prefix, once the bucket policy lets the ALB write', () => {
    const lb = resource(tf, 'aws_lb', 'app');
    expect((lb.access_logs as Block[])[0]).toEqual({ enabled: true, bucket: '${aws_s3_bucket.alb_logs.id}', prefix: '${local.alb_log_prefix}' });
    expect(lb.depends_on).toEqual(['${aws_s3_bucket_policy.alb_logs}']);
    expect(blockText(tf, 'aws_lb', 'app')).not.toMatch(/CKV_AWS_91/);
  });

  it('the bucket is private, SSE-S3 encrypted (the only kind ALB log delivery accepts) and its logs expire', () => {
    expect(resource(tf, 'aws_s3_bucket_public_access_block', 'alb_logs')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const sse = resource(tf, 'aws_s3_bucket_server_side_encryption_configuration', 'alb_logs');
    expect(((sse.rule as Block[])[0]!.apply_server_side_encryption_by_default as Block[])[0]!.sse_algorithm).toBe('AES256');
    const rule = (resource(tf, 'aws_s3_bucket_lifecycle_configuration', 'alb_logs').rule as Block[])[0]!;
    expect(rule.status).toBe('Enabled');
    expect((rule.expiration as Block[])[0]!.days).toBe('${var.alb_log_retention_days}');
    expect(variableDefault(tf, 'alb_log_retention_days')).toBe(14);
  });

  it('the bucket policy lets only the ELB log delivery put objects, only under this account\'s prefix', () => {
    expect(resource(tf, 'aws_s3_bucket_policy', 'alb_logs').policy).toBe('${data.aws_iam_policy_document.alb_logs.json}');
    const doc = tf.data.aws_iam_policy_document!.alb_logs!;
    const st = doc.statement as Block[];
    expect(st).toHaveLength(2);
    for (const x of st) {
      expect(x.actions).toEqual(['s3:PutObject']);
      expect(x.resources).toEqual(['${local.alb_log_objects_arn}']);
      expect(x.effect ?? 'Allow').toBe('Allow');
    }
    expect(st.map((x) => (x.principals as Block[])[0]!.identifiers)).toEqual([
      ['${data.aws_elb_service_account.main.arn}'],
      ['logdelivery.elasticloadbalancing.amazonaws.com'],
    ]);
    expect(tf.locals.alb_log_objects_arn).toBe(
      '${aws_s3_bucket.alb_logs.arn}/${local.alb_log_prefix}/AWSLogs/${data.aws_caller_identity.current.account_id}/*',
    );
  });

  it('an output says how to download them and join them with logjam analyze --alb-logs', () => {
    expect(String(tf.outputs.alb_logs_command?.value)).toMatch(/^aws s3 sync s3:\/\/\$\{aws_s3_bucket\.alb_logs\.id\}\/.*--alb-logs alb-logs\/$/);
  });
});

describe('logs', () => {
  it('the log group keeps lines for a bounded, valid number of days and defaults to `taskoverflow`', () => {
    for (const [name, group] of resourcesOf(tf, 'aws_cloudwatch_log_group')) {
      const days = resolve(tf, group.retention_in_days);
      expect(typeof days === 'number' && days > 0, `${name}.retention_in_days = ${String(days)}`).toBe(true);
    }
    expect(resource(tf, 'aws_cloudwatch_log_group', 'app').name).toBe('${var.log_group_name}');
    expect(variableDefault(tf, 'log_group_name')).toBe('taskoverflow');
  });

  it('the app and the load generators both log to that group through the awslogs driver', () => {
    for (const [local, prefix] of [['app_container', 'app'], ['k6_container', 'k6']] as const) {
      const container = tf.locals[local] as Block;
      expect((container.logConfiguration as Block).logDriver).toBe('awslogs');
      expect((container.logConfiguration as Block).options).toMatchObject({
        'awslogs-group': '${aws_cloudwatch_log_group.app.name}',
        'awslogs-stream-prefix': prefix,
        mode: 'blocking',
      });
    }
  });

  it('saved queries cover the analyzer findings and use only schema field and event names', () => {
    const queries = resourcesOf(tf, 'aws_cloudwatch_query_definition');
    const names = queries.map(([, q]) => String(q.name));
    for (const wanted of ['errors-by-route', 'suspicious-paths', 'latency-percentiles-over-time', 'request-trace']) {
      expect(names.some((n) => n.endsWith(`/${wanted}`)), wanted).toBe(true);
    }
    const fields = new Set<string>(Object.values(FIELDS));
    const events = new Set<string>(Object.values(EVENTS));
    for (const [name, q] of queries) {
      expect(q.log_group_names).toEqual(['${aws_cloudwatch_log_group.app.name}']);
      const text = String(q.query_string).split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');
      for (const m of text.matchAll(/\bevent = "([^"]+)"/g)) expect(events.has(m[1]!), `${name}: event ${m[1]}`).toBe(true);
      // snake_case names are fields (functions and keywords have no underscore); aliases after `as` are ours
      const aliases = new Set([...text.matchAll(/\bas ([a-z0-9_]+)/g)].map((m) => m[1]!));
      for (const m of text.matchAll(/(?<![@\w.])([a-z][a-z0-9]*_[a-z0-9_]+)\b/g)) {
        if (!aliases.has(m[1]!)) expect(fields.has(m[1]!), `${name}: field ${m[1]}`).toBe(true);
      }
      for (const m of text.matchAll(/\bby ([a-z_, ]+)$/gm)) {
        for (const f of m[1]!.split(',').map((s) => s.trim()).filter(Boolean)) expect(fields.has(f), `${name}: group-by ${f}`).toBe(true);
      }
    }
  });
});

describe('ECS', () => {
  it('the Fargate CPU/memory defaults form valid pairs, and the precondition table agrees with AWS', () => {
    for (const [cpuVar, memVar] of [['app_cpu', 'app_memory'], ['loadgen_cpu', 'loadgen_memory']] as const) {
      const cpu = variableDefault(tf, cpuVar) as number;
      const mem = variableDefault(tf, memVar) as number;
      expect(isValidFargatePair(cpu, mem), `${cpuVar}=${cpu} ${memVar}=${mem}`).toBe(true);
    }
    expect([variableDefault(tf, 'app_cpu'), variableDefault(tf, 'app_memory')]).toEqual([1024, 2048]);
    // the table terraform checks with (local.fargate_memory: literal lists and range(start, stop, step))
    const table = tf.locals.fargate_memory as Record<string, unknown>;
    expect(Object.keys(table).map(Number).sort((a, b) => a - b)).toEqual(Object.keys(FARGATE_MEMORY).map(Number));
    for (const [cpu, spec] of Object.entries(table)) {
      let values: number[];
      if (Array.isArray(spec)) values = spec as number[];
      else {
        const m = /^\$\{range\((\d+), (\d+), (\d+)\)\}$/.exec(String(spec));
        expect(m, `fargate_memory["${cpu}"]`).not.toBeNull();
        const [start, stop, step] = [Number(m![1]), Number(m![2]), Number(m![3])];
        values = [];
        for (let v = start; v < stop; v += step) values.push(v);
      }
      for (const v of values) expect(isValidFargatePair(Number(cpu), v), `${cpu}/${v}`).toBe(true);
      // and nothing valid is missing
      const { min, max, step } = FARGATE_MEMORY[Number(cpu)]!;
      for (let v = min; v <= max; v += step) if (isValidFargatePair(Number(cpu), v)) expect(values).toContain(v);
    }
    for (const name of ['app', 'loadgen']) {
      const pre = ((resource(tf, 'aws_ecs_task_definition', name).lifecycle as Block[])[0]!.precondition as Block[])[0]!;
      expect(pre.condition).toBe(`\${contains(local.fargate_memory[tostring(var.${name}_cpu)], var.${name}_memory)}`);
    }
  });

  it('the app task gets its sizing, concurrency, pool and database settings from variables', () => {
    const td = resource(tf, 'aws_ecs_task_definition', 'app');
    expect(td).toMatchObject({ cpu: '${var.app_cpu}', memory: '${var.app_memory}', network_mode: 'awsvpc', requires_compatibilities: ['FARGATE'] });
    const env = Object.fromEntries((tf.locals.app_environment_base as { name: string; value: unknown }[]).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      PORT: '${tostring(var.app_port)}',
      WEB_CONCURRENCY: '${tostring(var.web_concurrency)}',
      DB_POOL_MAX: '${tostring(var.db_pool_max)}',
      SERVICE_NAME: '${local.service_name}',
      DATABASE_SSL: 'require',
      PGHOST: '${aws_db_instance.main.address}',
      PGDATABASE: '${var.db_name}',
    });
    expect(resource(tf, 'aws_ecs_service', 'app').desired_count).toBe('${var.app_desired_count}');
    // no DATABASE_URL: the app connects with the PG* variables (user and password are `secrets`)
    expect(Object.keys(env)).not.toContain('DATABASE_URL');
    expect(env).toHaveProperty('PGPORT');
    // the direct CloudWatch transport is opt-in and writes to the same group; then the lines leave stdout (else the
    // awslogs driver ships each one a second time) and the transport does not try to create terraform's group
    expect(tf.locals.app_environment_direct).toEqual([
      { name: 'LOGJAM_CLOUDWATCH_LOG_GROUP', value: '${aws_cloudwatch_log_group.app.name}' },
      { name: 'LOG_STDOUT', value: '0' },
      { name: 'LOGJAM_CLOUDWATCH_CREATE_GROUP', value: '0' },
    ]);
    expect(tf.locals.app_environment).toBe('${concat(local.app_environment_base, var.direct_cloudwatch_transport ? local.app_environment_direct : [])}');
    expect(variableDefault(tf, 'direct_cloudwatch_transport')).toBe(false);
  });

  it('the k6 task runs the k6 image from its own ECR repository with ENDPOINT and RUN_ID', () => {
    const k6 = tf.locals.k6_container as Block;
    expect(k6.image).toBe('${aws_ecr_repository.loadgen.repository_url}:${var.loadgen_image_tag}');
    expect(k6.command).toEqual(['run', '--quiet', '--no-color', '/scripts/${var.k6_script}']);
    const env = Object.fromEntries((tf.locals.k6_environment as { name: string; value: unknown }[]).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ ENDPOINT: '${local.endpoint_url}', RUN_ID: '', SUMMARY_STDOUT: '1' });
    const dockerfile = readFileSync(join(TERRAFORM_DIR, 'loadgen', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM grafana\/k6:/m);
    expect(dockerfile).toMatch(/COPY .*\*\.js \/scripts\//);
  });

  it('the default k6 script is one of the lab scripts that go into the image', () => {
    const script = String(variableDefault(tf, 'k6_script'));
    expect(existsSync(join(TERRAFORM_DIR, '..', 'loadtests', 'k6', script)), `loadtests/k6/${script}`).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// IAM
// ---------------------------------------------------------------------------------------------------------------------

interface Statement {
  actions: string[];
  resources: string[];
}

function statements(doc: string): Statement[] {
  const body = tf.data.aws_iam_policy_document?.[doc];
  if (!body) throw new Error(`aws_iam_policy_document.${doc} not found`);
  return (body.statement as Block[]).map((s) => ({ actions: s.actions as string[], resources: s.resources as string[] }));
}

// Actions whose Service Authorization Reference entry lists no resource type: "*" is the only valid Resource.
const NO_RESOURCE_TYPE = new Set(['logs:GetQueryResults', 'logs:StopQuery', 'logs:DescribeLogGroups', 'ecr:GetAuthorizationToken']);
const LOG_GROUP = '${local.log_group_arn}';
const LOG_STREAMS = '${local.log_streams_arn}';

describe('IAM', () => {
  it('the analyzer may only run Logs Insights queries, StartQuery only on this log group', () => {
    const st = statements('analyzer');
    expect(new Set(st.flatMap((s) => s.actions))).toEqual(new Set(['logs:StartQuery', 'logs:GetQueryResults', 'logs:StopQuery', 'logs:DescribeLogGroups']));
    const start = st.find((s) => s.actions.includes('logs:StartQuery'))!;
    expect(start.actions).toEqual(['logs:StartQuery']);
    expect(start.resources).toEqual([LOG_GROUP, '${local.log_group_arn}:*']);
    expect(tf.locals.log_group_arn).toBe('${aws_cloudwatch_log_group.app.arn}');
  });

  it('the app transport may only create streams and put events in this log group', () => {
    const st = statements('app_transport');
    expect(st).toEqual([{ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [LOG_GROUP, LOG_STREAMS] }]);
    expect(tf.locals.log_streams_arn).toBe('${aws_cloudwatch_log_group.app.arn}:log-stream:*');
  });

  it('the task execution role pulls the two images, writes logs and reads the database secret, nothing else', () => {
    const st = statements('task_execution');
    expect(new Set(st.flatMap((s) => s.actions))).toEqual(new Set([
      'ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage',
      'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue',
    ]));
    const secret = st.find((s) => s.actions.includes('secretsmanager:GetSecretValue'))!;
    expect(secret.resources).toEqual(['${local.db_secret_arn}']);
  });

  it('"*" appears only for actions that have no resource type, and no action is a wildcard', () => {
    for (const doc of Object.keys(tf.data.aws_iam_policy_document ?? {})) {
      for (const s of statements(doc)) {
        for (const a of s.actions) expect(a, `${doc}: ${a}`).not.toMatch(/\*/);
        if (s.resources?.includes('*')) {
          for (const a of s.actions) expect(NO_RESOURCE_TYPE.has(a), `${doc}: ${a} on "*"`).toBe(true);
        }
      }
    }
  });

  it('use_existing_role creates no IAM at all and runs the tasks as the existing role', () => {
    expect(tf.locals.create_iam).toBe('${!var.use_existing_role}');
    expect(tf.locals.create_app_role).toBe('${local.create_iam && var.direct_cloudwatch_transport}');
    const iamTypes = Object.keys(tf.resources).filter((t) => t.startsWith('aws_iam_'));
    expect(iamTypes).toEqual(expect.arrayContaining(['aws_iam_role', 'aws_iam_policy']));
    for (const type of iamTypes) {
      for (const [name, body] of resourcesOf(tf, type)) {
        expect(body.count, `${type}.${name} must be conditional`).toMatch(/^\$\{local\.(create_iam|create_app_role) \? 1 : 0\}$/);
      }
    }
    expect(tf.locals.existing_role_arn).toMatch(/:role\/\$\{var\.existing_role_name\}$/);
    expect(variableDefault(tf, 'existing_role_name')).toBe('LabRole');
    expect(tf.locals.execution_role).toBe('${local.create_iam ? aws_iam_role.task_execution[0].arn : local.existing_role_arn}');
    for (const name of ['app', 'loadgen']) {
      expect(resource(tf, 'aws_ecs_task_definition', name).execution_role_arn).toBe('${local.execution_role}');
    }
  });
});
