import { startGateway, type GatewayOptions, type RunningGateway } from '../../proxy/server/gateway-server.js';
import { silentLogger } from '../../proxy/logger.js';

export const TEST_TOKEN = 'mk-local-test-token-0123456789abcdef';
export const TEST_KEY = 'sk-test-upstream-key-DO-NOT-LEAK-42';

/** Starts an in-process gateway on a free loopback port with one local token. */
export const startTestGateway = (options: Partial<GatewayOptions> = {}): Promise<RunningGateway> =>
  startGateway({ port: 0, tokens: [{ name: 'default', token: TEST_TOKEN }], providers: {}, log: silentLogger, ...options });

/** Every upstream dialect served by one fake: the default provider (OpenAI-compatible, under /v1),
 * Anthropic and Gemini (host roots), all with TEST_KEY. */
export const allDialectsAt = (upstream: { url(prefix?: string): string }): GatewayOptions['providers'] => ({
  modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY },
  anthropic: { baseUrl: upstream.url(''), apiKey: TEST_KEY },
  gemini: { baseUrl: upstream.url(''), apiKey: TEST_KEY },
});
