import { connect } from 'node:net';
import type { Expectation, FuzzCase } from './fuzz-cases.js';

export interface RawOutcome {
  /** The status of the answer, if one came. */
  status?: number;
  /** The connection ended (by either side) within the time allowed. */
  ended: boolean;
}

/** Writes the bytes on a fresh connection and reads until the server closes it (every fuzz request
 * says `Connection: close`) or the time runs out: a hang is a failure. */
export const sendRaw = (port: number, bytes: Buffer, timeoutMs = 5_000): Promise<RawOutcome> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let settled = false;
    const finish = (ended: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const head = Buffer.concat(received).subarray(0, 64).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({ status: match ? Number(match[1]) : undefined, ended });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(bytes);
  });

const isClientError = (status: number | undefined): boolean => status !== undefined && status >= 400 && status < 500;

/** Why an outcome breaks the case's expectation, or undefined when it meets it. */
export const judge = (fuzzCase: FuzzCase, outcome: RawOutcome): string | undefined => {
  const expect: Expectation = fuzzCase.expect;
  if (!outcome.ended) return `${fuzzCase.kind}: no answer and the connection stayed open (status ${outcome.status ?? 'none'})`;
  if (expect === 'client-error' && !isClientError(outcome.status)) return `${fuzzCase.kind}: expected a 4xx, got ${outcome.status ?? 'a closed connection'}`;
  if (expect === 'client-error-or-closed' && outcome.status !== undefined && !isClientError(outcome.status)) return `${fuzzCase.kind}: expected a 4xx or a closed connection, got ${outcome.status}`;
  if (expect === 'no-server-error' && outcome.status !== undefined && outcome.status >= 500) return `${fuzzCase.kind}: got ${outcome.status}`;
  return undefined;
};
