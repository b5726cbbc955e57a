import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { buildCli, bundleOptions, startCli } from '../support/built-cli.js';

/** OpenTelemetry costs nothing unless configured: the extension's bundle holds none of it, the
 * CLI's loads the SDK by dynamic import only, and a gateway run without an OTLP endpoint never
 * loads a single OpenTelemetry module while it serves. */

const TOKEN = 'mk-local-otel-off-test-0123456789abcdef';
const SDK_PACKAGES = ['api', 'resources', 'sdk-trace-base', 'sdk-metrics', 'exporter-trace-otlp-http', 'exporter-metrics-otlp-http', 'exporter-trace-otlp-proto', 'exporter-metrics-otlp-proto', 'semantic-conventions', 'core'];

let work: string;
let marker: string;
let cli: string;
let upstream: FakeUpstream;

/** Stand-ins for the SDK packages, each writing its name to the marker file when loaded. */
const installMarkingPackages = (folder: string): void => {
  for (const name of SDK_PACKAGES) {
    const packageFolder = join(folder, 'node_modules', '@opentelemetry', name);
    mkdirSync(packageFolder, { recursive: true });
    writeFileSync(join(packageFolder, 'package.json'), JSON.stringify({ name: `@opentelemetry/${name}`, version: '0.0.0', main: 'index.js' }));
    writeFileSync(join(packageFolder, 'index.js'), `require('node:fs').appendFileSync(${JSON.stringify(marker)}, ${JSON.stringify(`${name}\n`)});\n`);
  }
};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'modapi-otel-off-'));
  marker = join(work, 'loaded.txt');
  cli = await buildCli(work);
  installMarkingPackages(work);
  const stream = fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse');
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', async (request, response) => {
      if (request.json().stream) await sendEvents(response, stream);
      else sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
    })
    .start();
});

after(async () => {
  await upstream.close();
  rmSync(work, { recursive: true, force: true });
});

const loadedPackages = (): string[] => (existsSync(marker) ? readFileSync(marker, 'utf8').split('\n').filter(Boolean) : []);

/** A stream and a whole answer through the relay lane; both must succeed. */
const serveTwoCalls = async (environment: Record<string, string>): Promise<string> => {
  const gateway = await startCli(cli, ['--token', TOKEN, '--ledger', join(work, 'ledger')], { HOME: work, MODAPI_API_KEY: 'sk-otel-off-test-key-0123456789', MODAPI_BASE_URL: upstream.url(), ...environment });
  try {
    for (const stream of [true, false]) {
      const response = await fetch(`http://127.0.0.1:${gateway.port}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', stream, messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(response.status, 200, await response.text());
    }
  } finally {
    await gateway.stop();
  }
  return gateway.output();
};

test('without an OTLP endpoint the gateway serves without loading any OpenTelemetry module', async () => {
  rmSync(marker, { force: true });
  // Variables that configure details, but no endpoint: export stays off.
  const output = await serveTwoCalls({ OTEL_SERVICE_NAME: 'unused', OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer collector-secret' });
  assert.deepEqual(loadedPackages(), []);
  assert.doesNotMatch(output, /OpenTelemetry/);
});

test('OTEL_SDK_DISABLED=true keeps it off even with an endpoint', async () => {
  rmSync(marker, { force: true });
  await serveTwoCalls({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
  assert.deepEqual(loadedPackages(), []);
});

test('a protocol the gateway cannot speak (grpc) keeps it off, with an endpoint', async () => {
  rmSync(marker, { force: true });
  const output = await serveTwoCalls({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
  assert.deepEqual(loadedPackages(), []);
  assert.match(output, /OpenTelemetry export is off: OTEL_EXPORTER_OTLP_PROTOCOL=grpc/);
});

test('with an endpoint the SDK is loaded (the check above can fail), and a broken SDK leaves the gateway serving', async () => {
  rmSync(marker, { force: true });
  const output = await serveTwoCalls({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
  assert.ok(loadedPackages().includes('exporter-trace-otlp-proto'), 'the stand-in SDK was loaded, its protobuf exporter by default');
  assert.ok(!loadedPackages().includes('exporter-trace-otlp-http'), 'not the JSON one');
  assert.match(output, /OpenTelemetry export is off/);
});

test('the extension bundle holds no OpenTelemetry code; the CLI bundle reaches it by dynamic import only', async () => {
  const extension = await build({ ...bundleOptions('dist/extension.js'), write: false, metafile: true, sourcemap: false, minify: false, logLevel: 'warning' });
  const extensionInputs = Object.keys(extension.metafile!.inputs);
  assert.ok(extensionInputs.some((input) => input.startsWith('proxy/usage/')), 'the metafile lists the bundle’s sources');
  assert.deepEqual(extensionInputs.filter((input) => input.includes('@opentelemetry') || input.startsWith('proxy/telemetry/')), []);
  const text = extension.outputFiles!.map((file) => file.text).join('');
  assert.ok(!text.includes('@opentelemetry') && !text.includes('gen_ai.'), 'no OpenTelemetry name in dist/extension.js');

  const standalone = await build({ ...bundleOptions('dist/cli.js'), write: false, metafile: true, sourcemap: false, minify: false, logLevel: 'warning' });
  const inputs = standalone.metafile!.inputs;
  assert.deepEqual(Object.keys(inputs).filter((input) => input.includes('node_modules/@opentelemetry')), [], 'the SDK is not bundled');
  const importsOfSdk = Object.entries(inputs).flatMap(([from, input]) => input.imports.filter((entry) => entry.path.startsWith('@opentelemetry/')).map((entry) => ({ from, kind: entry.kind })));
  assert.ok(importsOfSdk.length > 0);
  assert.deepEqual([...new Set(importsOfSdk.map((entry) => `${entry.from} ${entry.kind}`))], ['proxy/telemetry/otel-telemetry.ts dynamic-import']);
  const toExporter = Object.values(inputs).flatMap((input) => input.imports.filter((entry) => entry.path === 'proxy/telemetry/otel-telemetry.ts'));
  assert.deepEqual([...new Set(toExporter.map((entry) => entry.kind))], ['dynamic-import'], 'the exporter module itself is imported dynamically');
});
