import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReasoningSeal } from '../../dialects/openai-responses/reasoning-seal.js';
import { RelayedResponses } from './relayed-responses.js';
import { ResponseStore, type ResponseStoreOptions } from './response-store.js';

export interface ResponsesOptions extends ResponseStoreOptions {
  /** Whether responses are kept at all (a request's `store: false` turns it off for that one). */
  store?: boolean;
}

/** What the Responses routes keep between requests. */
export interface ResponsesState {
  /** Undefined when storage is off: previous_response_id is then refused, GET finds nothing. */
  store: ResponseStore | undefined;
  seal: ReasoningSeal;
  /** Responses relayed to a provider that keeps them (relay-responses.ts), found by id. */
  relayed: RelayedResponses;
}

const KEY_BYTES = 32;

/** The sealing key: kept in the folder when there is one, so sealed reasoning survives a restart;
 * else made for this process. It never leaves the machine and is readable by the user only. */
const sealKey = (dir: string | undefined): Buffer => {
  if (!dir) return randomBytes(KEY_BYTES);
  const path = join(dir, 'seal.key');
  try {
    const key = readFileSync(path);
    if (key.length === KEY_BYTES) return key;
  } catch {
    // no key yet: made below
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  writeFileSync(path, key, { mode: 0o600 });
  return key;
};

export const createResponsesState = (options: ResponsesOptions = {}): ResponsesState => ({
  store: options.store === false ? undefined : new ResponseStore(options),
  seal: new ReasoningSeal(() => sealKey(options.dir)),
  relayed: new RelayedResponses(),
});
