import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { codeServerInstall, type CodeServerInstall } from './install-code-server.js';

const run = promisify(execFile);

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/** Whether a server can listen on the port now. */
const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A free port for a server that binds it much later (the gateway, once the extension activates),
 * drawn from below the kernel's ephemeral range (32768 and up on Linux): listen(0) and outgoing
 * connections take their ports from that range, so nothing the test starts meanwhile takes it. */
export const portForLater = async (): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000');
};

/** One code-server profile: user data, extensions and config kept in a folder of the test's own. */
export interface Profile {
  root: string;
  userDataDir: string;
  extensionsDir: string;
  workspace: string;
}

export const createProfile = (root: string, settings: Record<string, unknown>): Profile => {
  const profile = { root, userDataDir: join(root, 'user-data'), extensionsDir: join(root, 'extensions'), workspace: join(root, 'workspace') };
  for (const folder of [profile.userDataDir, profile.extensionsDir, profile.workspace, join(root, 'xdg-config'), join(root, 'xdg-data')]) mkdirSync(folder, { recursive: true });
  mkdirSync(join(profile.userDataDir, 'User'), { recursive: true });
  // Workspace trust off, or the workbench opens in Restricted Mode and the extension never activates.
  writeFileSync(join(profile.userDataDir, 'User/settings.json'), JSON.stringify({ 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false,
    // Nothing but loopback is contacted: no marketplace queries, updates or experiments.
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    ...settings }, null, 2));
  writeFileSync(join(profile.workspace, 'README.md'), '# e2e workspace\n');
  return profile;
};

const environment = (profile: Profile): NodeJS.ProcessEnv => ({
  ...process.env,
  XDG_CONFIG_HOME: join(profile.root, 'xdg-config'),
  XDG_DATA_HOME: join(profile.root, 'xdg-data'),
  // Loopback traffic must never go through a proxy.
  HTTP_PROXY: '',
  HTTPS_PROXY: '',
  http_proxy: '',
  https_proxy: '',
  NO_PROXY: '127.0.0.1,localhost',
  // The marketplace code-server would query is replaced by a closed loopback port.
  EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item', resourceUrlTemplate: 'http://127.0.0.1:9/{publisher}/{name}/{version}/{path}' }),
});

const profileArguments = (profile: Profile): string[] => ['--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir];

/** Installs a .vsix into the profile; must happen before the server starts. */
export const installExtension = async (profile: Profile, vsix: string, install: CodeServerInstall = codeServerInstall()): Promise<string> => {
  const { stdout } = await run(install.node, [install.entry, ...profileArguments(profile), '--install-extension', vsix], { env: environment(profile), timeout: 120_000 });
  return stdout;
};

export interface RunningCodeServer {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts code-server in its own process group (it forks the VS Code server and extension host),
 * so stopping it ends every process it started, by that group's id. */
export const startCodeServer = async (profile: Profile, install: CodeServerInstall = codeServerInstall()): Promise<RunningCodeServer> => {
  const port = await freePort();
  const configFile = join(profile.root, 'config.yaml');
  writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const child = spawn(
    install.node,
    [install.entry, '--config', configFile, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, ...profileArguments(profile), '--disable-telemetry', '--disable-update-check', profile.workspace],
    { env: environment(profile), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start in 60 s:\n${output}`)), 60_000);
    const check = (): void => {
      if (/HTTP server listening on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${code}:\n${output}`));
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    // The extension host may outlive its parent for a moment.
    killGroup(child.pid, 'SIGKILL');
  };
  return { url: `http://127.0.0.1:${port}`, process: child, output: () => output, stop };
};

const killGroup = (pid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
};
