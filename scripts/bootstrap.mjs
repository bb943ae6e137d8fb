#!/usr/bin/env node
// Entry point behind `npm start`, `npm test`, `npm run app|load|analyze|bench`: makes a fresh clone work with one
// command. Plain JavaScript with no dependencies, because it runs before anything is installed.
//   1. checks the Node version,
//   2. installs dependencies (npm ci) when node_modules is missing or older than package-lock.json,
//   3. builds (tsc) when dist/ is missing or older than any source file,
//   4. runs `logjam <command> …` and exits with its code.
// `--install-only` stops after step 2.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => process.stderr.write(`[logjam] ${msg}\n`);

// Tested lines: 20 (20.19+: require(esm) and the AWS SDK's floor), 22 and 24. A newer major is probably fine and
// is let through with a warning; an older Node (or odd-numbered 21) is refused, since it fails later in less clear
// ways.
const NEWEST_TESTED_MAJOR = 24;
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19) || major === 21) {
  say(`Node ${process.versions.node} is not supported: use Node 20.19+, 22 or 24 (see README, "Requirements").`);
  process.exit(2);
}
if (major > NEWEST_TESTED_MAJOR) {
  say(`warning: Node ${process.versions.node} is newer than the newest tested (Node ${NEWEST_TESTED_MAJOR}); carrying on.`);
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    say(`\`${cmd} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal}).`);
    process.exit(2);
  }
}

const installedLock = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installedLock) || mtime(join(root, 'package-lock.json')) > mtime(installedLock)) {
  say('installing dependencies (npm ci) — once per clone, about a minute…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
const argv = process.argv.slice(2);
if (argv[0] === '--install-only') process.exit(0);

const SOURCE_DIRS = ['cli', 'common', 'middleware', 'analyzer', 'sample-app', 'loadtests', 'lab', 'bench', 'test/support'];
function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, mtime(path));
  }
  return newest;
}
const cli = join(root, 'dist', 'cli', 'main.js');
const sourcesChanged = Math.max(...SOURCE_DIRS.map((d) => newestSource(join(root, d))));
if (!existsSync(cli) || sourcesChanged > mtime(cli)) {
  say('building (tsc)…');
  run('npm', ['run', '--silent', 'build']);
}

const child = spawn(process.execPath, [cli, ...argv], { cwd: process.cwd(), stdio: 'inherit' });
// Ctrl-C reaches the whole foreground process group, the child included: let the child shut down cleanly and
// report its own exit. A SIGTERM sent to this process alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
