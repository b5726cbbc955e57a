// Bundles the standalone CLI, the extension and the webviews.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const sharedOptions = (minified) => ({
  bundle: true,
  minify: minified,
  sourcemap: minified ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
});

const fromRoot = (file) => path.join(__dirname, file);
const nodeModule = (name) => fromRoot(`node_modules/${name}`);

/** Modules the gateway never runs, replaced by small stand-ins that fail loudly if ever called:
 * express requires its body parsers (raw-body, iconv-lite: about a third of the bundle) and qs at
 * load, but the gateway reads bodies itself (proxy/server/read-body.ts) and uses the simple query
 * parser. undici is reduced to what proxy/upstream uses (Agent with its request API, errors,
 * FormData): no fetch, WebSocket, cache, mock or proxy agents. mime-db keeps the types whose
 * default charset matters and the file extensions express is ever asked about. */
const NOT_BUNDLED = (what) => `() => { throw new Error('${what} is not in the bundle (esbuild.js)'); }`;
const GATEWAY_STAND_INS = {
  'body-parser': `const missing = ${NOT_BUNDLED('express body parsing')};
module.exports = missing; module.exports.json = missing; module.exports.raw = missing; module.exports.text = missing; module.exports.urlencoded = missing;`,
  qs: `module.exports = { parse: ${NOT_BUNDLED('the extended query parser')}, stringify: ${NOT_BUNDLED('qs.stringify')} };`,
  undici: `const Dispatcher = require(${JSON.stringify(nodeModule('undici/lib/dispatcher/dispatcher.js'))});
Object.assign(Dispatcher.prototype, require(${JSON.stringify(nodeModule('undici/lib/api/index.js'))}));
module.exports = {
  Agent: require(${JSON.stringify(nodeModule('undici/lib/dispatcher/agent.js'))}),
  errors: require(${JSON.stringify(nodeModule('undici/lib/core/errors.js'))}),
  FormData: require(${JSON.stringify(nodeModule('undici/lib/web/fetch/formdata.js'))}).FormData,
};`,
};
const MIME_EXTENSIONS = new Set(['html', 'htm', 'txt', 'text', 'json', 'bin', 'csv', 'js', 'css', 'mp3', 'mpga', 'wav', 'opus', 'ogg', 'oga', 'flac', 'aac', 'm4a', 'webm', 'mp4', 'png', 'jpg', 'jpeg', 'webp', 'gif', 'svg']);
const mimeSubset = () => {
  const database = JSON.parse(fs.readFileSync(nodeModule('mime-db/db.json'), 'utf8'));
  const kept = Object.entries(database).filter(([, entry]) => entry.charset || (entry.extensions ?? []).some((extension) => MIME_EXTENSIONS.has(extension)));
  return JSON.stringify(Object.fromEntries(kept));
};
const gatewayStandIns = {
  name: 'gateway-stand-ins',
  setup(build) {
    const names = Object.keys(GATEWAY_STAND_INS).join('|');
    build.onResolve({ filter: new RegExp(`^(${names})$`) }, (args) => ({ path: args.path, namespace: 'stand-in' }));
    build.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({ contents: GATEWAY_STAND_INS[args.path], loader: 'js', resolveDir: __dirname }));
    build.onLoad({ filter: /mime-db[\\/]db\.json$/ }, () => ({ contents: mimeSubset(), loader: 'json' }));
  },
};

/** undici carries llhttp twice, built with and without WebAssembly SIMD, and falls back to the
 * second when the first will not load. The extension ships only the second (the standalone
 * gateway, not held to the extension's size, keeps the faster one). */
const withoutSimdParser = {
  name: 'without-simd-parser',
  setup(build) {
    build.onResolve({ filter: /llhttp_simd-wasm\.js$/ }, (args) => ({ path: args.path, namespace: 'stand-in-simd' }));
    build.onLoad({ filter: /.*/, namespace: 'stand-in-simd' }, () => ({ contents: `throw new Error('undici SIMD parser left out of the extension (esbuild.js)');`, loader: 'js' }));
  },
};

/** The chat webview's weight was mostly highlight.js and the entity tables markdown-it decodes
 * with: highlight.js becomes its own script, requested once the view's script runs, without holding
 * it up (media/chat/highlight-on-demand.ts), and the browser decodes entities
 * (media/chat/html-entities.ts). */
