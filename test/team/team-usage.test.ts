import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { csvTexts } from '../support/csv.js';
import { teamServersAvailable } from '../support/team-servers.mjs';
import { ACTUAL_USD, TeamCluster, type Replica } from './support.js';

// Two dist/cli.js replicas on one Postgres: usage grouped by team and by tag, and its records, asked
// of each.
const available = teamServersAvailable();
let cluster: TeamCluster;
const secrets: Record<string, string> = {};

interface Sent {
  token: 'alpha' | 'beta';
  team: string;
  model: string;
  customer?: string;
  replica: number;
  count: number;
}

/** What goes through which replica: each token and each customer on both replicas. */
const SENT: Sent[] = [
  { token: 'alpha', team: 'red', model: 'm-under', customer: 'acme', replica: 0, count: 3 },
  { token: 'alpha', team: 'red', model: 'm-over', customer: 'globex', replica: 1, count: 2 },
  { token: 'beta', team: 'blue', model: 'm-under', customer: 'acme', replica: 1, count: 1 },
  { token: 'beta', team: 'blue', model: 'm-free', replica: 0, count: 2 },
];

interface Group {
  key: string;
  requests: number;
  costUsd: number;
}

/** The groups SENT adds up to, keyed as the usage API keys them. */
const expectedGroups = (keyOf: (sent: Sent) => string, only: (sent: Sent) => boolean = () => true): Map<string, { requests: number; costUsd: number }> => {
  const groups = new Map<string, { requests: number; costUsd: number }>();
  for (const sent of SENT.filter(only)) {
    const group = groups.get(keyOf(sent)) ?? { requests: 0, costUsd: 0 };
    group.requests += sent.count;
    group.costUsd += sent.count * (ACTUAL_USD[sent.model] as number);
    groups.set(keyOf(sent), group);
  }
  return groups;
};

const assertGroups = (actual: Group[], expected: Map<string, { requests: number; costUsd: number }>, what: string): void => {
  assert.deepEqual(actual.map((group) => group.key).sort(), [...expected.keys()].sort(), `${what}: the groups`);
  for (const group of actual) {
    const wanted = expected.get(group.key)!;
    assert.equal(group.requests, wanted.requests, `${what}: requests of ${group.key}`);
    assert.ok(Math.abs(group.costUsd - wanted.costUsd) < 1e-9, `${what}: cost of ${group.key} is ${group.costUsd}, not ${wanted.costUsd}`);
  }
};

/** Each answered request's id, with what was sent. */
const answered: { requestId: string; sent: Sent }[] = [];

