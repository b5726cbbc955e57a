import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACTUAL_USD, ADMIN_TOKEN, capReached, chat, ESTIMATE_USD, HOLD_SECONDS, load, redisFor, sleep, spentUsd, startTeamCluster, TeamCluster, type Answer, type Replica } from './support.js';

const CLIENTS = 64;
let cluster: TeamCluster;

before(async () => {
  cluster = await startTeamCluster(3);
});

after(async () => {
  await cluster?.stop();
});

/** Every request a client saw answered has exactly one usage row, under its request id (the
 * request id is the table's key, so a replay cannot double one). */
const assertOneRowEach = async (client: string, answers: Answer[]): Promise<void> => {
  const answered = answers.filter((answer) => answer.status === 200).map((answer) => answer.requestId as string);
  assert.equal(new Set(answered).size, answered.length, 'request ids are unique');
  const rows = await cluster.query<{ request_id: string; status: number }>('SELECT request_id, status FROM usage_events WHERE client = $1', [client]);
  const stored = new Set(rows.filter((row) => row.status === 200).map((row) => row.request_id));
  const missing = answered.filter((id) => !stored.has(id));
  assert.deepEqual(missing, [], `${missing.length} answered request(s) without a usage row`);
  // A record is on disk before its answer's last bytes leave, so a killed replica may leave a row
  // for an answer its client never got: at most one per client, in flight at the kill.
  assert.ok(stored.size - answered.length <= CLIENTS, `${stored.size - answered.length} usage rows for requests no client saw answered`);
};

test('a replica SIGKILLed mid-load: every answered request has exactly one usage row (its spool replayed at restart), and its holds expire', async (context) => {
  const token = await cluster.createToken('killed', ['--daily-usd', '1000']);
  const victim = cluster.replicas[2] as Replica;
  let live = cluster.replicas;
  const started = Date.now();
  let killed = false;
  let killedAt = Infinity;
  const answers = await load(() => live, token, 'm-over', CLIENTS, (seen) => {
    if (!killed && seen.filter((answer) => answer.replica === 2 && answer.status === 200).length >= 20) {
      killed = true;
      killedAt = Date.now();
      victim.child.kill('SIGKILL');
      live = cluster.replicas.slice(0, 2);
    }
    return Date.now() - killedAt > 1_000 || Date.now() - started > 20_000;
  });
  assert.ok(killed, 'the victim never served');
  assert.ok(answers.some((answer) => answer.replica === 2 && answer.status === 200), 'the victim served before it died');
  // The killed replica's requests in flight still hold part of the budget.
  const redis = redisFor(context, cluster.redis.url);
  const counter = `modapi:budget:token|killed|day|${new Date().toISOString().slice(0, 10)}`;
  await sleep(300);
  const heldAfterKill = Number(await redis.hget(counter, 'reserved'));
  // Restarted on the same spool folder, it writes what it had answered but not yet written.
  const restarted = await cluster.startReplica(victim.spool);
  cluster.replicas[2] = restarted;
  await cluster.drained();
  await assertOneRowEach('killed', answers);
  // After the hold time, the next reservation drops the dead replica's holds.
  await sleep(HOLD_SECONDS * 1_000 + 200);
  await load(() => cluster.replicas, token, 'm-over', 1, (seen) => seen.length >= 1);
  await sleep(200);
  const heldLater = Number(await redis.hget(counter, 'reserved'));
  assert.ok(heldAfterKill > 0, 'the killed replica held nothing (the test proves nothing)');
  assert.equal(heldLater, 0, `still held: ${heldLater} micro-dollars`);
});

test('Postgres stopped for 10 s mid-load: requests go on being served; the spooled rows arrive after, none lost, none doubled', async () => {
  const started = Date.now();
  let stopping: Promise<void> | undefined;
  let restarting: Promise<unknown> | undefined;
  const answers = await load(() => cluster.replicas, ADMIN_TOKEN, 'm-free', 16, () => {
    const elapsed = Date.now() - started;
    if (!stopping && elapsed > 500) stopping = cluster.postgres.stop();
    if (stopping && !restarting && elapsed > 10_500) restarting = stopping.then(() => cluster.postgres.start());
    return elapsed > 11_500;
  });
  await restarting;
  const duringOutage = answers.filter((answer) => answer.at - started > 2_000 && answer.at - started < 10_000);
  assert.ok(duringOutage.length > 50, `only ${duringOutage.length} answers while Postgres was away`);
  assert.ok(
    duringOutage.every((answer) => answer.status === 200),
    JSON.stringify(duringOutage.find((answer) => answer.status !== 200)),
  );
  const ready = (await (await fetch(`http://127.0.0.1:${cluster.replicas[0]!.port}/ready`)).json()) as { status: string };
  assert.ok(['ready', 'degraded'].includes(ready.status));
  await cluster.drained(cluster.replicas, 30_000);
  await assertOneRowEach('default', answers);
});

test('Redis stopped: budgets go through Postgres and still hold, and come back to Redis rebuilt from Postgres', async () => {
  const token = await cluster.createToken('no-redis', ['--daily-usd', '0.5']);
  await cluster.redis.stop();
  const answers = await load(() => cluster.replicas, token, 'm-under', CLIENTS, capReached);
  const ready = (await (await fetch(`http://127.0.0.1:${cluster.replicas[0]!.port}/ready`)).json()) as { status: string; store: { redis: string } };
  assert.deepEqual([ready.status, ready.store.redis], ['degraded', 'down']);
  await cluster.drained();
  const spent = await spentUsd(cluster, 'no-redis');
  const bound = 0.5 + CLIENTS * (ACTUAL_USD['m-under']! - ESTIMATE_USD);
  assert.ok(spent <= bound + 1e-9 && spent >= 0.25, `spent $${spent} (bound $${bound})`);
  assert.ok(answers.every((answer) => answer.status === 200 || answer.status === 429));
  // Redis back on its port: every replica reconnects, and the counter it rebuilds says the cap is used up.
  await cluster.redis.start();
  await cluster.redisUp();
  for (const replica of cluster.replicas) assert.equal((await chat(replica.port, token, 'm-under')).status, 429);
});

test('the readiness endpoint reports the store', async () => {
  // The earlier tests' last records may still be on their way from the spool (batched).
  let ready: unknown;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const response = await fetch(`http://127.0.0.1:${cluster.replicas[0]!.port}/ready`);
    assert.equal(response.status, 200);
    ready = await response.json();
    if ((ready as { store?: { spooled?: number } }).store?.spooled === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(ready, { status: 'ready', store: { kind: 'postgres', ready: true, postgres: 'up', redis: 'up', spooled: 0 } });
});
