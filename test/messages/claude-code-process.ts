import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runTool, type ToolRun } from '../support/run-tool.js';

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

export type ClaudeCodeRun = ToolRun;

/** Runs the binary with exactly the environment given and kills it by its PID past the timeout. */
export const runClaudeCode = (binary: string, args: string[], env: Record<string, string>, cwd: string, timeoutMs: number): Promise<ClaudeCodeRun> =>
  runTool(binary, args, { env, cwd, timeoutMs });
