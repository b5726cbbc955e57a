import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../../errors.js';
import { responseIdOfItem } from '../../dialects/openai-responses/item-ids.js';
import type { ResponsesInputItem, ResponsesObject } from '../../dialects/openai-responses/wire-types.js';

/** One response the gateway produced, kept for previous_response_id and GET /v1/responses/{id}. */
export interface StoredResponse {
  /** The local token's name that created it: only that token reads it or chains from it. */
  owner: string;
  /** When it was stored (ms since the epoch). */
  storedAt: number;
  /** This request's input items (the conversation before it is the previous response's chain). */
  input: ResponsesInputItem[];
  /** The response as stored: sealed reasoning always kept. */
  response: ResponsesObject;
}

export interface ResponseStoreOptions {
  /** A folder to keep responses in across restarts (one JSON file each, readable by the user only);
   * without it they live in memory. */
  dir?: string;
  /** Past this age a response is gone (default 30 days). */
  maxAgeMs?: number;
  /** The most the kept responses may take, in bytes of JSON (default 64 MiB); the oldest go first. */
  maxBytes?: number;
  now?: () => number;
}

const DAY_MS = 86_400_000;
const ID = /^resp_[A-Za-z0-9_-]{1,200}$/;

/** The responses the gateway keeps, per local token, bounded by age and total size. Stored
 * responses hold prompts and answers (README: Data handling). A chain is read by walking
 * previous_response_id back, so each response is kept once however long the conversation. */
export class ResponseStore {
  private readonly entries = new Map<string, { stored: StoredResponse; bytes: number }>();
  private totalBytes = 0;
  private readonly maxAgeMs: number;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(private readonly options: ResponseStoreOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 30 * DAY_MS;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.now = options.now ?? Date.now;
    if (options.dir) this.load(options.dir);
  }

  save(stored: StoredResponse): void {
    const text = JSON.stringify(stored);
    const bytes = Buffer.byteLength(text);
    // One response larger than the whole store is not kept (its chain then ends there).
    if (bytes > this.maxBytes) return;
    this.forget(stored.response.id);
    this.entries.set(stored.response.id, { stored, bytes });
    this.totalBytes += bytes;
    if (this.options.dir) {
      // Made on first use: a gateway that stores nothing leaves no folder beside the ledger.
      mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
      writeFileSync(this.fileOf(stored.response.id), text, { mode: 0o600 });
    }
    this.evict();
  }

  /** The token's response, or a 404 (another token's response is not found, not forbidden, so its
   * existence is not told). Past its age it is deleted and reported so. */
  get(id: string, owner: string, param: string | null = null): StoredResponse {
    const entry = ID.test(id) ? this.entries.get(id) : undefined;
    if (!entry || entry.stored.owner !== owner) throw new GatewayError(404, `No response with id '${id.slice(0, 200)}' is stored for this token.`, { param, code: 'response_not_found' });
    if (this.expired(entry.stored)) {
      this.forget(id);
      throw new GatewayError(404, `The response '${id}' is older than the gateway keeps responses, and was deleted.`, { param, code: 'response_expired' });
    }
    return entry.stored;
  }

  /** Whether the token has this response here, unexpired (no error either way). */
  holds(id: string, owner: string): boolean {
    const entry = ID.test(id) ? this.entries.get(id) : undefined;
    return entry !== undefined && entry.stored.owner === owner && !this.expired(entry.stored);
  }

  /** An output item of one of the token's stored responses, for an `item_reference` (the AI SDK
   * sends one for each earlier answer while `store` is on), or a 404 as OpenAI answers it. */
  item(itemId: string, owner: string, param: string): ResponsesInputItem {
    const notFound = () => new GatewayError(404, `No item with id '${itemId.slice(0, 200)}' is stored for this token. Items are kept only for responses created with store on.`, { param, code: 'item_not_found' });
    const responseId = responseIdOfItem(itemId);
    const entry = responseId ? this.entries.get(responseId) : undefined;
    if (!responseId || !entry || entry.stored.owner !== owner) throw notFound();
    const item = this.get(responseId, owner, param).response.output.find((output) => output.id === itemId);
    if (!item) throw notFound();
    return item as ResponsesInputItem;
  }

  delete(id: string, owner: string): void {
    this.get(id, owner);
    this.forget(id);
  }

  /** The conversation a new response continues: each stored response's input and output, oldest
   * first, from the start of the chain to `id`. */
  conversation(id: string, owner: string): ResponsesInputItem[] {
    const chain: StoredResponse[] = [];
    const seen = new Set<string>();
    for (let next: string | null = id; next && !seen.has(next); next = chain.at(-1)!.response.previous_response_id) {
      seen.add(next);
      chain.push(this.get(next, owner, 'previous_response_id'));
    }
    return chain.reverse().flatMap((stored) => [...stored.input, ...(stored.response.output as ResponsesInputItem[])]);
  }

  private expired(stored: StoredResponse): boolean {
    return this.now() - stored.storedAt > this.maxAgeMs;
  }

  private forget(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.totalBytes -= entry.bytes;
    if (this.options.dir) rmSync(this.fileOf(id), { force: true });
  }

  /** Oldest first (a Map keeps insertion order): past the size bound, or past the age. */
  private evict(): void {
    for (const [id, entry] of this.entries) {
      if (this.totalBytes <= this.maxBytes && !this.expired(entry.stored)) break;
      this.forget(id);
    }
  }

  private fileOf(id: string): string {
    return join(this.options.dir!, `${id}.json`);
  }

  /** Reads the kept responses, oldest first; a file that does not parse (a torn write) is removed. */
  private load(dir: string): void {
    if (!existsSync(dir)) return;
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.json') && ID.test(name.slice(0, -5)))
      .map((name) => ({ name, time: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => a.time - b.time);
    for (const { name } of files) {
      try {
        const text = readFileSync(join(dir, name), 'utf8');
        const stored = JSON.parse(text) as StoredResponse;
        this.entries.set(stored.response.id, { stored, bytes: Buffer.byteLength(text) });
        this.totalBytes += Buffer.byteLength(text);
      } catch {
        rmSync(join(dir, name), { force: true });
      }
    }
    this.evict();
  }
}
