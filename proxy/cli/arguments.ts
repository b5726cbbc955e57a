import { parseArgs } from 'node:util';
import { TEAM_OPTIONS, TEAM_USAGE_TEXT, teamArguments, type TeamArguments } from './team-arguments.js';

export interface CliArguments {
  command: 'serve' | 'usage' | 'token' | 'migrate' | 'tokens' | 'policies';
  /** `tokens create|list|revoke`, `policies set|list|remove`, and what they name. */
  subcommand?: string;
  /** The team store and Redis, and the `tokens` and `policies` commands' fields. */
  teamStore?: TeamArguments;
  host: string;
  port: number;
  token?: string;
  ledger?: string;
  /** Usage in memory only, on purpose: no ledger is written. */
  noLedger?: boolean;
  config?: string;
  from?: string;
  to?: string;
  groupBy?: string;
  /** Usage report filters (`--tag` is also the tag a policy set by `policies set` matches). */
  team?: string;
  user?: string;
  tags?: string[];
  /** `token --rotate`: replace the kept local token. */
  rotate?: boolean;
  help: boolean;
}

export const USAGE_TEXT = `ModAPI gateway: a localhost OpenAI-compatible endpoint over one key.

Usage:
  modapi-gateway [--host 127.0.0.1] [--port 4141] [--token T] [--ledger DIR | --no-ledger] [--config FILE]
  modapi-gateway usage [--ledger DIR | --store postgres://...] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                       [--group-by model|provider|client|endpoint|day|team|user|tag:KEY]
                       [--team NAME] [--user ID] [--tag KEY=VALUE ...]
  modapi-gateway token [--rotate]

Keys come from the environment: MODAPI_API_KEY (+ MODAPI_BASE_URL), OPENAI_API_KEY, ANTHROPIC_API_KEY,
GEMINI_API_KEY, OPENROUTER_API_KEY, DEEPSEEK_API_KEY, XAI_API_KEY, GROQ_API_KEY, MISTRAL_API_KEY,
TOGETHER_API_KEY, DASHSCOPE_API_KEY, each with a *_BASE_URL override; OLLAMA_BASE_URL, LMSTUDIO_BASE_URL.
The local token comes from --token or MODAPI_LOCAL_TOKEN, else one is generated once and kept in the
user's data folder ($XDG_DATA_HOME/modapi or ~/.local/share/modapi, ~/Library/Application Support/modapi,
%LOCALAPPDATA%\\modapi), beside the usage ledger; \`token\` prints it, \`token --rotate\` replaces it.
${TEAM_USAGE_TEXT}`;

const COMMANDS = new Set<CliArguments['command']>(['serve', 'usage', 'token', 'migrate', 'tokens', 'policies']);

export const parseCliArguments = (argv: string[]): CliArguments => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4141' },
      token: { type: 'string' },
      ledger: { type: 'string' },
      'no-ledger': { type: 'boolean', default: false },
      config: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'group-by': { type: 'string' },
      team: { type: 'string' },
      user: { type: 'string' },
      tag: { type: 'string', multiple: true },
      rotate: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...TEAM_OPTIONS,
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number (0 for any free port), not ${values.port}`);
  const command = (positionals[0] ?? 'serve') as CliArguments['command'];
  if (!COMMANDS.has(command)) throw new Error(`unknown command ${command}`);
  if (values.ledger !== undefined && values['no-ledger']) throw new Error('--ledger DIR and --no-ledger contradict each other: choose one');
  return {
    command,
    subcommand: positionals[1],
    teamStore: teamArguments(values, positionals.slice(2)),
    host: values.host as string,
    port,
    token: values.token,
    ledger: values.ledger,
    noLedger: values['no-ledger'] === true,
    config: values.config,
    from: values.from,
    to: values.to,
    groupBy: values['group-by'],
    team: values.team,
    user: values.user,
    tags: values.tag,
    rotate: values.rotate === true,
    help: values.help as boolean,
  };
};
