import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runTool, type ToolRun } from '../support/run-tool.js';

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

export type QwenCodeRun = ToolRun;

/** Runs `qwen ARGS` with exactly the environment given: nothing inherited, so no proxy variable
 * (Qwen Code would send even loopback traffic through one) and no user config. Qwen Code
 * relaunches itself in a child node with a larger heap, so the timeout kills its whole group. */
export const runQwenCode = (args: string[], env: Record<string, string>, cwd: string, timeoutMs: number): Promise<QwenCodeRun> =>
  runTool(process.execPath, [qwenCodeScript(), ...args], { env, cwd, timeoutMs, ownGroup: true });
