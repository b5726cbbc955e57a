import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The standalone command as a user runs it: `dist/cli.js` (built by the test's `before`) in a
 * process of its own, with an environment the test gives whole (HOME included), so nothing of the
 * machine's own keys, proxies or data folder leaks in. */
export const CLI_PATH = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

export interface RunningCli {
  child: ChildProcess;
  port: number;
  url: string;
  output(): { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `dist/cli.js --port 0 ...args` and resolves once it prints where it listens. */
export const startCli = async (args: string[], environment: NodeJS.ProcessEnv, cwd?: string): Promise<RunningCli> => {
  const child = spawn(process.execPath, [CLI_PATH, '--port', '0', ...args], { cwd, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  const printed = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (printed.stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (printed.stderr += text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const listening = await new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:(\d+)\/v1)/.exec(printed.stdout);
      if (match) resolve(match);
    };
    child.stdout!.on('data', check);
    void exited.then(() => reject(new Error(`the command exited before listening: ${printed.stdout}${printed.stderr}`)));
  });
  return { child, port: Number(listening[2]), url: listening[1]!, output: () => ({ ...printed }), exited };
};

/** Stops it with a signal; its exit code and how long it took. */
export const stopCli = async (cli: RunningCli, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; milliseconds: number }> => {
  const startedAt = Date.now();
  cli.child.kill(signal);
  const { code } = await cli.exited;
  return { code, milliseconds: Date.now() - startedAt };
};

/** Runs a one-shot command (`token`, `usage`) to its end. */
export const runCli = (args: string[], environment: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } => {
  const result = spawnSync(process.execPath, [CLI_PATH, ...args], { env: environment, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};
