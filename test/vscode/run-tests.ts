import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { runTests } from '@vscode/test-electron';

/** `npm run test:vscode`: the integration suite in desktop VS Code, downloaded by
 * @vscode/test-electron (so not part of CI, which cannot download it). The suite runs inside the
 * extension host against the real `vscode` API; it is bundled first since the host loads JavaScript. */
const ROOT = resolve(__dirname, '../..');
const SUITE = join(ROOT, 'dist/test/vscode-suite.js');

const main = async (): Promise<void> => {
  await build({ entryPoints: [join(__dirname, 'suite/index.ts')], outfile: SUITE, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode'], sourcemap: 'inline', logLevel: 'warning' });
  const profile = mkdtempSync(join(tmpdir(), 'modapi-vscode-'));
  const userDataDir = join(profile, 'user-data');
  const workspace = join(profile, 'workspace');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(workspace);
  // Port 0: never collide with a gateway the developer already runs on 4141.
  writeFileSync(join(userDataDir, 'User/settings.json'), JSON.stringify({ 'security.workspace.trust.enabled': false, 'modapi.gateway.port': 0, 'update.mode': 'none', 'telemetry.telemetryLevel': 'off' }));
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? '1.100.3',
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: SUITE,
      launchArgs: [workspace, '--user-data-dir', userDataDir, '--disable-extensions', '--disable-workspace-trust'],
    });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
