import { spawn } from 'node:child_process';

export interface ToolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ToolRunOptions {
  /** Exactly the environment the tool gets: nothing inherited (no proxy variables, no user config). */
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  /** Run in its own process group and kill the whole group on timeout (tools that relaunch themselves). */
  ownGroup?: boolean;
}

/** Runs a real local tool and kills it by its PID (or its group's) when it runs past the timeout,
 * since tools like Claude Code retry failures for minutes. */
export const runTool = (command: string, args: string[], options: ToolRunOptions): Promise<ToolRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, detached: options.ownGroup === true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(options.ownGroup ? -child.pid : child.pid, 'SIGKILL');
      } catch {
        // it ended between the timeout and the kill
      }
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
