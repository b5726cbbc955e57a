import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { formatUsageTable } from '../../proxy/cli/usage-report.js';
import { MIN_COMPARISONS, qualityByModel } from '../../proxy/usage/model-quality.js';
import { FileRatingStore, RATINGS_FILE } from '../../proxy/usage/rating-file-store.js';
import { comparisonRatings, comparisonSlots, regenerateRating, thumbRating, type RatedAnswer, type Rating } from '../../proxy/usage/ratings.js';
import { UsageLedger } from '../../proxy/usage/usage-ledger.js';
import { generatedRecord, seededRandom } from './generate-records.js';
import { startTestGateway, TEST_TOKEN } from '../support/gateway.js';

const folders: string[] = [];
const folder = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'modapi-ratings-'));
  folders.push(dir);
  return dir;
};
after(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const TIME = '2026-11-20T10:00:00.000Z';
let next = 0;
const answer = (model: string): RatedAnswer => ({ requestId: `req_${(next += 1)}`, model, provider: 'modapi' });

/** Comparisons as a person made them in Compare: the chosen model first, then the others shown. */
const SEEDED: string[][] = [['A', 'B'], ['A', 'B'], ['B', 'A'], ['A', 'C'], ['C', 'A', 'B'], ['A', 'B', 'C'], ['B', 'C'], ['D', 'A']];

/** By hand from SEEDED: A wins #1 #2 #4 and twice in #6, loses #3 #5 #8; B wins #3 #7, loses #1 #2
 * #5 #6; C wins twice in #5, loses #4 #6 #7; D wins once (under the minimum: no rate). */
const EXPECTED: Record<string, { wins: number; losses: number; winRate: number | null }> = {
  A: { wins: 5, losses: 3, winRate: 5 / 8 },
  B: { wins: 2, losses: 4, winRate: 2 / 6 },
  C: { wins: 2, losses: 3, winRate: 2 / 5 },
  D: { wins: 1, losses: 0, winRate: null },
};

const seededRatings = (): Rating[] =>
  SEEDED.flatMap(([chosen, ...others]) => comparisonRatings(answer(chosen!), others.map(answer), TIME, 'chat-view'));

test('win rates over a seeded set of comparisons equal the hand-computed table; none under the minimum', () => {
  assert.equal(MIN_COMPARISONS, 5);
  const quality = qualityByModel(seededRatings());
  for (const [model, expected] of Object.entries(EXPECTED)) {
    const figures = quality.get(model)!;
    assert.equal(figures.wins, expected.wins, `${model} wins`);
    assert.equal(figures.losses, expected.losses, `${model} losses`);
    assert.equal(figures.comparisons, expected.wins + expected.losses, `${model} comparisons`);
    assert.equal(figures.winRate, expected.winRate, `${model} win rate`);
  }
  // With a lower minimum, D's single win is a rate; with a higher one, C's five are not.
  assert.equal(qualityByModel(seededRatings(), 1).get('D')!.winRate, 1);
  assert.equal(qualityByModel(seededRatings(), 6).get('C')!.winRate, null);
});

test('thumbs: the latest per answer counts, a removed one does not, regenerations apart', async () => {
  const store = new FileRatingStore(folder());
  const [first, second, third] = [answer('A'), answer('A'), answer('A')];
  await store.put(thumbRating(first, 'up', TIME, 'chat-view'));
  await store.put(thumbRating(second, 'up', TIME, 'chat-view'));
  await store.put(thumbRating(second, 'down', TIME, 'chat-view'));
  await store.put(thumbRating(third, 'up', TIME, 'chat-view'));
  await store.remove(third.requestId, 'thumb');
  await store.put(regenerateRating(third, TIME, 'chat-view'));
  const quality = qualityByModel(await store.list()).get('A')!;
  assert.deepEqual({ up: quality.thumbsUp, down: quality.thumbsDown, share: quality.thumbsUpShare, regenerations: quality.regenerations }, { up: 1, down: 1, share: 0.5, regenerations: 1 });
});

test('the ratings file survives a reopen and a torn last line, and holds metadata only', async () => {
  const dir = folder();
  const store = new FileRatingStore(dir);
  for (const rating of seededRatings()) await store.put(rating);
  const chosenA = answer('A');
  const otherB = answer('B');
  for (const rating of comparisonRatings(chosenA, [otherB], TIME, 'chat-view')) await store.put(rating);
  // The person changes their mind: the choice is cleared and B wins instead.
  for (const slot of comparisonSlots([chosenA, otherB])) await store.remove(slot.requestId, slot.slot);
  for (const rating of comparisonRatings(otherB, [chosenA], TIME, 'chat-view')) await store.put(rating);
  appendFileSync(join(dir, RATINGS_FILE), '{"op":"put","time":"2026-11-2');
  const reopened = new FileRatingStore(dir);
  assert.deepEqual(await reopened.list(), await store.list());
  await reopened.put(thumbRating(answer('A'), 'up', TIME, 'chat-view'));
  assert.equal((await new FileRatingStore(dir).list()).length, (await store.list()).length + 1, 'a change after the torn line is read back');
  const quality = qualityByModel(await reopened.list());
  assert.equal(quality.get('A')!.losses, EXPECTED.A!.losses + 1);
  assert.equal(quality.get('B')!.wins, EXPECTED.B!.wins + 1);
  const fields = new Set(readFileSync(join(dir, RATINGS_FILE), 'utf8').split('\n').filter((line) => line.startsWith('{"op":"put","time":"2026-11-20T')).flatMap((line) => Object.keys(JSON.parse(line) as object)));
  assert.deepEqual([...fields].sort(), ['client', 'kind', 'model', 'op', 'provider', 'requestId', 'slot', 'time']);
});

test('GET /modapi/usage?group_by=model gains the quality fields; the CLI report prints them', async () => {
  const dir = folder();
  const ledger = new UsageLedger({ dir });
  const random = seededRandom(7);
  const today = new Date();
  const ids: Record<string, string[]> = {};
  for (let index = 0; index < 40; index += 1) {
    const record = generatedRecord(random, today, index);
    ledger.record(record);
    (ids[record.model] ??= []).push(record.requestId);
  }
  const [gpt4o, claude] = ['gpt-4o', 'claude-sonnet-4-5'].map((model) => ids[model]!);
  const now = today.toISOString();
  // gpt-4o wins five of six comparisons against claude; two thumbs up, one down.
  for (let index = 0; index < 6; index += 1) {
    const [winner, loser] = index < 5 ? [gpt4o, claude] : [claude, gpt4o];
    const modelOf = (list: string[]) => (list === gpt4o ? 'gpt-4o' : 'claude-sonnet-4-5');
    for (const rating of comparisonRatings({ requestId: winner![index]!, model: modelOf(winner!), provider: 'p' }, [{ requestId: loser![index]!, model: modelOf(loser!), provider: 'p' }], now, 'chat-view')) await ledger.ratings.put(rating);
  }
  for (const [index, kind] of (['up', 'up', 'down'] as const).entries()) await ledger.ratings.put(thumbRating({ requestId: gpt4o![index]!, model: 'gpt-4o', provider: 'modapi' }, kind, now, 'chat-view'));
  ledger.close();

  const gateway = await startTestGateway({ ledgerDir: dir, tokens: [{ name: 'ops', token: TEST_TOKEN, admin: true }] });
  try {
    type Body = { rebuilding: boolean; minimum_comparisons: number; groups: { key: string; requests: number; quality: Record<string, number | null> }[] };
    let body: Body;
    // The gateway reads the ledger's months after it starts listening.
    do {
      const response = await fetch(`${gateway.url.replace(/\/v1$/, '')}/modapi/usage?group_by=model`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
      assert.equal(response.status, 200);
      body = (await response.json()) as Body;
    } while (body.rebuilding);
    assert.equal(body.minimum_comparisons, MIN_COMPARISONS);
    const group = (key: string) => body.groups.find((entry) => entry.key === key)!;
    assert.deepEqual(group('gpt-4o').quality, { thumbsUp: 2, thumbsDown: 1, thumbsUpShare: 2 / 3, wins: 5, losses: 1, comparisons: 6, winRate: 5 / 6, regenerations: 0 });
    assert.equal(group('claude-sonnet-4-5').quality.winRate, 1 / 6);
    assert.equal(group('gemini-2.5-flash').quality.comparisons, 0);
    assert.equal(group('gemini-2.5-flash').quality.winRate, null);
    const byProvider = (await (await fetch(`${gateway.url.replace(/\/v1$/, '')}/modapi/usage?group_by=provider`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json()) as { groups: object[] };
    assert.ok(byProvider.groups.every((entry) => !('quality' in entry)), 'quality is per model only');
  } finally {
    await gateway.close();
  }
  const reopened = await UsageLedger.open({ dir });
  try {
    const table = formatUsageTable(reopened.summary({ groupBy: 'model' }), qualityByModel(await reopened.ratings.list()));
    const line = (model: string) => table.split('\n').find((row) => row.startsWith(`${model} `))!;
    assert.match(line('gpt-4o'), /67% of 3\s+83% of 6\s+0$/);
    assert.match(line('claude-sonnet-4-5'), /-\s+17% of 6\s+0$/);
    assert.match(line('gemini-2.5-flash'), /-\s+- of 0\s+0$/);
    assert.match(table, /thumbs up\s+win rate\s+regenerated/);
  } finally {
    reopened.close();
  }
});
