#!/usr/bin/env node
// Run by `npm test` before vitest: the system programs two tests need, so that a fresh machine passes instead of
// failing 4 tests in 2 files, and no test is skipped silently.
//   chromium: test/integration/html-report.test.ts opens the HTML report in a real browser;
//   aws:      test/unit/terraform/start-load-run.test.ts runs scripts/start-load-run.sh with the real AWS CLI.
// As root with apt-get (CI, containers) the missing Debian packages are installed, saying so on stderr; elsewhere
// it stops at once with one message naming the command to run. Plain JavaScript, no dependencies.
import { spawnSync } from 'node:child_process';

const say = (msg) => process.stderr.write(`[logjam] ${msg}\n`);

/** program on PATH → Debian package that provides it */
const NEEDED = [
  { program: 'chromium', pkg: 'chromium', test: 'HTML-report' },
  { program: 'aws', pkg: 'awscli', test: 'start-load-run' },
];

const onPath = (program) => spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
const missing = NEEDED.filter((n) => !onPath(n.program));
if (missing.length === 0) process.exit(0);

const pkgs = missing.map((n) => n.pkg).join(' ');
const tests = missing.map((n) => n.test).join(' and ');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !onPath('apt-get')) {
  say(
    `${tests} tests need ${missing.map((n) => n.program).join(' and ')}, not found on PATH: install them ` +
      `(Debian/Ubuntu: \`sudo apt-get install ${pkgs}\`; macOS: \`brew install --cask chromium; brew install awscli\`), then run \`npm test\` again.`,
  );
  process.exit(2);
}
say(`installing ${pkgs} (apt-get) for the ${tests} tests…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((n) => n.pkg)]]) {
  const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (r.status !== 0) {
    say(`\`apt-get ${args.join(' ')}\` failed (exit ${r.status ?? r.signal}): install ${pkgs} yourself, then run \`npm test\` again.`);
    process.exit(2);
  }
}
const still = missing.filter((n) => !onPath(n.program));
if (still.length > 0) {
  say(`installed ${pkgs}, but ${still.map((n) => n.program).join(' and ')} is still not on PATH.`);
  process.exit(2);
}
