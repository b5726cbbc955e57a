import type { CliArguments } from './arguments.js';
import { dataFolder } from './data-folder.js';
import { keptToken, rotateToken, tokenFilePath } from './token-file.js';

/** `modapi-gateway token [--rotate]`: the kept local token alone on stdout (for `$(...)`), what
 * happened on stderr. A running gateway follows the file, so a rotated token is in force at once. */
export const tokenCommand = (cli: CliArguments, environment: NodeJS.ProcessEnv, print = (text: string) => console.log(text), note = (text: string) => console.error(text)): void => {
  const folder = dataFolder(environment);
  const path = tokenFilePath(folder);
  if (cli.rotate) {
    print(rotateToken(folder));
    note(`local token replaced in ${path}; a running gateway refuses the old one from now on: give tools the new one`);
    return;
  }
  const { token, generated } = keptToken(folder);
  print(token);
  if (generated) note(`local token generated and kept in ${path}`);
  if (environment.MODAPI_LOCAL_TOKEN?.trim()) note('MODAPI_LOCAL_TOKEN is set: a gateway started with it uses that token, not this one');
};
