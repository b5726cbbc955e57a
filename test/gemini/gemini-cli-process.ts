import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runTool, type ToolRun } from '../support/run-tool.js';

const REPOSITORY = join(import.meta.dirname, '..', '..');

export interface GeminiCliInstall {
  /** The entry script, run with this Node rather than through its shebang. */
  script: string;
  version: string;
}

/** Gemini CLI as installed (a pinned devDependency): the bin entry of the `@google/gemini-cli` package. */
export const geminiCli = (): GeminiCliInstall | undefined => {
  try {
    const manifestPath = require.resolve('@google/gemini-cli/package.json', { paths: [REPOSITORY] });
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: string; bin: Record<string, string> };
    const script = join(dirname(manifestPath), manifest.bin.gemini ?? '');
    return existsSync(script) ? { script, version: manifest.version } : undefined;
  } catch {
    return undefined;
  }
};

/** A temporary HOME for one run: `tmp/` (the CLI writes its error reports to the temporary
 * directory) and `~/.gemini/settings.json`. Headless, 0.61 refuses the auth type it derives
 * from GOOGLE_GEMINI_BASE_URL ("gateway": "Invalid auth method selected."), so the API-key type is
 * chosen here, as a user does once in the CLI's auth dialog. The rest keeps it off the network:
 * no usage statistics (they also add an installation id header to model calls), no telemetry, no
 * update check, no IDE companion. */
export const prepareGeminiHome = (home: string): void => {
  mkdirSync(join(home, 'tmp'));
  mkdirSync(join(home, '.gemini'));
  const settings = {
    security: { auth: { selectedType: 'gemini-api-key' } },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
    ide: { enabled: false },
  };
  writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify(settings, null, 2));
};

export interface GeminiCliPlaces {
  /** The gateway's root, as GOOGLE_GEMINI_BASE_URL wants it. */
  gatewayRoot: string;
  token: string;
  home: string;
  workspace: string;
  /** A proxy that refuses everything: traffic to any host but 127.0.0.1 is sent there and seen. */
  proxyUrl: string;
}

/** `gemini -p` with exactly this environment (nothing inherited but PATH), killed with its process
 * group past the timeout. GEMINI_CLI_NO_RELAUNCH: the CLI otherwise starts itself again in a child
 * Node only to raise the heap limit, which doubles the start-up time and nothing else. */
export const runGeminiCli = (script: string, places: GeminiCliPlaces, args: string[], timeoutMs: number): Promise<ToolRun> =>
  runTool(process.execPath, [script, ...args], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: places.home,
      TMPDIR: join(places.home, 'tmp'),
      GOOGLE_GEMINI_BASE_URL: places.gatewayRoot,
      GEMINI_API_KEY: places.token,
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      GEMINI_CLI_NO_RELAUNCH: 'true',
      GEMINI_TELEMETRY_ENABLED: 'false',
      NO_COLOR: '1',
      HTTPS_PROXY: places.proxyUrl,
      HTTP_PROXY: places.proxyUrl,
      NO_PROXY: '127.0.0.1,localhost',
    },
    cwd: places.workspace,
    timeoutMs,
    ownGroup: true,
  });
