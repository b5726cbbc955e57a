import { languageModelTests } from './language-models.suite.js';
import { runInOrder } from './run-in-order.js';

/** Entry point for the language model suite inside the extension host (VS Code 1.104 or later). */
export async function run(): Promise<void> {
  await runInOrder(languageModelTests);
}
