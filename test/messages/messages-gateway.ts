import Anthropic from '@anthropic-ai/sdk';
import type { GatewayOptions, RunningGateway } from '../../proxy/server/gateway-server.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { FakeUpstream, sendEvents, sendJson, type FakeHandler } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';

/** Which recording the fake upstream plays for a model id (streamed, and not). */
export interface Recording {
  stream?: string;
  whole?: string;
}

export interface MessagesGateway {
  upstream: FakeUpstream;
  gateway: RunningGateway;
  /** `http://127.0.0.1:PORT`: the gateway's root, as Anthropic clients want it. */
  root: string;
  client: Anthropic;
  records: UsageRecord[];
  /** The ledger record number `position`, waiting for its response to close. */
  recordAt(position: number): Promise<UsageRecord>;
  close(): Promise<void>;
}

export const playRecordings = (recordings: Record<string, Recording>, dialect: string): FakeHandler => async (request, response) => {
  const body = request.json();
  const recording = recordings[body.model];
  const path = body.stream ? recording?.stream : recording?.whole;
  if (!path) {
    sendJson(response, 404, { error: { message: `no ${dialect} recording for ${body.model} (stream: ${body.stream})`, type: 'not_found_error' } });
    return;
  }
  if (body.stream) await sendEvents(response, fixtureEvents(path));
  else sendJson(response, 200, fixtureJson(path));
};

/** A gateway whose default provider (OpenAI dialect), `anthropic` and `gemini` providers are one
 * fake upstream on 127.0.0.1 playing recordings (Gemini routes go in `extraRoutes`), and the official Anthropic SDK pointed at it. */
export const startMessagesGateway = async (
  openai: Record<string, Recording>,
  anthropic: Record<string, Recording>,
  extraRoutes: Record<string, FakeHandler> = {},
  options: Partial<GatewayOptions> = {},
): Promise<MessagesGateway> => {
  const upstream = new FakeUpstream().on('POST /v1/chat/completions', playRecordings(openai, 'OpenAI')).on('POST /v1/messages', playRecordings(anthropic, 'Anthropic'));
  for (const [route, handler] of Object.entries(extraRoutes)) upstream.on(route, handler);
  await upstream.start();
  const records: UsageRecord[] = [];
  const gateway = await startTestGateway({
    providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY }, anthropic: { baseUrl: upstream.url(''), apiKey: TEST_KEY }, gemini: { baseUrl: upstream.url(''), apiKey: TEST_KEY } },
    usage: { record: (record) => records.push(record) },
    ...options,
  });
  const root = `http://127.0.0.1:${gateway.port}`;
  return {
    upstream,
    gateway,
    root,
    client: new Anthropic({ baseURL: root, apiKey: TEST_TOKEN, maxRetries: 0 }),
    records,
    recordAt: async (position) => {
      for (let waited = 0; waited < 2_000 && records.length <= position; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      const record = records[position];
      if (!record) throw new Error(`ledger record ${position} was never written`);
      return record;
    },
    close: async () => {
      await gateway.close();
      await upstream.close();
    },
  };
};

/** A raw POST, for what the SDK hides (the exact events, statuses, headers). */
export const postRaw = async (url: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TEST_TOKEN}` }) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, text: await response.text() };
};
