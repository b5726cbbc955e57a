import { hostname, networkInterfaces } from 'node:os';
import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '../errors.js';
import { describePlaces, presentedToken, type TokenPlace } from '../token-place.js';
import type { LocalClient, LocalTokens } from './local-tokens.js';
import { CLIENT_REQUEST_HEADERS } from './token-places.js';

export interface SecurityOptions {
  /** The port actually bound; the Host header must name it. */
  port: () => number;
  /** Host names accepted besides loopback ones (only when bound elsewhere on purpose). */
  extraHostNames: string[];
  /** Whole Host headers accepted as they are (`gateway.example.com`, `10.0.0.5:8080`): the names a
   * team's load balancer forwards, whatever port this replica is bound to. Lower case. */
  allowedHosts?: readonly string[];
  /** Browser origins allowed to call the gateway (exact match; never a wildcard). */
  allowedOrigins: () => readonly string[];
  tokens: LocalTokens;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Host names accepted besides loopback ones, for the address the gateway was bound to on purpose:
 * that address itself, or for a wildcard bind (0.0.0.0, ::) this machine's name and addresses, so
 * a team reaching it by IP or hostname passes while a rebinding attacker's DNS name still fails. */
export const hostNamesForBind = (bindHost: string): string[] => {
  const host = bindHost.toLowerCase();
  if (LOOPBACK_NAMES.has(host)) return [];
  if (host !== '0.0.0.0' && host !== '::') return host.includes(':') ? [host, `[${host}]`] : [host];
  const names = [hostname().toLowerCase()];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) names.push(address.family === 'IPv6' ? `[${address.address.toLowerCase()}]` : address.address);
  }
  return names;
};

const hostNameAndPort = (host: string): { name: string; port: string | undefined } => {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  return match ? { name: match[1] as string, port: match[2] } : { name: '', port: undefined };
};

/** DNS rebinding: a page on evil.example resolved to 127.0.0.1 still sends `Host: evil.example`. */
export const hostGuard = (options: SecurityOptions) => {
  // A client sends the same Host every time: the last one accepted (for the port bound then) is
  // recognised without parsing it again.
  let accepted = { host: '', port: -1 };
  return (request: Request, _response: Response, next: NextFunction) => {
    const host = request.headers.host ?? '';
    const boundPort = options.port();
    if (host === accepted.host && boundPort === accepted.port) {
      next();
      return;
    }
    const { name, port } = hostNameAndPort(host);
    const nameAllowed = LOOPBACK_NAMES.has(name) || options.extraHostNames.includes(name);
    if ((!nameAllowed || port !== String(boundPort)) && !options.allowedHosts?.includes(host.toLowerCase())) {
      next(new GatewayError(403, 'The Host header must name this gateway on a loopback address.', { type: 'permission_error', code: 'host_not_allowed' }));
      return;
    }
    accepted = { host, port: boundPort };
    next();
  };
};

/** Browsers always send Origin on cross-origin requests: refuse every origin not listed; answer
 * CORS (never with a wildcard) only for listed ones. Non-browser clients send no Origin. */
export const originGuard = (options: SecurityOptions) => (request: Request, response: Response, next: NextFunction) => {
  const origin = request.headers.origin;
  if (origin === undefined) {
    next();
    return;
  }
  if (!options.allowedOrigins().includes(origin)) {
    next(new GatewayError(403, `Requests from the browser origin ${JSON.stringify(origin.slice(0, 100))} are not allowed; add it to modapi.gateway.allowedOrigins to allow it.`, {
      type: 'permission_error',
      code: 'origin_not_allowed',
    }));
    return;
  }
  response.setHeader('access-control-allow-origin', origin);
  response.setHeader('vary', 'Origin');
  if (request.method === 'OPTIONS') {
    response.setHeader('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS');
    response.setHeader('access-control-allow-headers', CLIENT_REQUEST_HEADERS);
    response.setHeader('access-control-max-age', '600');
    response.status(204).end();
    return;
  }
  next();
};

/** Every /v1, /v1beta and /modapi request needs a local token, read from `places` (where the
 * mount's clients put it: token-places.ts). The client is remembered for usage. */
export const tokenGuard = (options: SecurityOptions, places: readonly TokenPlace[]) => {
  const refusal = `A valid local token is required: ${describePlaces(places)}. Copy it with "ModAPI: Copy Local Token", or see the token the gateway printed at start.`;
  return (request: Request, response: Response, next: NextFunction) => {
    const client = options.tokens.authenticate(presentedToken(places, request), request.socket);
    if (!client) {
      next(new GatewayError(401, refusal, { type: 'authentication_error', code: 'invalid_local_token' }));
      return;
    }
    (response.locals as { client?: LocalClient }).client = client;
    next();
  };
};
