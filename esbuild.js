// Bundles the standalone CLI, the extension and the webviews.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const shared = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

// The team store's client libraries are loaded with import() only when a store is configured
// (proxy/store/team/drivers.ts): the CLI takes them from node_modules, and the extension, which never
// reaches that code, must not carry them (test/architecture/extension-bundle.test.ts).
const TEAM_CLIENTS = ['pg', 'pg-native', 'ioredis'];

const builds = [
  // The OpenTelemetry SDK and the team backends' clients stay dependencies, loaded from node_modules
  // only when configured.
  { ...shared, entryPoints: ['proxy/cli.ts'], outfile: 'dist/cli.js', platform: 'node', target: 'node20', format: 'cjs', banner: { js: '#!/usr/bin/env node' }, external: ['@opentelemetry/*', ...TEAM_CLIENTS] },
  { ...shared, entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', target: 'node20', format: 'cjs', external: ['vscode', ...TEAM_CLIENTS] },
];

const fs = require('node:fs');
for (const webview of ['chat', 'usage']) {
  const entry = `media/${webview}/main.ts`;
  if (fs.existsSync(entry)) builds.push({ ...shared, entryPoints: [entry], outfile: `dist/media/${webview}.js`, platform: 'browser', target: 'es2022', format: 'iife', loader: { '.css': 'css' } });
}

const main = async () => {
  if (watch) {
    const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
    await Promise.all(contexts.map((context) => context.watch()));
    return;
  }
  await Promise.all(builds.map((options) => esbuild.build(options)));
};

// Tests build from the same options (test/support/cli-process.ts).
module.exports = { builds };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
