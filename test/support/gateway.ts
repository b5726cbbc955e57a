import { startGateway, type GatewayOptions, type RunningGateway } from '../../proxy/server/gateway-server.js';
import { silentLogger } from '../../proxy/logger.js';

export const TEST_TOKEN = 'mk-local-test-token-0123456789abcdef';
export const TEST_KEY = 'sk-test-upstream-key-DO-NOT-LEAK-42';

/** Starts an in-process gateway on a free loopback port with one local token. */
export const startTestGateway = (options: Partial<GatewayOptions> = {}): Promise<RunningGateway> =>
  startGateway({ port: 0, tokens: [{ name: 'default', token: TEST_TOKEN }], providers: {}, log: silentLogger, ...options });
