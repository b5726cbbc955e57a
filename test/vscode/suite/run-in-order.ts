export type IntegrationTest = [name: string, body: () => Promise<void>];

/** What @vscode/test-electron (and the code-server e2e) calls inside the extension host: runs each
 * test in order, reports each, and rejects if any failed (which makes VS Code exit non-zero). */
export const runInOrder = async (tests: readonly IntegrationTest[]): Promise<void> => {
  const failures: string[] = [];
  for (const [name, body] of tests) {
    const started = Date.now();
    try {
      await body();
      console.log(`  ✔ ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failures.push(name);
      console.error(`  ✖ ${name}\n${(error as Error).stack ?? String(error)}`);
    }
  }
  console.log(`${tests.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length > 0) throw new Error(`${failures.length} integration test(s) failed: ${failures.join('; ')}`);
};

export const until = async (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
