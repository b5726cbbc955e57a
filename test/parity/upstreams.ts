import type { ServerResponse } from 'node:http';
import { FakeUpstream, sendJson, type SeenRequest } from '../support/fake-upstream.js';
import type { ParityRecording, UpstreamDialect } from './recordings.js';

/** The model id a lane asks for: the recording's key, `-split` when the upstream is to write its
 * bytes in small pieces. The fake upstream reads it back from the request. */
export const modelFor = (recording: ParityRecording, split: boolean): string => `${recording.key}${split ? '-split' : ''}`;

/** mulberry32: a small seeded generator, so a split can be replayed exactly. */
const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
};

/** FNV-1a of a name: the seed of its recording's split. */
const seedOf = (name: string): number => {
  let hash = 0x811c9dc5;
  for (const character of name) hash = Math.imul(hash ^ (character.codePointAt(0) ?? 0), 0x01000193);
  return hash >>> 0;
};

/** The recording's bytes in pieces of 1 to 7 bytes (characters and events cut anywhere). */
export const splitPieces = (recording: ParityRecording): Buffer[] => {
  const bytes = Buffer.concat(recording.chunks);
  const random = seededRandom(seedOf(recording.name));
  const pieces: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    const end = Math.min(bytes.length, start + 1 + Math.floor(random() * 7));
    pieces.push(bytes.subarray(start, end));
    start = end;
  }
  return pieces;
};

/** Writes each piece separately, letting the event loop turn between them so the gateway reads
 * them apart. Callbacks, not an awaited promise per piece: the test runner tracks every async
 * resource, which adds to the cost of each of a split stream's many pieces. */
const send = (response: ServerResponse, recording: ParityRecording, pieces: Buffer[]): Promise<void> =>
  new Promise((resolve) => {
    response.writeHead(recording.status, recording.headers);
    let next = 0;
    const writeNext = (): void => {
      if (response.destroyed) return resolve();
      if (next === pieces.length) {
        response.end();
        return resolve();
      }
      response.write(pieces[next++] as Buffer);
      setImmediate(writeNext);
    };
    writeNext();
  });

/** The one path each dialect's chat operation lives at; anything else is a 404, as on the real API
 * (a gateway that builds a wrong URL must not be answered). */
const CHAT_PATHS: Record<UpstreamDialect, RegExp> = {
  openai: /^\/v1\/chat\/completions$/,
  anthropic: /^\/v1\/messages$/,
  gemini: /^\/v1beta\/models\/[^/:]+:(generateContent|streamGenerateContent)$/,
  'openai-responses': /^\/v1\/responses$/,
};

/** The model a request names: in the body for OpenAI and Anthropic, in the path for Gemini. */
const requestedModel = (dialect: UpstreamDialect, request: SeenRequest): string => {
  if (dialect === 'gemini') return decodeURIComponent(/\/models\/([^:/]+):/.exec(request.url)?.[1] ?? '');
  try {
    return String(request.json().model ?? '');
  } catch {
    return '';
  }
};

/** One fake upstream per upstream dialect, serving every recording of that dialect by model id. */
export class ParityUpstreams {
  readonly byDialect = new Map<UpstreamDialect, FakeUpstream>();

  constructor(private readonly recordings: readonly ParityRecording[]) {}

  async start(): Promise<this> {
    const byKey = new Map(this.recordings.map((recording) => [recording.key, recording]));
    for (const dialect of Object.keys(CHAT_PATHS) as UpstreamDialect[]) {
      const upstream = new FakeUpstream().on('*', async (request, response) => {
        const path = request.url.split('?')[0] ?? '';
        if (request.method !== 'POST' || !CHAT_PATHS[dialect].test(path)) {
          sendJson(response, 404, { error: { message: `no chat operation at ${request.method} ${path}`, type: 'not_found_error' } });
          return;
        }
        const model = requestedModel(dialect, request);
        const split = model.endsWith('-split');
        const recording = byKey.get(split ? model.slice(0, -'-split'.length) : model);
        if (!recording || recording.dialect !== dialect) {
          sendJson(response, 404, { error: { message: `no recording for model ${model}`, type: 'not_found_error' } });
          return;
        }
        await send(response, recording, split ? splitPieces(recording) : recording.chunks);
      });
      this.byDialect.set(dialect, await upstream.start());
    }
    return this;
  }

  get(dialect: UpstreamDialect): FakeUpstream {
    const upstream = this.byDialect.get(dialect);
    if (!upstream) throw new Error(`no fake upstream for ${dialect}`);
    return upstream;
  }

  async close(): Promise<void> {
    await Promise.all([...this.byDialect.values()].map((upstream) => upstream.close()));
  }
}
