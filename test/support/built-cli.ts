import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';

/** esbuild.js's own options for one bundle (dist/cli.js or dist/extension.js), so a test checks
 * what the build really makes. */
export const bundleOptions = (outfile: 'dist/cli.js' | 'dist/extension.js'): BuildOptions => {
  const { builds } = createRequire(import.meta.url)('../../esbuild.js') as { builds: (options?: { minified?: boolean }) => BuildOptions[] };
  const options = builds().find((candidate) => candidate.outfile === join(import.meta.dirname, '..', '..', outfile));
  if (!options) throw new Error(`esbuild.js makes no ${outfile}`);
  // What a build does to dist/ itself (clearing the release's chunks) is not the test's to do.
  return { ...options, plugins: options.plugins?.filter((plugin) => plugin.name !== 'no-chunks') };
};

/** Bundles the standalone gateway with esbuild.js's options into a folder of the test's own, so a
 * concurrent build of dist/ cannot change it under the test. Returns the file's path. */
export const buildCli = async (folder: string): Promise<string> => {
  const outfile = join(folder, 'cli.js');
  await build({ ...bundleOptions('dist/cli.js'), outfile, sourcemap: false, minify: false, logLevel: 'warning' });
  return outfile;
};

export interface CliProcess {
  process: ChildProcess;
  port: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then the exit (the gateway flushes what it buffers on the way out). */
  stop(): Promise<void>;
}

/** Runs a built gateway with only the given environment (and PATH); resolves once it listens. */
export const startCli = (cli: string, args: string[], environment: Record<string, string>): Promise<CliProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--port', '0', ...args], { env: { PATH: process.env.PATH ?? '', ...environment }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const timer = setTimeout(() => reject(new Error(`the gateway did not start: ${output}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\/v1/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        process: child,
        port: Number(match[1]),
        output: () => output,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited (${code}): ${output}`));
    });
  });
