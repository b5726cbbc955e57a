/* global process */
// Loaded into the bench's gateway process with --require (and --expose-gc): on SIGUSR2 it collects
// garbage and prints the memory figures, so growth is measured on live objects, not on GC timing.
// CommonJS and --require, not --import: with --import Node loads the CLI bundle through its ESM
// loader (which parses the whole bundle again for its exports), and that alone measured 38 MB more
// RSS than `node dist/cli.js` as users run it.
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const memory = process.memoryUsage();
  process.stdout.write(`bench-memory ${JSON.stringify({ rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, arrayBuffers: memory.arrayBuffers })}\n`);
});
