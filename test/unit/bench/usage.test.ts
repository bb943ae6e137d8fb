/**
 * The benchmarks' command lines (bench/usage.ts): `--help` answers without starting a run (a full analyzer or
 * middleware run takes minutes), a mistyped flag is refused instead of ignored, and `npm run bench` hands each part
 * only the flags it takes (a part refuses the others).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCH_USAGE, argsFor, flagValue, readBenchArgs, usageText } from '../../../bench/usage.js';
import { ROOT } from '../../e2e/support/app-child.js';

const ALL = [...BENCH_USAGE.middleware.flags, ...BENCH_USAGE.analyzer.flags, ...BENCH_USAGE['client-join'].flags, ...BENCH_USAGE.cloudwatch.flags];

describe('a benchmark\'s arguments', () => {
  it('takes its flags, with values after them or after =', () => {
    expect(readBenchArgs(['--smoke', '--rounds', '3', '--lines=1000', '--json'], BENCH_USAGE.analyzer)).toMatchObject({ ok: true });
    expect(flagValue(['--events=600000'], '--events')).toBe('600000');
    expect(flagValue(['--events', '600000'], '--events')).toBe('600000');
    expect(flagValue(['--smoke'], '--events')).toBeUndefined();
  });

  it('refuses a flag it does not take, a missing value, a value on a switch, and a stray word', () => {
    expect(readBenchArgs(['--line', '1000'], BENCH_USAGE.analyzer)).toEqual({ ok: false, message: 'unknown flag --line' });
    expect(readBenchArgs(['--rounds'], BENCH_USAGE.analyzer)).toEqual({ ok: false, message: '--rounds needs a value (N)' });
    expect(readBenchArgs(['--rounds', '--smoke'], BENCH_USAGE.analyzer)).toEqual({ ok: false, message: '--rounds needs a value (N)' });
    expect(readBenchArgs(['--smoke=yes'], BENCH_USAGE.analyzer)).toEqual({ ok: false, message: '--smoke takes no value' });
    expect(readBenchArgs(['fast'], BENCH_USAGE.analyzer)).toEqual({ ok: false, message: 'unexpected argument "fast"' });
  });

  it('hands each part of `npm run bench` only the flags that part takes, with their values', () => {
    const args = ['--smoke', '--rounds', '2', '--duration', '5', '--node', '/opt/node', '--requests', '1000', '--events=500'];
    expect(argsFor(args, BENCH_USAGE.middleware, ALL)).toEqual(['--smoke', '--rounds', '2', '--duration', '5', '--node', '/opt/node']);
    expect(argsFor(args, BENCH_USAGE.analyzer, ALL)).toEqual(['--smoke', '--rounds', '2']);
    expect(argsFor(args, BENCH_USAGE['client-join'], ALL)).toEqual(['--smoke', '--requests', '1000']);
    expect(argsFor(args, BENCH_USAGE.cloudwatch, ALL)).toEqual(['--smoke', '--events=500']);
  });

  it('lists every flag in its usage', () => {
    const text = usageText(BENCH_USAGE.middleware);
    for (const f of BENCH_USAGE.middleware.flags) expect(text).toContain(f.flag);
    expect(text).toContain('--help');
  });
});

describe('the built benchmarks', () => {
  const bench = (file: string, args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', file), ...args], { encoding: 'utf8', timeout: 30_000 });

  it('--help prints the usage and starts nothing', () => {
    for (const file of ['analyzer.js', 'middleware.js', 'client-join.js', 'cloudwatch.js', 'run-all.js']) {
      const r = bench(file, ['--help']);
      expect(r.status, `${file}: ${r.stderr}`).toBe(0);
      expect(r.stdout, file).toMatch(/^usage: /);
      expect(r.stdout, file).not.toContain('===');
    }
    expect(bench('run-all.js', ['--help']).stdout).toContain('cloudwatch: --events --smoke --json');
  });

  it('a mistyped flag or part: exit 2 with what is wrong, and no run', () => {
    const typo = bench('analyzer.js', ['--line', '1000']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('unknown flag --line');
    expect(typo.stdout).toBe('');
    const part = bench('run-all.js', ['analyser']);
    expect(part.status).toBe(2);
    expect(part.stderr).toContain('unknown benchmark "analyser"');
  });
});
