import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { usageReport } from '../../proxy/cli/usage-report.js';
import type { GatewayOptions, RunningGateway } from '../../proxy/server/gateway-server.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { startTestGateway, TEST_KEY } from '../support/gateway.js';
import { chatUpstream } from './support.js';

// Cost by feature, team and customer: tags from the header and from each client dialect's own
// fields, the token's team and the end user, in the ledger, the usage API and the CLI report.
const token = (name: string) => `mk-local-${name}-0123456789abcdef0123`;
const COST = 0.004;

/** The four client dialects, each as its clients send a minimal request with the local token. */
const DIALECTS = {
  openai: { path: '/v1/chat/completions', auth: (secret: string) => ({ authorization: `Bearer ${secret}` }), body: (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] }) },
  anthropic: { path: '/v1/messages', auth: (secret: string) => ({ 'x-api-key': secret, 'anthropic-version': '2023-06-01' }), body: (model: string) => ({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }) },
  responses: { path: '/v1/responses', auth: (secret: string) => ({ authorization: `Bearer ${secret}` }), body: (model: string) => ({ model, input: 'hi', store: false }) },
  gemini: { path: '/v1beta/models/MODEL:generateContent', auth: (secret: string) => ({ 'x-goog-api-key': secret }), body: () => ({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }) },
} as const;
type Dialect = keyof typeof DIALECTS;

interface Call {
  dialect: Dialect;
  secret: string;
  model?: string;
  tags?: string;
  extra?: Record<string, unknown>;
}