const send = async (replica: Replica, token: string, model: string, customer: string | undefined): Promise<string> => {
  const response = await fetch(`http://127.0.0.1:${replica.port}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(customer ? { 'x-modapi-tags': `customer=${customer},feature=summarize` } : {}) },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.arrayBuffer();
  assert.equal(response.status, 200);
  return response.headers.get('x-request-id') as string;
};

interface Summary {
  totals: { requests: number; costUsd: number };
  groups: Group[];
}

const usage = async (replica: Replica, token: string, query: string): Promise<Summary> => {
  const response = await fetch(`http://127.0.0.1:${replica.port}/modapi/usage?${query}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as Summary;
};

/** The same query asked of every replica: the answers are identical; returns the first. */
const fromEveryReplica = async (token: string, query: string): Promise<Summary> => {
  const answers = await Promise.all(cluster.replicas.map((replica) => usage(replica, token, query)));
  for (const answer of answers.slice(1)) assert.deepEqual(answer, answers[0], `replicas disagree on ?${query}`);
  return answers[0] as Summary;
};

before(async () => {
  assert.ok(available, 'postgresql 15 and redis-server are needed (apt-get install postgresql redis-server; .ci/run installs them)');
  execFileSync(process.execPath, ['esbuild.js'], { cwd: join(import.meta.dirname, '..', '..'), stdio: 'pipe' });
  cluster = await new TeamCluster().start(2);
  secrets.alpha = await cluster.createToken('alpha', ['--team', 'red']);
  secrets.beta = await cluster.createToken('beta', ['--team', 'blue']);
  secrets.boss = await cluster.createToken('boss', ['--admin']);
  for (const sent of SENT) {
    for (let turn = 0; turn < sent.count; turn += 1) answered.push({ requestId: await send(cluster.replicas[sent.replica] as Replica, secrets[sent.token] as string, sent.model, sent.customer), sent });
  }
  await cluster.drained();
});

after(async () => {
  await cluster?.stop();
});

test('every replica reports everyone\'s usage by team, by customer tag and filtered, as Postgres has it', async () => {
  const byTeam = await fromEveryReplica(secrets.boss as string, 'group_by=team');
  assertGroups(byTeam.groups, expectedGroups((sent) => sent.team), 'by team');
  assert.equal(byTeam.totals.requests, 8);
  const byCustomer = await fromEveryReplica(secrets.boss as string, 'group_by=tag:customer');
  assertGroups(byCustomer.groups, expectedGroups((sent) => sent.customer ?? '(none)'), 'by customer');
  const filtered = await fromEveryReplica(secrets.boss as string, 'group_by=model&team=red&tag=customer=acme');
  assertGroups(filtered.groups, expectedGroups((sent) => sent.model, (sent) => sent.team === 'red' && sent.customer === 'acme'), 'red team, customer acme');
  assert.equal(filtered.totals.requests, 3);
  const byDay = await fromEveryReplica(secrets.boss as string, `group_by=day&from=${new Date().toISOString().slice(0, 10)}`);
  assert.equal(byDay.totals.requests, 8);
});

test('a token that is not an admin sees only its own usage, from either replica', async () => {
  const own = await fromEveryReplica(secrets.beta as string, 'group_by=tag:customer');
  assertGroups(own.groups, expectedGroups((sent) => sent.customer ?? '(none)', (sent) => sent.token === 'beta'), 'beta by customer');
  const byTeam = await fromEveryReplica(secrets.alpha as string, 'group_by=team');
  assertGroups(byTeam.groups, expectedGroups((sent) => sent.team, (sent) => sent.token === 'alpha'), 'alpha by team');
});

test('the CLI report with --store prints the same groups', async () => {
  const { MODAPI_STORE_URL: storeUrl, ...environment } = cluster.environment();
  const printed = await cluster.cli(['usage', '--store', storeUrl as string, '--group-by', 'tag:customer'], environment);
  const rows = new Map(
    printed
      .split('\n')
      .map((line) => line.trim().split(/\s{2,}/))
      .filter((cells) => cells.length > 2 && /^[\d,]+$/.test(cells[1] as string))
      .map((cells) => [cells[0] as string, { requests: Number((cells[1] as string).replace(/,/g, '')), costUsd: Number(cells[9]) }]),
  );
  const expected = expectedGroups((sent) => sent.customer ?? '(none)');
  assert.deepEqual([...rows.keys()].sort(), [...expected.keys(), 'total'].sort(), printed);
  for (const [key, wanted] of expected) {
    assert.equal(rows.get(key)?.requests, wanted.requests, `CLI requests of ${key}`);
    assert.ok(Math.abs((rows.get(key)?.costUsd ?? -1) - wanted.costUsd) < 1e-4, `CLI cost of ${key}: ${printed}`);
  }
  assert.equal(rows.get('total')?.requests, 8);
});

test('the CLI report reads the store named by MODAPI_STORE_URL alone, with no ledger on this machine', async () => {
  const home = join(cluster.work, 'empty-home');
  const printed = await cluster.cli(['usage', '--group-by', 'team'], { ...cluster.environment(), HOME: home });
  assert.match(printed, /^red\s+5\s/m, printed);
  assert.match(printed, /^blue\s+3\s/m, printed);
  assert.match(printed, /^total\s+8\s/m, printed);
});

interface RecordSeen {
  requestId: string;
  client: string;
  team?: string;
  tags?: Record<string, string>;
}

const get = async (replica: Replica, token: string, path: string): Promise<Response> => {
  const response = await fetch(`http://127.0.0.1:${replica.port}/modapi/${path}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, await response.clone().text());
  return response;
};

/** The records of the per-record CSV (`usage.csv?...`, or `usage?format=csv&...`), by column name. */
const csvRecords = async (replica: Replica, token: string, path: string): Promise<RecordSeen[]> => {
  const [header, ...rows] = csvTexts(await (await get(replica, token, path)).text());
  const column = (row: string[], name: string): string => row[(header as string[]).indexOf(name)] as string;
  return rows.map((row) => ({
    requestId: column(row, 'requestId'),
    client: column(row, 'client'),
    ...(column(row, 'team') ? { team: column(row, 'team') } : {}),
    ...(column(row, 'tags') ? { tags: Object.fromEntries(column(row, 'tags').split(';').map((pair) => pair.split('='))) } : {}),
  }));
};

const recentRecords = async (replica: Replica, token: string, limit = 100): Promise<RecordSeen[]> => {
  const body = (await (await get(replica, token, `usage/recent?limit=${limit}`)).json()) as { data: (RecordSeen & { time: string })[] };
  const times = body.data.map((record) => record.time);
  assert.deepEqual(times, [...times].sort().reverse(), 'recent records come newest first');
  return body.data.map(({ requestId, client, team, tags }) => ({ requestId, client, ...(team ? { team } : {}), ...(tags ? { tags } : {}) }));
};

/** What the records of the requests sent should read, sorted by request id. */
const expectedRecords = (only: (sent: Sent) => boolean = () => true): RecordSeen[] =>
  answered
    .filter((answer) => only(answer.sent))
    .map(({ requestId, sent }) => ({ requestId, client: sent.token, team: sent.team, ...(sent.customer ? { tags: { customer: sent.customer, feature: 'summarize' } } : {}) }))
    .sort((a, b) => a.requestId.localeCompare(b.requestId));

const byId = (records: RecordSeen[]): RecordSeen[] => [...records].sort((a, b) => a.requestId.localeCompare(b.requestId));

test('every replica lists every replica\'s records, with their team and tags: usage/recent and the per-record CSV', async () => {
  // Each replica answered only some of them itself.
  assert.ok(SENT.some((sent) => sent.replica === 0) && SENT.some((sent) => sent.replica === 1));
  for (const replica of cluster.replicas) {
    assert.deepEqual(byId(await recentRecords(replica, secrets.boss as string)), expectedRecords(), `recent from :${replica.port}`);
    assert.deepEqual(byId(await csvRecords(replica, secrets.boss as string, 'usage.csv')), expectedRecords(), `usage.csv from :${replica.port}`);
    assert.deepEqual(byId(await csvRecords(replica, secrets.boss as string, `usage?format=csv&from=${new Date().toISOString().slice(0, 10)}`)), expectedRecords(), `format=csv from :${replica.port}`);
  }
  assert.equal((await recentRecords(cluster.replicas[1] as Replica, secrets.boss as string, 3)).length, 3);
});

test('a token that is not an admin lists only its own records, from either replica; the tag and team filters apply', async () => {
  for (const replica of cluster.replicas) {
    assert.deepEqual(byId(await recentRecords(replica, secrets.beta as string)), expectedRecords((sent) => sent.token === 'beta'), 'beta recent');
    assert.deepEqual(byId(await csvRecords(replica, secrets.beta as string, 'usage.csv')), expectedRecords((sent) => sent.token === 'beta'), 'beta usage.csv');
    assert.deepEqual(byId(await csvRecords(replica, secrets.beta as string, 'usage.csv?tag=customer=acme')), expectedRecords((sent) => sent.token === 'beta' && sent.customer === 'acme'), 'beta, customer acme');
    assert.deepEqual(byId(await csvRecords(replica, secrets.boss as string, 'usage.csv?tag=customer=acme')), expectedRecords((sent) => sent.customer === 'acme'), 'customer acme');
    assert.deepEqual(byId(await csvRecords(replica, secrets.boss as string, 'usage.csv?team=red&tag=customer=globex&tag=feature=summarize')), expectedRecords((sent) => sent.team === 'red' && sent.customer === 'globex'), 'red, globex');
  }
  assert.equal(expectedRecords((sent) => sent.customer === 'acme').length, 4);
});
