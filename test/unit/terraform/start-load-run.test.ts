/**
 * scripts/start-load-run.sh against the real AWS CLI pointed at a fake ECS endpoint on 127.0.0.1 (so the CLI's own
 * parsing of --network-configuration / --overrides is exercised), with a fake `terraform` on PATH answering
 * `terraform output -raw <name>`. Skipped where the AWS CLI is not installed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ID_PATTERN } from '../../../middleware/schema.js';

const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'scripts', 'start-load-run.sh');

function hasAwsCli(): boolean {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const OUTPUTS: Record<string, string> = {
  ecs_cluster_name: 'taskoverflow',
  loadgen_task_definition: 'taskoverflow-k6:7',
  loadgen_subnet_ids: 'subnet-aaa,subnet-bbb',
  loadgen_security_group_id: 'sg-123',
  aws_region: 'us-east-1',
  log_group_name: 'taskoverflow',
  load_generators: '4',
  k6_script: 'planners-and-studiers.js',
};

interface EcsCall {
  op: string;
  body: Record<string, unknown>;
}
interface RunTaskBody {
  count: number;
  cluster: string;
  taskDefinition: string;
  launchType: string;
  startedBy: string;
  networkConfiguration: { awsvpcConfiguration: { subnets: string[]; securityGroups: string[]; assignPublicIp: string } };
  overrides: { containerOverrides: { name: string; command: string[]; environment: { name: string; value: string }[] }[] };
}

/** What the fake ECS does: record calls; RunTask fails (capacity) on call `failRunTaskAt`; k6 exit codes in order. */
const fake = { calls: [] as EcsCall[], failRunTaskAt: -1, exitCodes: [] as number[], taskSeq: 0 };

