/**
 * Headless Chromium for the HTML report tests: the page is opened from a file, its scripts run on a virtual clock,
 * and the DOM is dumped for the test to read. Chromium is required (CI installs it; locally: apt-get install chromium).
 */
import { spawn } from 'node:child_process';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function runChromium(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // bounded: a hung browser is killed, and the test then fails on its missing output
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function headlessArgs(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--no-first-run',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    '--window-size=1200,900',
    // let the page's scripts finish before the DOM is dumped, without waiting on wall-clock time
    '--virtual-time-budget=15000',
  ];
}
