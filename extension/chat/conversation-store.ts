import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Conversation, ConversationSummary } from './protocol.js';

const INDEX = 'index.json';
const MEDIA = 'media';
const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;
const SAFE_MEDIA = /^[A-Za-z0-9_-]{1,100}\.[a-z0-9]{1,8}$/;

export const newId = (prefix: string): string => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 20)}`;

/** A conversation's title from its first prompt. */
export const titleFrom = (text: string): string => {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  return line.length === 0 ? 'New chat' : line.length > 60 ? `${line.slice(0, 57)}...` : line;
};

/** Conversations in the extension's own storage (a folder under globalStorageUri): one JSON file
 * per conversation, an index for the list, generated media beside them. Nothing leaves the machine.
 * Writes go through a temporary file and a rename, so a crash never leaves half a conversation. */
export class ConversationStore {
  private index: ConversationSummary[] | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly directory: string) {}

  /** Most recently updated first. */
  async list(): Promise<ConversationSummary[]> {
    if (!this.index) {
      try {
        const parsed = JSON.parse(await readFile(join(this.directory, INDEX), 'utf8')) as unknown;
        this.index = Array.isArray(parsed) ? parsed.filter(isSummary) : [];
      } catch {
        this.index = [];
      }
    }
    return [...this.index].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  async load(id: string): Promise<Conversation | undefined> {
    if (!SAFE_ID.test(id)) return undefined;
    try {
      const conversation = JSON.parse(await readFile(this.file(id), 'utf8')) as Conversation;
      return conversation.id === id && Array.isArray(conversation.turns) ? conversation : undefined;
    } catch {
      return undefined;
    }
  }

  create(model: string): Conversation {
    const now = new Date().toISOString();
    return { id: newId('chat'), title: 'New chat', model, createdAt: now, updatedAt: now, turns: [] };
  }

  async save(conversation: Conversation): Promise<void> {
    if (!SAFE_ID.test(conversation.id)) throw new Error('invalid conversation id');
    conversation.updatedAt = new Date().toISOString();
    const summary: ConversationSummary = { id: conversation.id, title: conversation.title, model: conversation.model, updatedAt: conversation.updatedAt };
    const list = (await this.list()).filter((entry) => entry.id !== conversation.id);
    this.index = [summary, ...list];
    await this.serialized(async () => {
      await this.writeAtomic(this.file(conversation.id), JSON.stringify(conversation));
      await this.writeIndex();
    });
  }

  async rename(id: string, title: string): Promise<Conversation | undefined> {
    const conversation = await this.load(id);
    if (!conversation) return undefined;
    conversation.title = title.trim().slice(0, 200) || conversation.title;
    await this.save(conversation);
    return conversation;
  }

  async delete(id: string): Promise<void> {
    const conversation = await this.load(id);
    this.index = (await this.list()).filter((entry) => entry.id !== id);
    await this.serialized(async () => {
      if (SAFE_ID.test(id)) await rm(this.file(id), { force: true });
      for (const file of mediaFilesOf(conversation)) await rm(join(this.directory, MEDIA, file), { force: true });
      await this.writeIndex();
    });
  }

  /** Stores generated media; returns its file name (what a MediaItem keeps). */
  async saveMedia(bytes: Uint8Array, extension: string): Promise<string> {
    const file = `${newId('media')}.${extension.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 8) || 'bin'}`;
    await mkdir(join(this.directory, MEDIA), { recursive: true });
    await writeFile(join(this.directory, MEDIA, file), bytes);
    return file;
  }

  async readMedia(file: string): Promise<Buffer | undefined> {
    if (!SAFE_MEDIA.test(file)) return undefined;
    return readFile(join(this.directory, MEDIA, file)).catch(() => undefined);
  }

  private file(id: string): string {
    return join(this.directory, `${id}.json`);
  }

  private async writeIndex(): Promise<void> {
    await this.writeAtomic(join(this.directory, INDEX), JSON.stringify(this.index ?? []));
  }

  private async writeAtomic(path: string, text: string): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  }

  /** One write at a time, so the index and the files never interleave. */
  private serialized(work: () => Promise<void>): Promise<void> {
    const next = this.writing.then(work, work);
    this.writing = next.catch(() => undefined);
    return next;
  }
}

const isSummary = (value: unknown): value is ConversationSummary => {
  const entry = value as ConversationSummary;
  return typeof entry?.id === 'string' && typeof entry.title === 'string' && typeof entry.updatedAt === 'string' && typeof entry.model === 'string';
};

const mediaFilesOf = (conversation: Conversation | undefined): string[] => {
  if (!conversation) return [];
  const files: string[] = [];
  for (const turn of conversation.turns) {
    const answers = turn.role === 'assistant' ? [turn] : turn.role === 'compare' ? turn.answers : [];
    for (const answer of answers) for (const media of answer.media ?? []) if (SAFE_MEDIA.test(media.file)) files.push(media.file);
  }
  return files;
};
