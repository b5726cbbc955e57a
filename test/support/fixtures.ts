import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Recorded provider traffic copied from ../shared/fixtures (see test/fixtures/SOURCES.md). */
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export const fixtureText = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');

export const fixtureJson = (path: string): any => JSON.parse(fixtureText(path));

/** A recording as the SSE events the upstream sent: `.sse` files split on blank lines (framing kept),
 * `.jsonl` files (one data payload a line) re-wrapped; Anthropic payloads get their `event:` line. */
export const fixtureEvents = (path: string): string[] => {
  const text = fixtureText(path);
  if (path.endsWith('.sse')) {
    return text
      .replace(/\r\n/g, '\n')
      .split(/\n\n+/)
      .filter((block) => block.trim().length > 0)
      .map((block) => `${block}\n\n`);
  }
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const type = (JSON.parse(line) as { type?: unknown }).type;
      return path.includes('anthropic') && typeof type === 'string' ? `event: ${type}\ndata: ${line}\n\n` : `data: ${line}\n\n`;
    });
};

/** The text of a recorded OpenAI chat stream, read straight from its chunks (not through the
 * gateway's decoder), as a client should print it. */
export const recordedChatStreamText = (path: string): string =>
  fixtureEvents(path)
    .map((event) => event.replace(/^data: /, '').trim())
    .filter((data) => data !== '[DONE]')
    .map((data) => JSON.parse(data).choices?.[0]?.delta?.content ?? '')
    .join('');

/** A recorded Responses stream (`.jsonl`, one payload a line) as the events OpenAI sent, each with
 * its `event:` line, one list per response: a file of several responses joined (one per agent
 * step) is cut at each response.created. */
export const responsesTurns = (path: string): string[][] => {
  const turns: string[][] = [];
  for (const line of fixtureText(path).split('\n').filter((text) => text.trim().length > 0)) {
    const type = (JSON.parse(line) as { type: string }).type;
    if (type === 'response.created' || turns.length === 0) turns.push([]);
    turns.at(-1)!.push(`event: ${type}\ndata: ${line}\n\n`);
  }
  return turns;
};