const chatWebviewAliases = {
  'highlight.js/lib/common': fromRoot('media/chat/highlight-on-demand.ts'),
  entities: fromRoot('media/chat/html-entities.ts'),
};

const browserBuild = (minified, outdir) => ({ ...sharedOptions(minified), outdir, platform: 'browser', target: 'es2022', format: 'iife', loader: { '.css': 'css' } });

/** The webview bundles: `<name>.js` and `<name>.css` from media/<name>/main.ts, plus the chat
 * view's highlight.js script. */
const webviewBuilds = (name, { minified = false, outdir = fromRoot('dist/media') } = {}) => [
  { ...browserBuild(minified, outdir), entryPoints: { [name]: fromRoot(`media/${name}/main.ts`) }, alias: name === 'chat' ? chatWebviewAliases : {} },
  ...(name === 'chat' ? [{ ...browserBuild(minified, outdir), entryPoints: { 'chat-highlight': fromRoot('media/chat/highlight-script.ts') } }] : []),
];

/** `import * as vscode from 'vscode'` becomes a plain `require`: turned into CommonJS as it is,
 * each of these imports would copy every name of VS Code's API into a namespace object of its
 * own (esbuild's __toESM), at load time, once per source file. The sources only ever import
 * `vscode` as a namespace, and no other form may reach the output. */
const requireVscodeDirectly = (text, file) => {
  const names = [];
  const rest = text.replace(/import\s*\*\s*as\s*([\w$]+)\s*from\s*"vscode";?/g, (_, name) => (names.push(name), ''));
  if (/from\s*"vscode"|import\s*"vscode"|import\("vscode"\)/.test(rest)) throw new Error(`${file}: vscode is imported other than as a namespace (esbuild.js, requireVscodeDirectly)`);
  // At the top, where the imports' bindings were available (imports are hoisted).
  return names.length === 0 ? rest : `const ${names.map((name) => `${name}=require("vscode")`).join(',')};${rest}`;
};

/** The chunks dist/extension.js loads with `import` statements, directly or through each other, by
 * file name (the metafile's paths are relative to the working directory). */
const startupChunkNames = (metafile, entry) => {
  const outputs = new Map(Object.entries(metafile.outputs).map(([file, output]) => [path.resolve(file), output]));
  const names = new Set();
  const visit = (file) => {
    for (const imported of outputs.get(file).imports) {
      if (imported.kind !== 'import-statement' || imported.external || names.has(path.basename(imported.path))) continue;
      names.add(path.basename(imported.path));
      visit(path.resolve(imported.path));
    }
  };
  visit(entry);
  return names;
};

/** Loading a file costs the extension host far more than the code in it, and the entry needs about
 * a dozen small chunks the lazily loaded ones share with it: those are linked into
 * dist/extension.js, each as a CommonJS module function run once, on its first `require`, exactly
 * as Node would. The chunks that stay files get them from the entry (`__startupChunk`), so every
 * module still has one instance. Takes and returns the CommonJS text of each output, by path. */
const linkStartupChunks = async (commonJs, metafile, entry) => {
  const startup = startupChunkNames(metafile, entry);
  const chunkFiles = new Set([...commonJs.keys()].filter((file) => file !== entry).map((file) => path.basename(file)));
  const references = /\b(require|import)\("\.\/(?:chunks\/)?([\w-]+\.js)"\)/g;
  // `from`: where the code will run, the entry ('.') or a chunk file ('chunks').
  const rewrite = (code, from) =>
    code.replace(references, (reference, call, name) => {
      if (!chunkFiles.has(name)) return reference;
      if (!startup.has(name)) return `${call}(${JSON.stringify(from === '.' ? `./chunks/${name}` : `./${name}`)})`;
      if (call === 'import') throw new Error(`${name} is linked into the entry and cannot be imported with import() (esbuild.js, linkStartupChunks)`);
      return from === '.' ? `__startupChunk(${JSON.stringify(name)})` : `require("../extension.js").__startupChunk(${JSON.stringify(name)})`;
    });
  const linked = new Map();
  const modules = [];
  for (const [file, code] of commonJs) {
    const name = path.basename(file);
    if (file === entry) continue;
    if (!startup.has(name)) linked.set(file, rewrite(code, 'chunks'));
    else if (/\b__(?:dirname|filename)\b/.test(code)) throw new Error(`${name} reads its own location: it cannot be linked into the entry (esbuild.js, linkStartupChunks)`);
    else modules.push(`${JSON.stringify(name)}:function(module,exports){${rewrite(code, '.')}\n}`);
  }
  const loader = `var __startupModules={${modules.join(',')}},__startupLoaded={};
function __startupChunk(name){let module=__startupLoaded[name];if(!module){module=__startupLoaded[name]={exports:{}};__startupModules[name].call(module.exports,module,module.exports)}return module.exports}`;
  const text = `${loader}\n${rewrite(commonJs.get(entry), '.')}\n;Object.defineProperty(module.exports,"__startupChunk",{value:__startupChunk});`;
  const { code } = await esbuild.transform(text, { format: 'cjs', platform: 'node', target: 'node20', minify: true, legalComments: 'none' });
  linked.set(entry, code);
  return linked;
};