function answer(op: string, body: Record<string, unknown>): unknown {
  if (op === 'RunTask') {
    const runTasks = fake.calls.filter((c) => c.op === 'RunTask').length;
    if (runTasks === fake.failRunTaskAt) return { tasks: [], failures: [{ reason: 'RESOURCE:FARGATE', detail: 'capacity unavailable' }] };
    const n = Number(body.count);
    return { tasks: Array.from({ length: n }, () => ({ taskArn: `arn:aws:ecs:us-east-1:123456789012:task/taskoverflow/t${fake.taskSeq++}` })), failures: [] };
  }
  if (op === 'DescribeTasks') {
    return {
      tasks: (body.tasks as string[]).map((arn) => {
        const index = Number(arn.split('/t').pop());
        return { taskArn: arn, lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited', containers: [{ name: 'k6', exitCode: fake.exitCodes[index] ?? 0 }] };
      }),
      failures: [],
    };
  }
  if (op === 'StopTask') return { task: { taskArn: body.task, lastStatus: 'STOPPED' } };
  return {};
}

let server: Server;
let endpoint: string;
let fakeBin: string;

function runTasks(): RunTaskBody[] {
  return fake.calls.filter((c) => c.op === 'RunTask').map((c) => c.body as unknown as RunTaskBody);
}
function envOf(call: RunTaskBody): Record<string, string> {
  return Object.fromEntries(call.overrides.containerOverrides[0]!.environment.map((e) => [e.name, e.value]));
}

function run(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(env)) if (/^(AWS_|LOADGEN_|LOG_GROUP_NAME$)/.test(k)) delete env[k];
  Object.assign(env, {
    PATH: `${fakeBin}:${process.env.PATH}`,
    AWS_ENDPOINT_URL_ECS: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'not-a-secret',
    AWS_CONFIG_FILE: join(fakeBin, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(fakeBin, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extraEnv,
  });
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!hasAwsCli())('scripts/start-load-run.sh', () => {
  beforeAll(async () => {
    fakeBin = mkdtempSync(join(tmpdir(), 'logjam-start-load-'));
    const cases = Object.entries(OUTPUTS).map(([k, v]) => `    ${k}) printf '%s' '${v}' ;;`).join('\n');
    writeFileSync(
      join(fakeBin, 'terraform'),
      `#!/usr/bin/env bash\n# fake: terraform -chdir=DIR output -raw NAME\n[[ $2 == output && $3 == -raw ]] || exit 1\n[[ -n \${FAKE_TF_BROKEN:-} ]] && { echo 'No outputs found' >&2; exit 1; }\ncase $4 in\n${cases}\n    *) echo "no output $4" >&2; exit 1 ;;\nesac\n`,
    );
    chmodSync(join(fakeBin, 'terraform'), 0o755);
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        const op = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
        const body = JSON.parse(text || '{}') as Record<string, unknown>;
        const reply = answer(op, body);
        fake.calls.push({ op, body });
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        res.end(JSON.stringify(reply));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(fakeBin, { recursive: true, force: true });
  });

  beforeEach(() => {
    Object.assign(fake, { calls: [], failRunTaskAt: -1, exitCodes: [], taskSeq: 0 });
  });

  it('split mode: one task per k6 execution segment, all with the same run id, settings from terraform output', async () => {
    const r = await run(['--run-id', 'lab-run.1']);
    expect(r.code, r.stderr).toBe(0);
    const calls = runTasks();
    expect(calls.length).toBe(4); // load_generators output
    expect(calls.map((c) => envOf(c).K6_EXECUTION_SEGMENT)).toEqual(['0:1/4', '1/4:2/4', '2/4:3/4', '3/4:1']);
    for (const c of calls) {
      expect(c).toMatchObject({ count: 1, cluster: 'taskoverflow', taskDefinition: 'taskoverflow-k6:7', launchType: 'FARGATE', startedBy: 'logjam/lab-run-1' });
      expect(c.networkConfiguration.awsvpcConfiguration).toEqual({ subnets: ['subnet-aaa', 'subnet-bbb'], securityGroups: ['sg-123'], assignPublicIp: 'ENABLED' });
      expect(envOf(c)).toMatchObject({ RUN_ID: 'lab-run.1', K6_EXECUTION_SEGMENT_SEQUENCE: '0,1/4,2/4,3/4,1' });
      expect(c.overrides.containerOverrides[0]!.name).toBe('k6');
      expect(c.overrides.containerOverrides[0]!.command).toEqual(['run', '--quiet', '--no-color', '/scripts/planners-and-studiers.js']);
    }
    expect(r.stdout).toContain('logjam analyze --run lab-run.1 --log-group taskoverflow --region us-east-1');
  });

  it('replicate mode starts N full copies, at most 10 per run-task call', async () => {
    const r = await run(['--mode', 'replicate', '--count', '23', '--run-id', 'r23', '--script', 'planners-and-studiers.fixed.js']);
    expect(r.code, r.stderr).toBe(0);
    const calls = runTasks();
    expect(calls.map((c) => c.count)).toEqual([10, 10, 3]);
    for (const c of calls) {
      expect(envOf(c)).toEqual({ RUN_ID: 'r23' });
      expect(c.overrides.containerOverrides[0]!.command.at(-1)).toBe('/scripts/planners-and-studiers.fixed.js');
    }
  });

  it('a single generator runs the whole scenario without segments; a generated run id is valid for the middleware', async () => {
    const r = await run(['--count', '1']);
    expect(r.code, r.stderr).toBe(0);
    const [call] = runTasks();
    const env = envOf(call!);
    expect(env.K6_EXECUTION_SEGMENT).toBeUndefined();
    expect(env.RUN_ID).toMatch(ID_PATTERN);
    expect(env.RUN_ID).toMatch(/^run-\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(r.stdout).toContain(`--run ${env.RUN_ID} `);
  });

  it('bad arguments exit 2 before anything is started', async () => {
    for (const args of [['--run-id', 'bad id with spaces'], ['--run-id', 'x'.repeat(129)], ['--count', '0'], ['--count', 'ten'], ['--mode', 'burst'], ['--script', '../etc/passwd'], ['--nope']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/start-load-run: /);
    }
    expect(fake.calls).toEqual([]);
  });

  it('missing terraform outputs exit 2 with the fix', async () => {
    const r = await run(['--run-id', 'r1'], { FAKE_TF_BROKEN: '1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/terraform apply/);
    expect(fake.calls).toEqual([]);
  });

  it('when ECS cannot start every generator, the run is aborted and what started is stopped', async () => {
    fake.failRunTaskAt = 2; // the third RunTask call gets a capacity failure
    const r = await run(['--run-id', 'partial']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/RESOURCE:FARGATE/);
    expect(r.stderr).toMatch(/started 0 of 1/);
    expect(runTasks().length).toBe(3); // nothing more is tried after the failure
    const stopped = fake.calls.filter((c) => c.op === 'StopTask').map((c) => c.body.task);
    expect(stopped).toEqual(['arn:aws:ecs:us-east-1:123456789012:task/taskoverflow/t0', 'arn:aws:ecs:us-east-1:123456789012:task/taskoverflow/t1']);
    expect(r.stdout).not.toContain('logjam analyze');
  });

  it('--wait reports how each generator ended and fails when one crashed', async () => {
    fake.exitCodes = [0, 99, 137];
    const r = await run(['--run-id', 'w1', '--count', '3', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 ok, 1 with failed k6 thresholds \(exit 99\), 1 failed/);
    expect(r.stderr).toMatch(/exit 137/);
    expect(fake.calls.filter((c) => c.op === 'DescribeTasks').length).toBe(1);

    fake.calls = [];
    fake.taskSeq = 0;
    fake.exitCodes = [0, 0];
    const ok = await run(['--run-id', 'w2', '--count', '2', '--wait']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/2 ok, 0 with failed k6 thresholds/);
  });
});
