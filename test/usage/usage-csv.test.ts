import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { exportCsv } from '../../extension/usage/usage-export.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { RECORD_COLUMNS } from '../../proxy/usage/usage-csv.js';
import { CSV_SEPARATORS, formulasUnder, HOSTILE_TEXTS, parseCsv } from '../support/csv.js';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { fixtureJson } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';

// Model ids are the client's text, and they reach the ledger and every CSV made from it: a
// spreadsheet opening the file, with whichever separator, must see text and numbers, never formulas.

let upstream: FakeUpstream;
let gateway: RunningGateway;
const today = new Date().toISOString().slice(0, 10);
const NUMBER_COLUMNS = ['status', 'promptTokens', 'completionTokens', 'latencyMs'];

before(async () => {
  upstream = await new FakeUpstream().on('POST /v1/chat/completions', (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'))).start();
  gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } } });
  for (const model of HOSTILE_TEXTS) {
    const answer = await fetch(`${gateway.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(answer.status, 200, `${JSON.stringify(model)}: ${await answer.text()}`);
  }
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

/** What every usage CSV must hold to: text quoted, numbers bare, no formula under any separator. */
const assertSafeCsv = (csv: string, label: string): void => {
  const rows = parseCsv(csv);
  const header = rows[0]!;
  assert.ok(header.every((cell) => cell.quoted), `${label}: the header is text`);
  assert.equal(rows.length, 1 + HOSTILE_TEXTS.length, label);
  const column = (name: string) => header.findIndex((cell) => cell.text === name);
  const models = rows.slice(1).map((row) => row[column('model')]!);
  assert.ok(models.every((cell) => cell.quoted), `${label}: model ids are quoted text`);
  assert.deepEqual(models.map((cell) => cell.text.replaceAll("'", '')).sort(), HOSTILE_TEXTS.map((text) => text.replaceAll("'", '')).sort(), `${label}: nothing but the quote marks added`);
  for (const row of rows.slice(1)) {
    for (const name of NUMBER_COLUMNS) {
      const cell = row[column(name)]!;
      assert.equal(cell.quoted, false, `${label}: ${name} stays a number`);
      assert.ok(Number.isFinite(Number(cell.text)) && cell.text !== '', `${label}: ${name} = ${cell.text}`);
    }
    for (const name of ['time', 'requestId', 'client', 'endpoint', 'provider', 'costSource']) assert.equal(row[column(name)]!.quoted, true, `${label}: ${name} is quoted`);
  }
  for (const separator of CSV_SEPARATORS) assert.deepEqual(formulasUnder(csv, separator), [], `${label}: formulas when split on ${JSON.stringify(separator)}`);
};

test('GET /modapi/usage.csv: every text cell quoted, numbers bare, no formula start under any separator', async () => {
  const answer = await fetch(`${gateway.url.replace(/\/v1$/, '')}/modapi/usage.csv`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
  assert.equal(answer.status, 200);
  assertSafeCsv(await answer.text(), 'usage.csv');
});

test('the usage panel\'s exports (requests, and a breakdown by model) hold to the same', async () => {
  const ledger = gateway.context.ledger!;
  let requests = '';
  await exportCsv(ledger, { view: 'requests' }, { fromDay: today, toDay: today }, { write: (text) => void (requests += text) });
  assertSafeCsv(requests, 'requests export');
  assert.equal(parseCsv(requests)[0]!.length, RECORD_COLUMNS.length);
  let byModel = '';
  await exportCsv(ledger, { view: 'breakdown', breakdown: 'model' }, { fromDay: today, toDay: today }, { write: (text) => void (byModel += text) });
  const rows = parseCsv(byModel);
  assert.equal(rows.length, 1 + HOSTILE_TEXTS.length);
  assert.ok(rows.slice(1).every((row) => row[0]!.quoted && !row[1]!.quoted), 'group keys are text, counts are numbers');
  for (const separator of CSV_SEPARATORS) assert.deepEqual(formulasUnder(byModel, separator), [], `breakdown split on ${JSON.stringify(separator)}`);
});