/** esbuild splits code only in ESM output, and VS Code loads an extension as CommonJS: each
 * chunk is turned into CommonJS after the build, its imports into `require` calls, and the ones
 * activation needs are linked into the entry. */
const commonJsChunks = (dist) => ({
  name: 'common-js-chunks',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length > 0) return;
      fs.rmSync(path.join(dist, 'chunks'), { recursive: true, force: true });
      const commonJs = new Map();
      for (const file of result.outputFiles) {
        const { code } = await esbuild.transform(requireVscodeDirectly(file.text, file.path), { format: 'cjs', platform: 'node', target: 'node20', minify: true, legalComments: 'none' });
        commonJs.set(file.path, code);
      }
      for (const [file, code] of await linkStartupChunks(commonJs, result.metafile, path.join(dist, 'extension.js'))) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, code);
      }
    });
  },
});

// The team store's client libraries are loaded with import() only when a store is configured
// (proxy/store/team/drivers.ts): the CLI takes them from node_modules, and the extension, which never
// reaches that code, must not carry them (test/architecture/extension-bundle.test.ts). The
// OpenTelemetry SDK, likewise, only when export is configured (proxy/telemetry/).
const TEAM_CLIENTS = ['pg', 'pg-native', 'ioredis'];
const CLI_EXTERNALS = ['@opentelemetry/*', ...TEAM_CLIENTS];

/** The extension. In the release it is split: dist/extension.js holds what activation runs
 * (commands, status bar, views), and the gateway, the chat view's host side and the providers are
 * chunks (dist/chunks/) that load when first used, so VS Code loads and parses little at startup.
 * Debug builds stay one file with a source map. */
const extensionBuild = (minified, dist) => {
  const common = { ...sharedOptions(minified), platform: 'node', target: 'node20', external: ['vscode', ...TEAM_CLIENTS] };
  // A release build's chunks must not outlive it (vsce would pack them).
  const noChunks = { name: 'no-chunks', setup: (build) => build.onStart(() => fs.rmSync(path.join(dist, 'chunks'), { recursive: true, force: true })) };
  if (!minified) return { ...common, entryPoints: [fromRoot('extension/extension.ts')], outfile: path.join(dist, 'extension.js'), format: 'cjs', plugins: [gatewayStandIns, withoutSimdParser, noChunks] };
  return { ...common, entryPoints: { extension: fromRoot('extension/extension.ts') }, outdir: dist, format: 'esm', splitting: true, chunkNames: 'chunks/[name]-[hash]', write: false, metafile: true, plugins: [gatewayStandIns, withoutSimdParser, commonJsChunks(dist)] };
};

/** Every build, in the options esbuild takes; the size check, the webview tests and the tests that
 * bundle the CLI on their own (test/support/built-cli.ts) use them. */
const builds = ({ minified = false, dist = fromRoot('dist') } = {}) => [
  { ...sharedOptions(minified), entryPoints: [fromRoot('proxy/cli.ts')], outfile: path.join(dist, 'cli.js'), platform: 'node', target: 'node20', format: 'cjs', banner: { js: '#!/usr/bin/env node' }, external: CLI_EXTERNALS, plugins: [gatewayStandIns] },
  extensionBuild(minified, dist),
  ...['chat', 'usage'].flatMap((name) => webviewBuilds(name, { minified, outdir: path.join(dist, 'media') })),
];

const main = async () => {
  if (watch) {
    const contexts = await Promise.all(builds({ minified: production }).map((options) => esbuild.context(options)));
    await Promise.all(contexts.map((context) => context.watch()));
    return;
  }
  await Promise.all(builds({ minified: production }).map((options) => esbuild.build(options)));
};

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { builds, webviewBuilds };
