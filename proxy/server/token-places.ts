import { ANTHROPIC_CLIENT_HEADERS, anthropicTokenPlace } from '../dialects/anthropic-messages/api.js';
import { GEMINI_CLIENT_HEADERS, geminiTokenPlaces } from '../dialects/gemini/api.js';
import { bearerTokenPlace, type TokenPlace } from '../token-place.js';
import { TAGS_HEADER } from '../usage/attribution.js';

/** Where the local token is read under /v1 and /modapi (OpenAI's and Anthropic's clients): the
 * bearer first, so a stray non-bearer Authorization header does not hide a valid x-api-key. */
export const GATEWAY_TOKEN_PLACES: readonly TokenPlace[] = [bearerTokenPlace, anthropicTokenPlace];

/** Where it is read on the Gemini routes: Google's places first, then the others, for a client
 * that uses them on a Gemini path. */
export const GEMINI_ROUTE_TOKEN_PLACES: readonly TokenPlace[] = [...geminiTokenPlaces, ...GATEWAY_TOKEN_PLACES];

/** What a listed browser origin may send: every client dialect's headers, and the gateway's tags. */
export const CLIENT_REQUEST_HEADERS = ['authorization', 'content-type', ...ANTHROPIC_CLIENT_HEADERS, ...GEMINI_CLIENT_HEADERS, TAGS_HEADER].join(', ');
