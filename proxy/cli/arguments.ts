import { parseArgs } from 'node:util';
import { TEAM_OPTIONS, TEAM_USAGE_TEXT, teamArguments, type TeamArguments } from './team-arguments.js';

export interface CliArguments {
  command: 'serve' | 'usage' | 'migrate' | 'tokens';
  /** `tokens create|list|revoke`, and what they name. */
  subcommand?: string;
  /** The team store and Redis, and the `tokens` command's fields. */
  team?: TeamArguments;
  host: string;
  port: number;
  token?: string;
  ledger?: string;
  config?: string;
  from?: string;
  to?: string;
  groupBy?: string;
  help: boolean;
}

export const USAGE_TEXT = `ModAPI gateway: a localhost OpenAI-compatible endpoint over one key.

Usage:
  node dist/cli.js [--host 127.0.0.1] [--port 4141] [--token T] [--ledger DIR] [--config FILE]
  node dist/cli.js usage [--ledger DIR] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--group-by model|provider|client|endpoint|day]

Keys come from the environment: MODAPI_API_KEY (+ MODAPI_BASE_URL), OPENAI_API_KEY, ANTHROPIC_API_KEY,
GEMINI_API_KEY, OPENROUTER_API_KEY, DEEPSEEK_API_KEY, XAI_API_KEY, GROQ_API_KEY, MISTRAL_API_KEY,
TOGETHER_API_KEY, DASHSCOPE_API_KEY, each with a *_BASE_URL override; OLLAMA_BASE_URL, LMSTUDIO_BASE_URL.
The local token comes from --token or MODAPI_LOCAL_TOKEN, else one is generated and printed once.
${TEAM_USAGE_TEXT}`;

export const parseCliArguments = (argv: string[]): CliArguments => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4141' },
      token: { type: 'string' },
      ledger: { type: 'string' },
      config: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'group-by': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      ...TEAM_OPTIONS,
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number (0 for any free port), not ${values.port}`);
  const command = positionals[0] ?? 'serve';
  if (command !== 'serve' && command !== 'usage' && command !== 'migrate' && command !== 'tokens') throw new Error(`unknown command ${command}`);
  return {
    command,
    subcommand: positionals[1],
    team: teamArguments(values, positionals.slice(2)),
    host: values.host as string,
    port,
    token: values.token,
    ledger: values.ledger,
    config: values.config,
    from: values.from,
    to: values.to,
    groupBy: values['group-by'],
    help: values.help as boolean,
  };
};
