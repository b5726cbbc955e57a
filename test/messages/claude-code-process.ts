import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Claude Code's native binary. npm installs it as the optional package for this platform; the
 * wrapper's bin/claude.exe is a copy of it only when the postinstall step ran, so the platform
 * package is looked for first. */
export const claudeCodeBinary = (): string | undefined => {
  const platformPackage = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
  try {
    const binary = join(dirname(require.resolve(`${platformPackage}/package.json`)), process.platform === 'win32' ? 'claude.exe' : 'claude');
    if (existsSync(binary)) return binary;
  } catch {
    // not installed for this platform; try the wrapper's copy
  }
  const wrapperCopy = join(dirname(require.resolve('@anthropic-ai/claude-code/package.json')), 'bin', 'claude.exe');
  // The unreplaced placeholder is a few hundred bytes of script, not the program.
  return existsSync(wrapperCopy) && statSync(wrapperCopy).size > 1_000_000 ? wrapperCopy : undefined;
};

export interface ClaudeCodeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs the binary with exactly the environment given (nothing inherited: no proxy variables, no
 * user config) and kills it by its PID when it runs past the timeout, since it retries failures
 * for minutes. */
export const runClaudeCode = (binary: string, args: string[], env: Record<string, string>, cwd: string, timeoutMs: number): Promise<ClaudeCodeRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
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
