import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { UsageLedger } from '../../proxy/usage/usage-ledger.js';
import { NO_VALUE_GROUP, recordMatches, type GroupDimension, type RecordFilter } from '../../proxy/usage/usage-rollups.js';
import { addRecord, emptyTotals, type UsageTotals } from '../../proxy/usage/usage-totals.js';
import { generatedRecords } from './generate-records.js';
import { collect, tempFolder } from './support.js';

/** The obvious aggregation, record by record, to check the rollups against. */
const naive = (records: UsageRecord[], fromDay: string | undefined, toDay: string | undefined, groupBy: GroupDimension) => {
  const totals = emptyTotals();
  const groups = new Map<string, UsageTotals>();
  for (const record of records) {
    const day = record.time.slice(0, 10);
    if ((fromDay && day < fromDay) || (toDay && day > toDay)) continue;
    addRecord(totals, record);
    const key = groupBy === 'day' ? day : ((groupBy.startsWith('tag:') ? record.tags?.[groupBy.slice(4)] : record[groupBy as 'model' | 'provider' | 'client' | 'endpoint' | 'team' | 'user']) ?? NO_VALUE_GROUP);
    if (!groups.has(key)) groups.set(key, emptyTotals());
    addRecord(groups.get(key)!, record);
  }
  return { totals, groups };
};

const close = (actual: UsageTotals, expected: UsageTotals, label: string) => {
  for (const key of Object.keys(expected) as (keyof UsageTotals)[]) {
    assert.ok(Math.abs(actual[key] - expected[key]) < 1e-6, `${label} ${key}: ${actual[key]} != ${expected[key]}`);
  }
};

test('aggregates over generated months equal the record-by-record sums, for every grouping and range', async () => {
  const dir = tempFolder();
  const records = [...generatedRecords(new Date('2026-08-25T00:00:00Z'), 70, 60)];
  const writer = new UsageLedger({ dir });
  for (const record of records) writer.record(record);
  writer.close();
  assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.jsonl')).sort(), ['usage-2026-08.jsonl', 'usage-2026-09.jsonl', 'usage-2026-10.jsonl', 'usage-2026-11.jsonl']);

  assert.equal((await UsageLedger.open({ dir })).loadStats.monthsFromSnapshots, 4, 'a ledger closed in good order saved every month it wrote');
  for (const name of readdirSync(dir)) if (name.endsWith('.rollup.json')) rmSync(join(dir, name));
  const first = await UsageLedger.open({ dir });
  assert.equal(first.loadStats.recordsParsed, records.length, 'without saved rollups every line is read');
  const second = await UsageLedger.open({ dir });
  assert.equal(second.loadStats.monthsFromSnapshots, 3, 'closed months are saved as soon as they were read');
  assert.equal(second.loadStats.recordsParsed, records.filter((record) => record.time.startsWith('2026-11')).length);
  assert.deepEqual(second.recent(3), records.slice(-3).reverse());
  for (const ledger of [first, second]) {
    for (const [fromDay, toDay] of [[undefined, undefined], ['2026-09-03', '2026-10-17'], ['2026-10-31', '2026-10-31'], ['2027-01-01', undefined]] as const) {
      for (const groupBy of ['model', 'provider', 'client', 'endpoint', 'day', 'team', 'user', 'tag:customer', 'tag:feature'] as const) {
        const expected = naive(records, fromDay, toDay, groupBy);
        const summary = ledger.summary({ fromDay, toDay, groupBy });
        close(summary.totals, expected.totals, `${fromDay}..${toDay} total`);
        assert.deepEqual(summary.groups.map((group) => group.key).sort(), [...expected.groups.keys()].sort());
        for (const group of summary.groups) close(group.totals, expected.groups.get(group.key)!, `${groupBy}=${group.key}`);
      }
    }
    ledger.close();
  }
});

