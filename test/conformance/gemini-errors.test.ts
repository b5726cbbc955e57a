import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { geminiError } from '../../proxy/dialects/gemini/read-error.js';
import { geminiCases } from './gemini-expected.js';
import { startConformanceHarness, type ConformanceHarness, type Recording } from './support.js';

/** Recorded Gemini errors reach the openai client as OpenAI-shaped errors with a fitting status,
 * the upstream's message and its retry advice; whether the call streamed or not. */

let harness: ConformanceHarness;

before(async () => {
  harness = await startConformanceHarness('gemini');
});

after(async () => {
  await harness.close();
});

let served = 0;
const serve = (method: string, recording: Recording): string => {
  served += 1;
  const model = `gemini-error-${served}`;
  harness.serve(`POST /v1beta/models/${model}:${method}`, recording);
  return model;
};

const errorCases = geminiCases().filter((replay) => replay.kind === 'error');

/** What the recording says the client must get: Gemini's own status, except that an invalid key
 * (reason API_KEY_INVALID) is a 401, as OpenAI clients know it. */
const expectedError = (body: any) => {
  const error = (Array.isArray(body) ? body[0] : body).error;
  const details: any[] = error.details ?? [];
  const invalidKey = details.some((detail) => detail.reason === 'API_KEY_INVALID');
  const retryDelay = details.find((detail) => String(detail['@type']).endsWith('RetryInfo'))?.retryDelay;
  return {
    status: invalidKey ? 401 : error.code,
    message: error.message as string,
    retryAfter: retryDelay ? String(Math.ceil(Number.parseFloat(retryDelay))) : null,
  };
};

const caught = async (call: () => Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> => {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof OpenAI.APIError, `expected an APIError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
};

test('the error recordings are all there', () => {
  assert.equal(errorCases.length, 5);
});

describe('recorded errors, streamed and not', () => {
  for (const replay of errorCases) {
    test(replay.name, async () => {
      const expected = expectedError(replay.chunks[0]);
      for (const stream of [false, true]) {
        const model = serve(stream ? 'streamGenerateContent' : 'generateContent', replay.recording);
        const error = await caught(() => harness.client.chat.completions.create({ model: `gemini/${model}`, stream, messages: [{ role: 'user', content: 'hi' }] }));
        assert.equal(error.status, expected.status);
        const body = error.error as { message?: string; type?: string; code?: string | null };
        assert.equal(body.message, expected.message);
        assert.equal(typeof body.type, 'string');
        assert.equal(error.headers?.get('retry-after') ?? null, expected.retryAfter);
        if (expected.status === 401) assert.equal(body.type, 'authentication_error');
        if (expected.status === 429) assert.equal(body.type, 'rate_limit_error');
        if (expected.status === 404) assert.equal(body.code, 'model_not_found');
      }
    });
  }
});

describe('Gemini errors without a recording (shapes from Google\'s API reference)', () => {
  test('403 PERMISSION_DENIED is a permission error', () => {
    const error = geminiError(403, {}, JSON.stringify({ error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } }), 'gemini');
    assert.deepEqual([error.status, error.type, error.code, error.message], [403, 'permission_error', 'PERMISSION_DENIED', 'The caller does not have permission']);
  });

  test('500 INTERNAL is an api error with the status kept', () => {
    const error = geminiError(500, {}, JSON.stringify({ error: { code: 500, message: 'An internal error has occurred.', status: 'INTERNAL' } }), 'gemini');
    assert.deepEqual([error.status, error.type, error.code], [500, 'api_error', 'INTERNAL']);
  });

  test('an HTML error page becomes a short summary without markup', () => {
    const error = geminiError(502, {}, '<html><head><style>body{}</style></head><body><h1>502 Bad Gateway</h1></body></html>', 'gemini');
    assert.equal(error.status, 502);
    assert.match(error.message, /502 Bad Gateway/);
    assert.doesNotMatch(error.message, /<|style/);
  });

  test("an upstream Retry-After header wins over RetryInfo", () => {
    const body = JSON.stringify({ error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3s' }] } });
    assert.equal(geminiError(429, { 'retry-after': '7' }, body, 'gemini').retryAfter, '7');
    assert.equal(geminiError(429, {}, body, 'gemini').retryAfter, '3');
  });
});
