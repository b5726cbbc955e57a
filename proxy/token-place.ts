import type { IncomingHttpHeaders } from 'node:http';

/** What a token place reads: a request's headers and its parsed query (never a logged URL). */
export interface PresentedRequest {
  headers: IncomingHttpHeaders;
  query?: unknown;
}

/** Where a dialect's clients put their key: the gateway reads its local token there. Each dialect
 * names its own places (in its api.ts); the server only asks them in order. */
export interface TokenPlace {
  /** How a person sends it there, for the 401's message: `"x-api-key"`. */
  description: string;
  read(request: PresentedRequest): string | undefined;
}

/** `Authorization: Bearer <token>`: HTTP's own place, which every dialect's clients may use. A
 * non-bearer Authorization header reads as nothing, so it cannot hide a token in a later place. */
export const bearerTokenPlace: TokenPlace = {
  description: '"Authorization: Bearer <token>"',
  read: (request) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
    return bearer ? (bearer[1] as string).trim() : undefined;
  },
};

/** A header's value as one trimmed string, or nothing when it is absent or empty. */
export const headerToken = (value: string | string[] | undefined): string | undefined => {
  const text = typeof value === 'string' ? value.trim() : undefined;
  return text ? text : undefined;
};

/** The first token found, in the places' order. */
export const presentedToken = (places: readonly TokenPlace[], request: PresentedRequest): string | undefined => {
  for (const place of places) {
    const token = place.read(request);
    if (token !== undefined) return token;
  }
  return undefined;
};

/** "send it as A, B or C" for a 401. */
export const describePlaces = (places: readonly TokenPlace[]): string => {
  const names = places.map((place) => place.description);
  return `send it as ${names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0]}`;
};