test('filtered by team, user and tags, summaries equal the sums of the matching records, grouped by any dimension', async () => {
  const dir = tempFolder();
  const records = [...generatedRecords(new Date('2026-10-28T00:00:00Z'), 6, 40)];
  const writer = new UsageLedger({ dir });
  for (const record of records) writer.record(record);
  writer.close();
  const ledger = await UsageLedger.open({ dir });
  const filters: RecordFilter[] = [{ team: 'research' }, { tags: { customer: 'customer-2' } }, { tags: { customer: 'customer-1', feature: 'summarize' } }, { user: 'user-2', team: 'support' }, { team: 'nobody' }];
  for (const filter of filters) {
    const matching = records.filter((record) => recordMatches(record, filter));
    for (const groupBy of ['model', 'team', 'tag:customer', 'day'] as const) {
      const expected = naive(matching, '2026-10-29', '2026-11-02', groupBy);
      const summary = await ledger.summarize({ fromDay: '2026-10-29', toDay: '2026-11-02', groupBy, ...filter });
      close(summary.totals, expected.totals, `${JSON.stringify(filter)} total`);
      assert.deepEqual(summary.groups.map((group) => group.key).sort(), [...expected.groups.keys()].sort(), `${JSON.stringify(filter)} by ${groupBy}`);
      for (const group of summary.groups) close(group.totals, expected.groups.get(group.key)!, `${groupBy}=${group.key}`);
    }
  }
  assert.ok(records.some((record) => recordMatches(record, filters[2]!)), 'the generated records carry the tags filtered on');
  ledger.close();
});

test('a torn last line is skipped, never fatal, and the next record starts on its own line', async () => {
  const dir = tempFolder();
  const records = [...generatedRecords(new Date('2026-11-01T00:00:00Z'), 1, 5)];
  const ledger = new UsageLedger({ dir });
  for (const record of records) ledger.record(record);
  ledger.close();
  const file = join(dir, 'usage-2026-11.jsonl');
  // What a crash in the middle of a write leaves behind.
  appendFileSync(file, JSON.stringify(records[0]).slice(0, 40));

  const reopened = await UsageLedger.open({ dir });
  assert.equal(reopened.loadStats.skippedLines, 1);
  assert.equal(reopened.summary({}).totals.requests, 5);
  const next = { ...records[1]!, requestId: 'req_after_the_crash', time: '2026-11-01T12:00:00.000Z' };
  reopened.record(next);
  reopened.close();

  const again = await UsageLedger.open({ dir });
  assert.equal(again.summary({}).totals.requests, 6, 'the record written after the crash is whole');
  assert.equal(again.loadStats.skippedLines, 1);
  assert.equal(again.recent(1)[0]?.requestId, 'req_after_the_crash');
  again.close();
});

test('damaged lines anywhere are skipped; lines that are JSON but not records too', async () => {
  const dir = tempFolder();
  const [record] = [...generatedRecords(new Date('2026-11-02T00:00:00Z'), 1, 1)];
  writeFileSync(join(dir, 'usage-2026-11.jsonl'), `not json\n${JSON.stringify(record)}\n{"hello":1}\n\n[1,2]\n`);
  const ledger = await UsageLedger.open({ dir });
  assert.equal(ledger.summary({}).totals.requests, 1);
  assert.equal(ledger.loadStats.skippedLines, 3);
  ledger.close();
});

test('records(), recent() and the file hold every field of every record, one JSON line each', async () => {
  const dir = tempFolder();
  const records = [...generatedRecords(new Date('2026-10-30T00:00:00Z'), 3, 4)];
  const ledger = new UsageLedger({ dir });
  for (const record of records) ledger.record(record);
  assert.deepEqual(await collect(ledger.records({ fromDay: '2026-10-31', toDay: '2026-11-01' })), records.slice(4, 12));
  assert.deepEqual(ledger.recent(3), records.slice(-3).reverse());
  ledger.close();
  const lines = readFileSync(join(dir, 'usage-2026-11.jsonl'), 'utf8').trimEnd().split('\n');
  assert.deepEqual(JSON.parse(lines[0]!), records[8]);
});

