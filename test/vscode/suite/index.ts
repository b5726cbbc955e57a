import { integrationTests } from './extension.suite.js';
import { runInOrder } from './run-in-order.js';

/** Entry point @vscode/test-electron calls inside the extension host. */
export async function run(): Promise<void> {
  await runInOrder(integrationTests);
}
