// Loaded into the bench's gateway process with --import (and --expose-gc): on SIGUSR2 it collects
// garbage and prints the memory figures, so growth is measured on live objects, not on GC timing.
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const memory = process.memoryUsage();
  process.stdout.write(`bench-memory ${JSON.stringify({ rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, arrayBuffers: memory.arrayBuffers })}\n`);
});
