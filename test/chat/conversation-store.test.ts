import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConversationStore, titleFrom } from '../../extension/chat/conversation-store.js';
import type { Conversation } from '../../extension/chat/protocol.js';

let directory: string;

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'modapi-chat-store-'));
});

after(() => rm(directory, { recursive: true, force: true }));

const conversationWith = (store: ConversationStore, text: string): Conversation => {
  const conversation = store.create('gpt-4o');
  conversation.title = titleFrom(text);
  conversation.turns.push({ role: 'user', id: 'turn_1', text, attachments: [] }, { role: 'assistant', id: 'answer_1', model: 'gpt-4o', mode: 'chat', status: 'done', text: 'Hello!' });
  return conversation;
};

test('conversations survive a reload (a new store over the same folder), newest first', async () => {
  const folder = join(directory, 'reload');
  const store = new ConversationStore(folder);
  const first = conversationWith(store, 'first question');
  await store.save(first);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const second = conversationWith(store, 'second question');
  await store.save(second);

  const reloaded = new ConversationStore(folder);
  assert.deepEqual((await reloaded.list()).map((entry) => entry.title), ['second question', 'first question']);
  const loaded = await reloaded.load(first.id);
  assert.deepEqual(loaded?.turns, first.turns);
  assert.equal(loaded?.model, 'gpt-4o');
});

test('rename changes the title in the list and in the conversation', async () => {
  const store = new ConversationStore(join(directory, 'rename'));
  const conversation = conversationWith(store, 'old name');
  await store.save(conversation);
  await store.rename(conversation.id, '  New name  ');
  assert.equal((await store.list())[0]?.title, 'New name');
  assert.equal((await new ConversationStore(join(directory, 'rename')).load(conversation.id))?.title, 'New name');
});

test('delete removes the conversation, its entry and its media', async () => {
  const folder = join(directory, 'delete');
  const store = new ConversationStore(folder);
  const conversation = conversationWith(store, 'with an image');
  const file = await store.saveMedia(Buffer.from([1, 2, 3]), 'png');
  conversation.turns.push({ role: 'assistant', id: 'answer_2', model: 'gpt-image-1', mode: 'image', status: 'done', text: '', media: [{ kind: 'image', mimeType: 'image/png', file }] });
  await store.save(conversation);
  assert.deepEqual([...(await store.readMedia(file))!], [1, 2, 3]);
  await store.delete(conversation.id);
  assert.equal((await store.list()).length, 0);
  assert.equal(await store.load(conversation.id), undefined);
  assert.equal(await store.readMedia(file), undefined);
  assert.deepEqual((await readdir(folder)).filter((name) => name.endsWith('.tmp')), []);
});

test('ids and media names that could leave the folder are refused', async () => {
  const store = new ConversationStore(join(directory, 'paths'));
  assert.equal(await store.load('../../etc/passwd'), undefined);
  assert.equal(await store.readMedia('../index.json'), undefined);
  const conversation = store.create('gpt-4o');
  conversation.id = '../escape';
  await assert.rejects(store.save(conversation));
});

test('a damaged index is an empty list, never a crash', async () => {
  const folder = join(directory, 'damaged');
  const store = new ConversationStore(folder);
  await store.save(conversationWith(store, 'kept'));
  await writeFile(join(folder, 'index.json'), '{"torn":');
  assert.deepEqual(await new ConversationStore(folder).list(), []);
});

test('a title is the first line of the first prompt, shortened', () => {
  assert.equal(titleFrom('  How do I sort?\nmore text'), 'How do I sort?');
  assert.equal(titleFrom(''), 'New chat');
  assert.equal(titleFrom('x'.repeat(100)).length, 60);
});
