import { parseCliArguments, USAGE_TEXT } from './cli/arguments.js';
import { serve } from './cli/serve.js';
import { usageReport } from './cli/usage-report.js';
import { tokenCommand } from './cli/token-command.js';
import { capYoungGeneration } from './cli/young-generation.js';
import { migrateCommand, policiesCommand, tokensCommand } from './cli/team-commands.js';

/** The standalone gateway (`npm start`, `node dist/cli.js`). */
const main = async (): Promise<void> => {
  const cli = parseCliArguments(process.argv.slice(2));
  if (cli.help) {
    console.log(USAGE_TEXT);
    return;
  }
  if (cli.command === 'usage') {
    await usageReport(cli);
    return;
  }
  if (cli.command === 'migrate') {
    await migrateCommand(cli, process.env);
    return;
  }
  if (cli.command === 'tokens') {
    await tokensCommand(cli, process.env);
    return;
  }
  if (cli.command === 'policies') {
    await policiesCommand(cli, process.env);
    return;
  }
  if (cli.command === 'token') {
    tokenCommand(cli, process.env);
    return;
  }
  await serve(cli, process.env);
  capYoungGeneration();
};

main().catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  console.error(code === 'EADDRINUSE' ? `the port is already in use: ${(error as Error).message}; choose another with --port (0 = any free port)` : `modapi: ${(error as Error).message}`);
  process.exit(1);
});
