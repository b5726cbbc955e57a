import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** code-server 4.100.3 (VS Code 1.100.3) is the newest that runs on Node 20. */
export const CODE_SERVER_VERSION = '4.100.3';
export const CACHE_DIR = resolve(__dirname, '../../../.cache/code-server');
export const CODE_SERVER_BIN = join(CACHE_DIR, 'node_modules/code-server/out/node/entry.js');
const VSCODE_DIR = join(CACHE_DIR, 'node_modules/code-server/lib/vscode');
/** Written last, so a half-finished install is redone rather than reused. */
const READY_MARKER = join(CACHE_DIR, `ready-${CODE_SERVER_VERSION}`);

const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): void => {
  const options: ExecFileSyncOptions = { cwd, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', ...env } };
  execFileSync(command, args, options);
};

const relink = (target: string, link: string): void => {
  if (existsSync(link)) unlinkSync(link);
  symlinkSync(target, link);
};

/** Debian packages the workbench needs; installed only if missing, and only as root (CI installs them itself). */
const ensureDebianPackages = (): void => {
  const missing = ['chromium', 'libkrb5-dev', 'ripgrep'].filter((name) => {
    try {
      execFileSync('dpkg', ['-s', name], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`install these Debian packages first: ${missing.join(' ')}`);
  run('apt-get', ['update', '-qq'], '/', { DEBIAN_FRONTEND: 'noninteractive' });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], '/', { DEBIAN_FRONTEND: 'noninteractive' });
};

/** Installs code-server into .cache/code-server the way /work/shared/notes/real-vscode-e2e.md
 * describes (its postinstall cannot run here), or reuses a finished install. */
export const ensureCodeServer = (): string => {
  ensureDebianPackages();
  if (existsSync(READY_MARKER)) return CODE_SERVER_BIN;
  mkdirSync(CACHE_DIR, { recursive: true });
  // Test files may run in parallel: one installs, the others wait for its marker.
  if (!takeLock()) {
    waitFor(() => existsSync(READY_MARKER) || !existsSync(LOCK), 10 * 60_000);
    if (existsSync(READY_MARKER)) return CODE_SERVER_BIN;
    if (!takeLock()) throw new Error(`another process is installing code-server (${LOCK})`);
  }
  try {
    install();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
  return CODE_SERVER_BIN;
};

const LOCK = join(CACHE_DIR, 'install.lock');

const takeLock = (): boolean => {
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    return false;
  }
};

const waitFor = (condition: () => boolean, timeoutMs: number): void => {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 1_000);
};

const install = (): void => {
  if (!existsSync(join(CACHE_DIR, 'package.json'))) writeFileSync(join(CACHE_DIR, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }));
  run('npm', ['install', '--no-save', `code-server@${CODE_SERVER_VERSION}`, '--ignore-scripts'], CACHE_DIR);
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], VSCODE_DIR);
  const ripgrepBin = join(VSCODE_DIR, 'node_modules/@vscode/ripgrep/bin');
  mkdirSync(ripgrepBin, { recursive: true });
  copyFileSync('/usr/bin/rg', join(ripgrepBin, 'rg'));
  run('npm', ['rebuild', 'kerberos', 'node-pty', '@parcel/watcher', '@vscode/spdlog', 'native-watchdog', '@vscode/deviceid'], VSCODE_DIR, { npm_config_yes: 'true' });
  relink('node_modules', join(VSCODE_DIR, 'node_modules.asar'));
  relink('code-linux.sh', join(VSCODE_DIR, 'bin/remote-cli/code-server'));
  relink('browser-linux.sh', join(VSCODE_DIR, 'bin/helpers/browser.sh'));
  run('npm', ['install', '--omit=dev'], join(VSCODE_DIR, 'extensions'));
  // npm hoists argon2 next to code-server; code-server loads it even with --auth none.
  run('npm', ['rebuild', 'argon2', '--build-from-source'], CACHE_DIR);
  writeFileSync(READY_MARKER, new Date().toISOString());
};

if (process.argv[1] && resolve(process.argv[1]) === resolve(__filename)) {
  const started = Date.now();
  ensureCodeServer();
  console.log(`code-server ${CODE_SERVER_VERSION} ready in ${Math.round((Date.now() - started) / 1000)} s`);
}