const send = (gateway: RunningGateway, { dialect, secret, model = 'test-model', tags, extra }: Call) => {
  const shape = DIALECTS[dialect];
  return fetch(`${gateway.url.replace(/\/v1$/, '')}${shape.path.replace('MODEL', model)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...shape.auth(secret), ...(tags === undefined ? {} : { 'x-modapi-tags': tags }) },
    body: JSON.stringify({ ...shape.body(model), ...extra }),
  });
};

const startGateway = async (upstream: FakeUpstream, options: Partial<GatewayOptions>): Promise<RunningGateway> =>
  startTestGateway({
    providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } },
    tokens: [
      { name: 'app', token: token('app'), team: 'research', admin: true },
      { name: 'script', token: token('script') },
    ],
    ...options,
  });

const newestRecord = (gateway: RunningGateway): UsageRecord => gateway.context.ledger!.recent(1)[0]!;

describe('tags, team and end user in the ledger, the usage API and the CLI report', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let ledgerDir: string;

  before(async () => {
    upstream = await chatUpstream({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, cost: COST }).start();
    // Made here, not with tempFolder(): an `after` registered inside a hook runs when the hook ends.
    ledgerDir = mkdtempSync(join(tmpdir(), 'modapi-tags-'));
    gateway = await startGateway(upstream, { ledgerDir });
  });

  after(async () => {
    await gateway.close();
    await upstream.close();
    rmSync(ledgerDir, { recursive: true, force: true });
  });

  const usage = async (query: string) => {
    const answer = await fetch(`${gateway.url.replace(/\/v1$/, '')}/modapi/usage?${query}`, { headers: { authorization: `Bearer ${token('app')}` } });
    return { status: answer.status, body: (await answer.json()) as { groups: { key: string; requests: number }[]; totals: { requests: number }; error?: { param: string } } };
  };
  const groupsOf = async (query: string) => Object.fromEntries((await usage(query)).body.groups.map((group) => [group.key, group.requests]));

  test('each client dialect\'s own fields and the header are read; the header wins a key both name; the token\'s team is recorded', async () => {
    const expectations: [Call, Pick<UsageRecord, 'tags' | 'user' | 'team'>][] = [
      [{ dialect: 'openai', secret: token('app'), tags: 'feature=summarize, customer=acme', extra: { metadata: { customer: 'overridden', region: 'eu' }, user: 'u-chat' } }, { tags: { customer: 'acme', region: 'eu', feature: 'summarize' }, user: 'u-chat', team: 'research' }],
      [{ dialect: 'anthropic', secret: token('app'), tags: 'customer=globex', extra: { metadata: { user_id: 'u-claude' } } }, { tags: { customer: 'globex' }, user: 'u-claude', team: 'research' }],
      [{ dialect: 'responses', secret: token('app'), extra: { metadata: { customer: 'acme', feature: 'chat' }, safety_identifier: 'u-resp' } }, { tags: { customer: 'acme', feature: 'chat' }, user: 'u-resp', team: 'research' }],
      [{ dialect: 'gemini', secret: token('script'), extra: { labels: { customer: 'initech' } } }, { tags: { customer: 'initech' }, user: undefined, team: undefined }],
      [{ dialect: 'openai', secret: token('script'), tags: 'user=u-header' }, { tags: { user: 'u-header' }, user: 'u-header', team: undefined }],
    ];
    for (const [call, expected] of expectations) {
      const answer = await send(gateway, call);
      assert.equal(answer.status, 200, `${call.dialect}: ${await answer.text()}`);
      const record = newestRecord(gateway);
      assert.deepEqual({ tags: record.tags, user: record.user, team: record.team }, expected, call.dialect);
    }
  });

  test('body fields the gateway cannot keep are dropped without failing the request; a bad header is a 400 that never echoes a value', async () => {
    const leaky = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';
    const answer = await send(gateway, { dialect: 'openai', secret: token('script'), extra: { metadata: { 'bad key': 'x', long: 'y'.repeat(200), secret: leaky, kept: 'yes' }, user: 'z'.repeat(500) } });
    assert.equal(answer.status, 200);
    const record = newestRecord(gateway);
    assert.deepEqual(record.tags, { kept: 'yes' });
    assert.equal(record.user, undefined);

    const before = upstream.requests.length;
    for (const dialect of ['openai', 'anthropic', 'gemini'] as const) {
      for (const tags of [`token=${leaky}`, 'novalue', 'a=1,a=2', Array.from({ length: 17 }, (_, index) => `k${index}=v`).join(',')]) {
        const refused = await send(gateway, { dialect, secret: token('app'), tags });
        assert.equal(refused.status, 400, `${dialect} ${tags}`);
        const text = await refused.text();
        assert.ok(!text.includes(leaky), `${dialect}: the refusal echoes the value`);
        assert.match(text, /x-modapi-tags/);
      }
    }
    assert.equal(upstream.requests.length, before, 'nothing refused reached the upstream');
  });

  test('the usage API groups by tag, team and user, and filters by them', async () => {
    assert.deepEqual(await groupsOf('group_by=tag:customer'), { acme: 2, globex: 1, initech: 1, '(none)': 2 });
    assert.deepEqual(await groupsOf('group_by=team'), { research: 3, '(none)': 3 });
    assert.deepEqual(await groupsOf('group_by=user'), { 'u-chat': 1, 'u-claude': 1, 'u-resp': 1, 'u-header': 1, '(none)': 2 });
    assert.deepEqual(await groupsOf('group_by=endpoint&tag=customer=acme'), { '/v1/chat/completions': 1, '/v1/responses': 1 });
    assert.deepEqual(await groupsOf('group_by=tag:feature&team=research&tag=customer=acme'), { summarize: 1, chat: 1 });
    assert.deepEqual(await groupsOf('group_by=client&user=u-header'), { script: 1 });
    const filtered = await usage('tag=customer=acme&tag=feature=chat');
    assert.equal(filtered.body.totals.requests, 1);
    for (const bad of ['group_by=tag:', 'group_by=tags:customer', 'tag=customer', 'team=']) assert.equal((await usage(bad)).status, 400, bad);

    // A token that is not admin reads its own records only, filters included.
    const own = await fetch(`${gateway.url.replace(/\/v1$/, '')}/modapi/usage?group_by=tag:customer`, { headers: { authorization: `Bearer ${token('script')}` } });
    assert.deepEqual(Object.fromEntries(((await own.json()) as { groups: { key: string; requests: number }[] }).groups.map((group) => [group.key, group.requests])), { initech: 1, '(none)': 2 });

    const csv = await fetch(`${gateway.url.replace(/\/v1$/, '')}/modapi/usage.csv?tag=customer=globex`, { headers: { authorization: `Bearer ${token('app')}` } });
    const lines = (await csv.text()).trim().split('\r\n');
    assert.equal(lines.length, 2, 'a header and the one globex record');
    assert.match(lines[1]!, /"research","u-claude","customer=globex"$/);
  });

  test('the CLI report groups and filters the same way', async () => {
    const printed: string[] = [];
    await usageReport({ command: 'usage', host: '127.0.0.1', port: 0, help: false, ledger: ledgerDir, groupBy: 'tag:customer', team: 'research' }, (text) => printed.push(text));
    const table = printed.join('\n');
    assert.match(table, /only team research/);
    assert.match(table, /^tag:customer/m);
    assert.match(table, /^acme +2 +0 /m);
    assert.match(table, /^globex +1 +0 /m);
    assert.doesNotMatch(table, /initech/);
    assert.match(table, /^total +3 +0 /m);
  });
});

describe('policies by tag and budgets per team and customer', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await chatUpstream({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, cost: COST }).start();
    gateway = await startGateway(upstream, {
      tagPolicies: [
        { name: 'sensitive-data', when: { tag: 'data=sensitive' }, allowedModels: ['safe-*'] },
        { when: { team: 'research', tag: 'stage=prod' }, allowedModels: ['prod-model'] },
      ],
      budget: { unpricedUsdPerRequest: 0.001, teams: { research: { dailyUsd: 0.006 } }, customers: { acme: { dailyUsd: 0.006 }, '*': { dailyUsd: 1 } } },
    });
  });

  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  const refusal = async (answer: Response, dialect: Dialect): Promise<{ status: number; message: string; kind: string }> => {
    const body = (await answer.json()) as Record<string, any>;
    if (dialect === 'anthropic') return { status: answer.status, message: body.error.message, kind: `${body.type}/${body.error.type}` };
    if (dialect === 'gemini') return { status: answer.status, message: body.error.message, kind: `${body.error.code}/${body.error.status}` };
    return { status: answer.status, message: body.error.message, kind: `${body.error.type}/${body.error.code}` };
  };

  test('a model outside a tag policy\'s list is refused with a 403 naming the policy, in each dialect\'s error shape, before the upstream', async () => {
    const kinds: Record<Dialect, string> = { openai: 'permission_error/policy_model_not_allowed', responses: 'permission_error/policy_model_not_allowed', anthropic: 'error/permission_error', gemini: '403/PERMISSION_DENIED' };
    const before = upstream.requests.length;
    for (const dialect of Object.keys(DIALECTS) as Dialect[]) {
      const refused = await refusal(await send(gateway, { dialect, secret: token('script'), tags: 'data=sensitive,customer=globex' }), dialect);
      assert.equal(refused.status, 403, dialect);
      assert.equal(refused.kind, kinds[dialect], dialect);
      assert.match(refused.message, /policy "sensitive-data"/, dialect);
      assert.match(refused.message, /test-model/, dialect);
    }
    // The body's tags count as the header's do.
    const fromBody = await refusal(await send(gateway, { dialect: 'openai', secret: token('script'), extra: { metadata: { data: 'sensitive' } } }), 'openai');
    assert.equal(fromBody.status, 403);
    // Team and tag together; the policy is named by its condition when it has no name.
    const unnamed = await refusal(await send(gateway, { dialect: 'anthropic', secret: token('app'), tags: 'stage=prod,customer=globex' }), 'anthropic');
    assert.equal(unnamed.status, 403);
    assert.match(unnamed.message, /policy "tag stage=prod, team research"/);
    assert.equal(upstream.requests.length, before, 'no refused request reached the upstream');

    for (const dialect of Object.keys(DIALECTS) as Dialect[]) {
      assert.equal((await send(gateway, { dialect, secret: token('script'), model: 'safe-model', tags: 'data=sensitive,customer=globex' })).status, 200, `${dialect}: a listed model`);
    }
    assert.equal((await send(gateway, { dialect: 'openai', secret: token('script'), tags: 'data=public,customer=globex' })).status, 200, 'another tag value');
    // Counting tokens sends the prompt too (upstream, for an Anthropic model): the policy applies.
    const count = (model: string) =>
      fetch(`${gateway.url}/messages/count_tokens`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': token('script'), 'x-modapi-tags': 'data=sensitive' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });
    const countRefused = await refusal(await count('test-model'), 'anthropic');
    assert.deepEqual([countRefused.status, countRefused.kind], [403, 'error/permission_error']);
    assert.match(countRefused.message, /policy "sensitive-data"/);
    assert.equal((await count('safe-model')).status, 200);
    assert.equal((await send(gateway, { dialect: 'openai', secret: token('script'), tags: 'stage=prod,customer=globex' })).status, 200, 'the tag without the team');
  });

  test('a team\'s and a customer\'s daily budgets refuse once spent; other customers go on', async () => {
    const team = { dialect: 'openai', secret: token('app'), tags: 'customer=globex' } as const;
    assert.equal((await send(gateway, team)).status, 200);
    const teamRefused = await send(gateway, team);
    assert.equal(teamRefused.status, 429);
    const teamError = ((await teamRefused.json()) as { error: { code: string; message: string } }).error;
    assert.equal(teamError.code, 'budget_exceeded');
    assert.match(teamError.message, /team "research"/);

    const acme = { dialect: 'anthropic', secret: token('script'), tags: 'customer=acme' } as const;
    assert.equal((await send(gateway, acme)).status, 200);
    const acmeRefused = await refusal(await send(gateway, acme), 'anthropic');
    assert.equal(acmeRefused.status, 429);
    assert.match(acmeRefused.message, /customer "acme"/);
    assert.equal((await send(gateway, { dialect: 'openai', secret: token('script'), extra: { metadata: { customer: 'acme' } } })).status, 429, 'the customer named in the body counts too');
    assert.equal((await send(gateway, { dialect: 'openai', secret: token('script'), tags: 'customer=initech' })).status, 200, 'another customer, under the cap for each');
    assert.equal((await send(gateway, { dialect: 'openai', secret: token('script') })).status, 200, 'no customer, no team: no cap applies');
  });
});

test('a fallback a tag policy does not allow is never tried; without the tag it is', async () => {
  // The first model fails (502); its fallback answers.
  const upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', (request, response) => {
      const model = request.json().model as string;
      if (model === 'safe-primary') sendJson(response, 502, { error: { message: 'down', type: 'server_error' } });
      else sendJson(response, 200, { id: 'c', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] });
    })
    .start();
  const gateway = await startGateway(upstream, {
    fallbacks: { 'safe-primary': ['risky-fallback'] },
    tagPolicies: [{ name: 'sensitive-data', when: { tag: 'data=sensitive' }, allowedModels: ['safe-*'] }],
  });
  try {
    const tagged = await send(gateway, { dialect: 'openai', secret: token('script'), model: 'safe-primary', tags: 'data=sensitive' });
    assert.equal(tagged.status, 502);
    assert.ok(!upstream.requests.some((request) => request.json().model === 'risky-fallback'), 'the refused fallback never reached the upstream');
    const plain = await send(gateway, { dialect: 'openai', secret: token('script'), model: 'safe-primary' });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('x-modapi-model'), 'risky-fallback');
  } finally {
    await gateway.close();
    await upstream.close();
  }
});
