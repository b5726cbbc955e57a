import { Random } from './random.js';

/** What a bad request must get: a 4xx answer; for input that is not even HTTP, a 4xx or a closed
 * connection; for a mutation that happens to leave a valid request, anything but a 5xx. */
export type Expectation = 'client-error' | 'client-error-or-closed' | 'no-server-error';

export interface FuzzCase {
  kind: string;
  request: Buffer;
  expect: Expectation;
}

export interface FuzzTarget {
  port: number;
  token: string;
  /** The gateway's JSON and upload limits, so that "huge" means past them. */
  jsonBytes: number;
  uploadBytes: number;
}

type Headers = [string, string][];

const CHAT = '/v1/chat/completions';
const TRANSCRIPTIONS = '/v1/audio/transcriptions';

const validChat = (): Record<string, unknown> => ({ model: 'gpt-4o', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello there' }], temperature: 0.2 });

/** An HTTP/1.1 request as bytes; Content-Length is the body's unless the headers set one. */
export const rawRequest = (target: FuzzTarget, path: string, body: Buffer | string, extra: Headers = [], options: { host?: string; contentLength?: boolean; method?: string } = {}): Buffer => {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const headers: Headers = [
    ['Host', options.host ?? `127.0.0.1:${target.port}`],
    ['Authorization', `Bearer ${target.token}`],
    ['Connection', 'close'],
  ];
  if (!extra.some(([name]) => name.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/json']);
  if (options.contentLength !== false) headers.push(['Content-Length', String(bytes.length)]);
  const head = [`${options.method ?? 'POST'} ${path} HTTP/1.1`, ...[...headers, ...extra].map(([name, value]) => `${name}: ${value}`)].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), bytes]);
};

const STRUCTURE = ['{', '}', '[', ']', '"', ',', ':', '\\', ' ', '0', 'e', '-', 'n', 't', '\u0000', '\u2028'];

/** A valid chat body with a few random edits (deleted, inserted, duplicated or truncated text). */
const mutatedJson = (random: Random, target: FuzzTarget): FuzzCase => {
  let text = JSON.stringify(validChat());
  const edits = 1 + random.integer(5);
  for (let edit = 0; edit < edits; edit += 1) {
    const at = random.integer(text.length + 1);
    const choice = random.integer(4);
    if (choice === 0) text = text.slice(0, at) + text.slice(at + 1 + random.integer(4));
    else if (choice === 1) text = text.slice(0, at) + random.pick(STRUCTURE) + text.slice(at);
    else if (choice === 2) text = text.slice(0, at) + text.slice(at, at + random.integer(20)) + text.slice(at);
    else text = text.slice(0, at);
  }
  let parses = true;
  try {
    JSON.parse(text);
  } catch {
    parses = false;
  }
  return { kind: 'mutated JSON', request: rawRequest(target, CHAT, text), expect: parses ? 'no-server-error' : 'client-error' };
};

const WRONG_VALUES: unknown[] = [null, 0, -1, 1e308, '', 'x', [], {}, [1, 2], { role: 'user' }, true, [[]], [{ role: 'wizard', content: 'x' }], [{ content: 'no role' }]];

/** The values the gateway itself accepts for a field (the upstream judges the rest). */
const ACCEPTED: Record<string, (value: unknown) => boolean> = {
  model: (value) => typeof value === 'string' && value.length > 0,
  messages: () => false,
  stream: (value) => value === null || typeof value === 'boolean',
  stream_options: (value) => value === null || (typeof value === 'object' && !Array.isArray(value)),
  n: (value) => value === null,
  tools: (value) => value === null || (Array.isArray(value) && value.length === 0),
};

/** Well-formed JSON whose fields have the wrong types or values. */
const wrongTypes = (random: Random, target: FuzzTarget): FuzzCase => {
  const field = random.pick([...Object.keys(ACCEPTED), '(top level)']);
  if (field === '(top level)') return { kind: 'a body that is not an object', request: rawRequest(target, CHAT, JSON.stringify(random.pick([[validChat()], 'a string', 42, null, true]))), expect: 'client-error' };
  const value = random.pick(WRONG_VALUES.filter((candidate) => !(ACCEPTED[field] as (value: unknown) => boolean)(candidate)));
  return { kind: `wrong type for ${field}`, request: rawRequest(target, CHAT, JSON.stringify({ ...validChat(), [field]: value })), expect: 'client-error' };
};

/** Nesting far past anything a real request has, at the top level or inside a message. */
const deepNesting = (random: Random, target: FuzzTarget): FuzzCase => {
  const depth = random.pick([1_000, 10_000, 100_000, 400_000]);
  const [open, close] = random.pick([['[', ']'], ['{"a":', '}']] as const);
  const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
  const inside = random.integer(2) === 0;
  const text = inside ? `{"model":"gpt-4o","messages":[{"role":"user","content":${nested}}]}` : nested;
  return { kind: `nested ${depth} deep ${inside ? 'in a message' : 'at the top'}`, request: rawRequest(target, CHAT, text), expect: 'client-error' };
};

/** Model ids no provider has: unicode, control characters, huge. The answer may be anything but a 5xx. */
const oddModelIds = (random: Random, target: FuzzTarget): FuzzCase => {
  const model = random.pick(['gpt-\u00f6', 'gpt-4\ufffd', '\u202egpt', 'a\r\nX-Injected: 1', 'modapi/', '/gpt', 'x'.repeat(100_000), '\ud800', 'openai//x', '..%2f..%2fetc']);
  return { kind: 'odd model id', request: rawRequest(target, CHAT, JSON.stringify({ ...validChat(), model })), expect: 'no-server-error' };
};

const INVALID_UTF8 = [[0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0x28], [0xff], [0xfe, 0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf]];

/** Bytes that are not UTF-8, inside a string or between tokens. */
const invalidUtf8 = (random: Random, target: FuzzTarget): FuzzCase => {
  const text = JSON.stringify(validChat());
  const at = random.integer(2) === 0 ? text.indexOf('hello') + random.integer(5) : random.integer(text.length);
  const body = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(random.pick(INVALID_UTF8)), Buffer.from(text.slice(at))]);
  return { kind: 'invalid UTF-8', request: rawRequest(target, CHAT, body), expect: 'client-error' };
};

