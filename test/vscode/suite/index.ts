import { integrationTests } from './extension.suite.js';

/** Entry point @vscode/test-electron calls inside the extension host: runs each test in order,
 * reports each, and rejects if any failed (which makes VS Code exit non-zero). */
export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const [name, body] of integrationTests) {
    const started = Date.now();
    try {
      await body();
      console.log(`  ✔ ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failures.push(name);
      console.error(`  ✖ ${name}\n${(error as Error).stack ?? String(error)}`);
    }
  }
  console.log(`${integrationTests.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length > 0) throw new Error(`${failures.length} integration test(s) failed: ${failures.join('; ')}`);
}
