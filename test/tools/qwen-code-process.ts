import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Qwen Code's entry script (its package's `bin.qwen`), run with the node running the tests.
 * 0.10.1 is pinned: releases from 0.21 on need Node 22, and 0.12 to 0.15 list optional clipboard
 * packages for other platforms that the registry we install from lacks, so `npm ci` refuses
 * their lockfile. */
export const qwenCodeScript = (): string => {
  const manifestPath = require.resolve('@qwen-code/qwen-code/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: { qwen: string } };
  return join(dirname(manifestPath), manifest.bin.qwen);
};

/** User settings under `home/.qwen`. By default Qwen Code sends usage statistics to its vendor
 * (seen as DNS look-ups under strace); with these settings a run makes no connection but to the
 * gateway. The update check is off too (it runs only in interactive mode, but no run may reach
 * a registry). */
export const writeQwenSettings = (home: string): void => {
  mkdirSync(join(home, '.qwen'), { recursive: true });
  const settings = {
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { enableAutoUpdate: false },
  };
  writeFileSync(join(home, '.qwen', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
};

export interface QwenCodeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs `qwen ARGS` with exactly the environment given: nothing inherited, so no proxy variable
 * (Qwen Code would send even loopback traffic through one) and no user config. Qwen Code
 * relaunches itself in a child node with a larger heap, so it runs in its own process group and
 * the timeout kills that group by its id. */
export const runQwenCode = (args: string[], env: Record<string, string>, cwd: string, timeoutMs: number): Promise<QwenCodeRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [qwenCodeScript(), ...args], { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group ended between the timeout and the kill
      }
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