/** Bodies past the limit: declared, or sent chunked without a length. */
const hugeBody = (random: Random, target: FuzzTarget): FuzzCase => {
  if (random.integer(2) === 0) {
    const declared = random.pick([target.jsonBytes + 1, 10 * target.jsonBytes, 2 ** 40]);
    return { kind: `declared length ${declared}`, request: rawRequest(target, CHAT, Buffer.alloc(0), [['Content-Length', String(declared)]], { contentLength: false }), expect: 'client-error-or-closed' };
  }
  const content = 'y'.repeat(target.jsonBytes + 1 + random.integer(1024));
  const json = Buffer.from(JSON.stringify({ ...validChat(), messages: [{ role: 'user', content }] }));
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < json.length; offset += 65_536) {
    const piece = json.subarray(offset, offset + 65_536);
    chunks.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from('0\r\n\r\n'));
  return { kind: 'chunked body past the limit', request: rawRequest(target, CHAT, Buffer.concat(chunks), [['Transfer-Encoding', 'chunked']], { contentLength: false }), expect: 'client-error-or-closed' };
};

const multipart = (boundary: string, fileBytes: number): string =>
  `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n` +
  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n${'a'.repeat(fileBytes)}\r\n--${boundary}--\r\n`;

/** Multipart bodies that are cut, mislabelled or past the upload limit. */
const brokenMultipart = (random: Random, target: FuzzTarget): FuzzCase => {
  const boundary = `b${random.integer(1e9)}`;
  const whole = multipart(boundary, 100 + random.integer(2_000));
  const variant = random.integer(6);
  const contentType = (value: string): Headers => [['Content-Type', value]];
  if (variant === 0) return { kind: 'multipart cut short', request: rawRequest(target, TRANSCRIPTIONS, whole.slice(0, random.integer(whole.length - 10)), contentType(`multipart/form-data; boundary=${boundary}`)), expect: 'client-error' };
  if (variant === 1) return { kind: 'multipart with another boundary', request: rawRequest(target, TRANSCRIPTIONS, whole, contentType('multipart/form-data; boundary=not-the-one')), expect: 'client-error' };
  if (variant === 2) return { kind: 'multipart without a boundary', request: rawRequest(target, TRANSCRIPTIONS, whole, contentType('multipart/form-data')), expect: 'client-error' };
  if (variant === 3) return { kind: 'not multipart at all', request: rawRequest(target, TRANSCRIPTIONS, whole, contentType(random.pick(['application/json', 'text/plain', 'multipart/mixed; boundary=x']))), expect: 'client-error' };
  if (variant === 4) return { kind: 'multipart past the upload limit', request: rawRequest(target, TRANSCRIPTIONS, multipart(boundary, target.uploadBytes + 1), contentType(`multipart/form-data; boundary=${boundary}`)), expect: 'client-error' };
  const garbage = Buffer.concat([Buffer.from(`--${boundary}\r\n`), random.bytes(200 + random.integer(2_000))]);
  return { kind: 'multipart of random bytes', request: rawRequest(target, TRANSCRIPTIONS, garbage, contentType(`multipart/form-data; boundary=${boundary}`)), expect: 'client-error' };
};

const BAD_HOSTS = ['evil.example', 'evil.example:PORT', '127.0.0.1.nip.io:PORT', 'localhost.evil.example:PORT', '127.0.0.1:1', '', '[::2]:PORT', '0.0.0.0:PORT', 'LOCALHOST:PORT:PORT', '127.0.0.1:PORT@evil.example', 'xn--80ak6aa92e.com:PORT'];
const BAD_LENGTHS = ['abc', '-1', '1,2', '0x10', '1e3', ' ', '99999999999999999999999'];

/** Headers no client should send: huge, thousands, a foreign Host, a bad length, chunked garbage. */
const absurdHeaders = (random: Random, target: FuzzTarget): FuzzCase => {
  const brokenBody = '{"model":';
  const variant = random.integer(8);
  if (variant === 0) return { kind: 'one huge header', request: rawRequest(target, CHAT, brokenBody, [['X-Huge', 'h'.repeat(70_000 + random.integer(100_000))]]), expect: 'client-error-or-closed' };
  if (variant === 1) {
    const many: Headers = Array.from({ length: 500 + random.integer(4_000) }, (_value, index) => [`X-Many-${index}`, 'v']);
    return { kind: 'thousands of headers', request: rawRequest(target, CHAT, brokenBody, many), expect: 'client-error-or-closed' };
  }
  if (variant === 2) {
    const host = random.pick(BAD_HOSTS).replaceAll('PORT', String(target.port));
    return { kind: `Host ${JSON.stringify(host)}`, request: rawRequest(target, CHAT, JSON.stringify(validChat()), [], { host }), expect: 'client-error' };
  }
  if (variant === 3) {
    const lengths: Headers = random.integer(2) === 0 ? [['Content-Length', random.pick(BAD_LENGTHS)]] : [['Content-Length', '5'], ['Content-Length', '7']];
    return { kind: 'bad Content-Length', request: rawRequest(target, CHAT, brokenBody, lengths, { contentLength: false }), expect: 'client-error-or-closed' };
  }
  if (variant === 4) {
    // Complete requests whose framing is wrong (an incomplete one would rightly wait for more).
    const garbage = random.pick(['zz\r\nabc\r\n0\r\n\r\n', '5\r\nabc\r\n0\r\n\r\n', 'ffffffffffffffffff\r\nabc\r\n0\r\n\r\n', '3;\u0000\r\nabc\r\n0\r\n\r\n', '-1\r\n\r\n', '3\r\nabcdef\r\n0\r\n\r\n']);
    return { kind: 'chunked garbage', request: rawRequest(target, CHAT, garbage, [['Transfer-Encoding', random.pick(['chunked', 'gzip, chunked', 'chunked, chunked'])]], { contentLength: false }), expect: 'client-error-or-closed' };
  }
  if (variant === 5) return { kind: 'Content-Length with chunked', request: rawRequest(target, CHAT, '0\r\n\r\n', [['Transfer-Encoding', 'chunked']]), expect: 'client-error-or-closed' };
  if (variant === 6) {
    const line = random.pick(['GET / HTTP/9.9', 'POST /v1/chat/completions HTTP/1.1 extra', '\u0000\u0001\u0002', 'POST  HTTP/1.1', `POST /${'a'.repeat(80_000)} HTTP/1.1`]);
    return { kind: 'garbage request line', request: Buffer.from(`${line}\r\nHost: 127.0.0.1:${target.port}\r\n\r\n`, 'latin1'), expect: 'client-error-or-closed' };
  }
  const value = random.pick(['a\u0000b', 'line\rbreak', '\u00ff\u00fe', 'bad\u007fchar']);
  return { kind: 'control characters in a header', request: rawRequest(target, CHAT, brokenBody, [['X-Bad', value]]), expect: 'client-error-or-closed' };
};

const KINDS = [mutatedJson, wrongTypes, deepNesting, invalidUtf8, hugeBody, brokenMultipart, absurdHeaders, oddModelIds];

/** `count` cases from a seed, every kind in turn. */
export const fuzzCases = (seed: number, count: number, target: FuzzTarget): FuzzCase[] => {
  const random = new Random(seed);
  return Array.from({ length: count }, (_value, index) => (KINDS[index % KINDS.length] as (random: Random, target: FuzzTarget) => FuzzCase)(random, target));
};