test('a record event reaches subscribers; spending by client and period is read from the rollups', () => {
  const ledger = new UsageLedger();
  const seen: UsageRecord[] = [];
  ledger.on('record', (record: UsageRecord) => seen.push(record));
  const records = [...generatedRecords(new Date('2026-11-03T00:00:00Z'), 2, 10)].filter((record) => record.costUsd !== null);
  for (const record of records) ledger.record(record);
  assert.equal(seen.length, records.length);
  const day = records.filter((record) => record.time.startsWith('2026-11-03') && record.client === 'aider').reduce((sum, record) => sum + record.costUsd!, 0);
  assert.ok(Math.abs(ledger.rollups.spentUsd('2026-11-03', 'aider') - day) < 1e-12);
  const month = records.reduce((sum, record) => sum + record.costUsd!, 0);
  assert.ok(Math.abs(ledger.rollups.spentUsd('2026-11') - month) < 1e-12);
});

test('model ids that look like object internals are ordinary keys', () => {
  const ledger = new UsageLedger();
  const [record] = [...generatedRecords(new Date('2026-11-04T00:00:00Z'), 1, 1)];
  ledger.record({ ...record!, model: '__proto__' });
  ledger.record({ ...record!, model: 'constructor' });
  const keys = ledger.summary({ groupBy: 'model' }).groups.map((group) => group.key).sort();
  assert.deepEqual(keys, ['__proto__', 'constructor']);
});

test('a ledger kept across gateway restarts (given as `ledger` or as the usage sink) is the one budgets and the API read', async () => {
  const { startTestGateway } = await import('../support/gateway.js');
  const dir = tempFolder();
  const kept = new UsageLedger({ dir });
  for (const options of [{ ledger: kept }, { usage: kept }]) {
    const gateway = await startTestGateway(options);
    try {
      assert.equal(gateway.context.ledger, kept);
      assert.equal(gateway.context.usage, kept, 'records are written once, to the kept ledger');
    } finally {
      await gateway.close();
    }
  }
  const [record] = [...generatedRecords(new Date(), 1, 1)];
  kept.record(record!);
  assert.equal(kept.summary({}).totals.requests, 1, 'still open after the gateways stopped');
  kept.close();
});

test('saved rollups are used only while they match the file: after a kill, or another writer, the month is read again', async () => {
  const dir = tempFolder();
  const records = [...generatedRecords(new Date('2026-11-05T00:00:00Z'), 2, 50)];
  const writer = new UsageLedger({ dir });
  for (const record of records.slice(0, 40)) writer.record(record);
  writer.close();

  const graceful = await UsageLedger.open({ dir, recentLimit: 10 });
  assert.deepEqual([graceful.loadStats.recordsParsed, graceful.loadStats.monthsFromSnapshots], [0, 1], 'a clean stop: nothing to read');
  assert.deepEqual(graceful.recent(10), records.slice(30, 40).reverse(), 'the recent list from the file tail');
  // Killed: records appended, no close.
  for (const record of records.slice(40, 60)) graceful.record(record);

  const afterKill = await UsageLedger.open({ dir });
  assert.equal(afterKill.loadStats.recordsParsed, 60, 'the saved rollups no longer match: the month is read');
  assert.equal(afterKill.summary({}).totals.requests, 60);

  // Two ledgers on one folder (say, the editor's and a CLI's): neither may save rollups missing the other's records.
  const other = await UsageLedger.open({ dir });
  for (const record of records.slice(60, 80)) afterKill.record(record);
  for (const record of records.slice(80, 100)) other.record(record);
  afterKill.close();
  other.close();
  const reopened = await UsageLedger.open({ dir });
  assert.equal(reopened.summary({}).totals.requests, 100);
  assert.equal(reopened.loadStats.recordsParsed, 100);
  reopened.close();
});
