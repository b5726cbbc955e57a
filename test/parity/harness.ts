import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { PARITY_PRICE } from './ledger.js';
import type { ParityRecording, UpstreamDialect } from './recordings.js';
import { modelFor, ParityUpstreams } from './upstreams.js';

/** The gateway's provider for each upstream dialect. The Responses host is a provider of the
 * user's own, with the relay turned on by its config; the chat recordings' host has it off. */
const PROVIDER_BY_DIALECT: Record<UpstreamDialect, string> = { openai: 'openai', anthropic: 'anthropic', gemini: 'gemini', 'openai-responses': 'responses-host' };

/** What the base URL carries after the host: OpenAI-like hosts include their version path,
 * Anthropic's and Gemini's are the host root. */
const BASE_PATH_BY_DIALECT: Record<UpstreamDialect, string> = { openai: '/v1', anthropic: '', gemini: '', 'openai-responses': '/v1' };

/** The model id a client names to reach a recording. */
export const clientModel = (recording: ParityRecording, split: boolean): string => `${PROVIDER_BY_DIALECT[recording.dialect]}/${modelFor(recording, split)}`;

export interface ParityHarness {
  gateway: Awaited<ReturnType<typeof startTestGateway>>;
  /** `http://127.0.0.1:PORT`, for the usage API. */
  root: string;
  upstreams: ParityUpstreams;
  close(): Promise<void>;
}

/** One gateway and one fake upstream per upstream dialect, for a whole test file. `basePaths`
 * replaces what a provider's base URL carries after the host (a user's `/v1` on Anthropic's). */
export const startParityHarness = async (recordings: readonly ParityRecording[], basePaths: Partial<Record<UpstreamDialect, string>> = {}): Promise<ParityHarness> => {
  const upstreams = await new ParityUpstreams(recordings).start();
  const baseUrl = (dialect: UpstreamDialect): string => upstreams.get(dialect).url(basePaths[dialect] ?? BASE_PATH_BY_DIALECT[dialect]);
  const providers = Object.fromEntries(
    (Object.keys(PROVIDER_BY_DIALECT) as UpstreamDialect[]).map((dialect) => [PROVIDER_BY_DIALECT[dialect], { baseUrl: baseUrl(dialect), apiKey: TEST_KEY, responsesApi: dialect === 'openai-responses' }]),
  );
  const priceOverrides = Object.fromEntries(recordings.flatMap((recording) => [false, true].map((split) => [clientModel(recording, split), { ...PARITY_PRICE }])));
  // An admin token: the in-process lane's records belong to another client, and the matrix reads them all.
  const gateway = await startTestGateway({ providers, priceOverrides, tokens: [{ name: 'default', token: TEST_TOKEN, admin: true }] });
  return {
    gateway,
    root: gateway.url.replace(/\/v1$/, ''),
    upstreams,
    close: async () => {
      await gateway.close();
      await upstreams.close();
    },
  };
};
