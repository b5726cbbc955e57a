import { createHmac, timingSafeEqual } from 'node:crypto';

/** One reasoning block as an upstream gave it: its text and the opaque signature (an Anthropic
 * thinking signature) that the upstream wants back on the next turn. */
export interface SealedReasoningBlock {
  text: string;
  signature?: string;
}

/** Marks the gateway's own `encrypted_content`; an item from elsewhere (OpenAI's, when a client
 * moves a conversation) does not start with it and is left out of a translated request. */
const PREFIX = 'modapi1.';

/** A reasoning item's `encrypted_content` as the gateway writes it: the blocks in base64url JSON,
 * then an HMAC-SHA256 of them with a key of the gateway's own. It is signed, not encrypted: it holds
 * only what the client already saw (the reasoning text) and the upstream's signature, which is
 * itself opaque; the HMAC makes a changed text or signature fail instead of reaching the upstream.
 * That is how a thinking signature survives a client that keeps no state (`store: false`) and a
 * gateway restart (the key is kept on disk, see routes/responses/responses-state.ts). */
export class ReasoningSeal {
  private key: Buffer | undefined;

  /** `key` is asked for on first use: a gateway that never seals writes no key file. */
  constructor(private readonly keyOf: () => Buffer) {}

  seal(blocks: readonly SealedReasoningBlock[]): string {
    const payload = Buffer.from(JSON.stringify(blocks)).toString('base64url');
    return `${PREFIX}${payload}.${this.mac(payload)}`;
  }

  /** Whether a value claims to be the gateway's (then `open` must succeed, or it was changed). */
  claims(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(PREFIX);
  }

  /** The blocks of a sealed value; undefined when it is not the gateway's or was changed. */
  open(value: unknown): SealedReasoningBlock[] | undefined {
    if (!this.claims(value)) return undefined;
    const [payload, mac] = value.slice(PREFIX.length).split('.');
    if (!payload || !mac) return undefined;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const blocks: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      return Array.isArray(blocks) ? blocks.filter(isBlock) : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(payload: string): string {
    return createHmac('sha256', (this.key ??= this.keyOf())).update(payload).digest('base64url');
  }
}

const isBlock = (value: unknown): value is SealedReasoningBlock =>
  typeof value === 'object' && value !== null && typeof (value as SealedReasoningBlock).text === 'string' && ['string', 'undefined'].includes(typeof (value as SealedReasoningBlock).signature);
