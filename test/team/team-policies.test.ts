import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sleep, startTeamCluster, type Replica, type TeamCluster } from './support.js';

// Three dist/cli.js replicas on one Postgres and Redis, with a policy in their config file; more
// policies are set, listed and removed through the CLI against the store while they run.
let cluster: TeamCluster;
const secrets: Record<string, string> = {};

before(async () => {
  cluster = await startTeamCluster(3, { policies: [{ name: 'config-prod', when: { tag: 'stage=prod' }, allowedModels: ['m-free'] }] });
  [secrets.red, secrets.blue] = await Promise.all([cluster.createToken('red-app', ['--team', 'red']), cluster.createToken('blue-app', ['--team', 'blue'])]);
});

after(async () => {
  await cluster?.stop();
});

interface Answer {
  status: number;
  message: string;
}

const ask = async (replica: Replica, token: string, model: string, tags: string, path = '/v1/chat/completions'): Promise<Answer> => {
  const response = await fetch(`http://127.0.0.1:${replica.port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-modapi-tags': tags },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await response.json()) as { error?: { message?: string } };
  return { status: response.status, message: body.error?.message ?? '' };
};

/** Milliseconds from now until every replica answers `status` to the request, each; Infinity for one that never did in 5 s. */
const untilEveryReplica = (status: number, token: string, model: string, tags: string): Promise<number[]> => {
  const started = Date.now();
  return Promise.all(
    cluster.replicas.map(async (replica) => {
      while ((await ask(replica, token, model, tags)).status !== status) {
        if (Date.now() - started > 5_000) return Infinity;
        await sleep(20);
      }
      return Date.now() - started;
    }),
  );
};

const withinASecond = (milliseconds: number[], what: string): void => assert.ok(milliseconds.every((elapsed) => elapsed < 1_000), `${what} after ${milliseconds.join(', ')} ms`);

/** Every replica refuses the request with a 403 naming the policy, and none of them calls the upstream. */
const refusedEverywhere = async (token: string, model: string, tags: string, policy: string, path?: string): Promise<void> => {
  const calls = cluster.upstream.requests.length;
  for (const replica of cluster.replicas) {
    const answer = await ask(replica, token, model, tags, path);
    assert.equal(answer.status, 403, `port ${replica.port} ${path ?? ''}: ${answer.message}`);
    assert.match(answer.message, new RegExp(`policy "${policy}" does not allow the model '${model}'`));
  }
  assert.equal(cluster.upstream.requests.length, calls, 'a refused request reached the upstream');
};

const servedEverywhere = async (token: string, model: string, tags: string): Promise<void> => {
  for (const replica of cluster.replicas) assert.equal((await ask(replica, token, model, tags)).status, 200, `port ${replica.port}: ${model} with ${tags}`);
};

test('a policy set through the CLI holds on every replica within a second, is listed, and is lifted everywhere within a second when removed', async () => {
  await servedEverywhere(secrets.red as string, 'm-under', 'data=sensitive');
  assert.match(await cluster.cli(['policies', 'set', '--name', 'sensitive-data', '--tag', 'data=sensitive', '--allowed-models', 'm-free, m-over']), /policy "sensitive-data" created/);
  withinASecond(await untilEveryReplica(403, secrets.red as string, 'm-under', 'data=sensitive'), 'refused');
  await refusedEverywhere(secrets.red as string, 'm-under', 'data=sensitive,customer=acme', 'sensitive-data');
  // Counting tokens sends the prompt too: the policy applies to it as well.
  await refusedEverywhere(secrets.blue as string, 'm-under', 'data=sensitive', 'sensitive-data', '/v1/messages/count_tokens');
  await servedEverywhere(secrets.blue as string, 'm-over', 'data=sensitive');
  await servedEverywhere(secrets.blue as string, 'm-under', 'data=public');

  assert.match(await cluster.cli(['policies', 'list']), /^sensitive-data\tin force\tcreated \S+\ttag data=sensitive, models m-free,m-over$/m);
  assert.match(await cluster.cli(['policies', 'set', 'sensitive-data', '--tag', 'data=sensitive', '--allowed-models', 'm-free']), /policy "sensitive-data" replaced/);
  withinASecond(await untilEveryReplica(403, secrets.blue as string, 'm-over', 'data=sensitive'), 'the replaced policy refused');

  assert.match(await cluster.cli(['policies', 'remove', 'sensitive-data']), /policy "sensitive-data" removed/);
  withinASecond(await untilEveryReplica(200, secrets.red as string, 'm-under', 'data=sensitive'), 'served again');
  // Independent of each other: run side by side to keep the file short.
  await Promise.all([
    cluster.cli(['policies', 'list']).then((listed) => assert.equal(listed, 'no policies in the team store\n')),
    assert.rejects(cluster.cli(['policies', 'remove', 'sensitive-data']), /no policy named "sensitive-data"/),
    assert.rejects(cluster.cli(['policies', 'set', '--name', 'bad', '--tag', 'sensitive', '--allowed-models', 'm-free']), /the policy is not valid: when\.tag: KEY=VALUE/),
    assert.rejects(cluster.cli(['policies', 'set', '--name', 'bad', '--tag', 'data=x']), /needs the models it allows/),
  ]);
});

test('the config\'s policies and the store\'s apply together; a store policy with a team binds only that team\'s tokens', async () => {
  await cluster.cli(['policies', 'set', '--name', 'red-pii', '--team', 'red', '--tag', 'data=pii', '--allowed-models', 'm-free,m-over']);
  withinASecond(await untilEveryReplica(403, secrets.red as string, 'm-under', 'data=pii'), 'refused');
  await refusedEverywhere(secrets.red as string, 'm-under', 'data=pii', 'red-pii');
  await servedEverywhere(secrets.blue as string, 'm-under', 'data=pii');
  await refusedEverywhere(secrets.blue as string, 'm-under', 'stage=prod', 'config-prod');
  // Both match: each refuses what it does not list, the config's named first.
  await refusedEverywhere(secrets.red as string, 'm-over', 'stage=prod,data=pii', 'config-prod');
  await servedEverywhere(secrets.red as string, 'm-free', 'stage=prod,data=pii');
  assert.match(await cluster.cli(['policies', 'list']), /^red-pii\tin force\tcreated \S+\ttag data=pii, team red, models m-free,m-over$/m);
});

test('a malformed rule written by SQL is logged and skipped by every replica, which go on serving and applying the sound policies', async () => {
  // Written by SQL alone: the table's trigger moves its version, and the replicas read it again.
  await cluster.query(`INSERT INTO policies (name, rule) VALUES ('broken-shape', '{"when": {"tag": "data"}, "allowedModels": "m-free"}'), ('not-a-rule', '"m-free only"')`);
  const started = Date.now();
  for (const replica of cluster.replicas) {
    while (!/policy "not-a-rule" is skipped/.test(replica.output())) {
      assert.ok(Date.now() - started < 5_000, `no log line from port ${replica.port}: ${replica.output().slice(-2_000)}`);
      await sleep(20);
    }
    assert.match(replica.output(), /policies: the team store's policy "broken-shape" is skipped: when\.tag: KEY=VALUE/);
    assert.equal(replica.child.exitCode, null, 'the replica is still running');
  }
  await servedEverywhere(secrets.blue as string, 'm-under', 'data=x');
  await refusedEverywhere(secrets.red as string, 'm-under', 'data=pii', 'red-pii');
  const listed = await cluster.cli(['policies', 'list']);
  assert.match(listed, /^broken-shape\tskipped: when\.tag: KEY=VALUE\tcreated /m);
  assert.match(listed, /^not-a-rule\tskipped: \(root\): Expected object, received string\tcreated /m);
});
