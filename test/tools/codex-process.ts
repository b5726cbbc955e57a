import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runTool, type ToolRun } from '../support/run-tool.js';

/** The variable that holds the local token in Codex's provider entry (`env_key`). */
export const CODEX_TOKEN_VARIABLE = 'MODAPI_TOKEN';

/** Codex's launcher (its package's `bin.codex`), run with the node running the tests. It starts
 * the native binary of the platform package npm installed beside it (0.171.0 pinned). */
export const codexScript = (): string => {
  const manifestPath = require.resolve('@openai/codex/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: { codex: string } };
  return join(dirname(manifestPath), manifest.bin.codex);
};

/** `config.toml` in a temporary CODEX_HOME: the gateway as a Responses provider, as README says.
 * With its default features 0.171.0 fetches the curated plugin list from GitHub and ChatGPT's
 * backend at start (seen through the refusing proxy: github.com, api.github.com, chatgpt.com);
 * `plugins = false` stops all three. Analytics, feedback and the update check are off too, so
 * nothing depends on how they decide to send. */
export const writeCodexConfig = (codexHome: string, baseUrl: string, model: string): void => {
  mkdirSync(codexHome, { recursive: true });
  const config = `model = "${model}"
model_provider = "modapi"
check_for_update_on_startup = false

[analytics]
enabled = false

[feedback]
enabled = false

[features]
plugins = false

[model_providers.modapi]
name = "ModAPI gateway"
base_url = "${baseUrl}"
env_key = "${CODEX_TOKEN_VARIABLE}"
wire_api = "responses"
`;
  writeFileSync(join(codexHome, 'config.toml'), config);
};

export type CodexRun = ToolRun;

/** Runs `codex ARGS` with exactly the environment given. On Node 20 the launcher spawns the
 * binary as its child, so the timeout kills the whole group. */
export const runCodex = (args: string[], env: Record<string, string>, cwd: string, timeoutMs: number): Promise<CodexRun> =>
  runTool(process.execPath, [codexScript(), ...args], { env, cwd, timeoutMs, ownGroup: true });
