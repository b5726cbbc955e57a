import { randomBytes } from 'node:crypto';

/** A stored local token: which tool it is for, never shown in full after creation. */
export interface LocalTokenEntry {
  name: string;
  token: string;
  createdAt: string;
}

/** `mk-local-` + 32 random bytes; the prefix lets the log Redactor recognise it. */
export const generateLocalToken = (): string => `mk-local-${randomBytes(32).toString('base64url')}`;

/** Token names are shown in the usage panel and the ledger: short, plain, one per tool. */
export const validateTokenName = (name: string, existing: readonly string[]): string | undefined => {
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'Give the token a name, e.g. the tool that will use it (aider, claude-code).';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(trimmed)) return 'Use letters, digits, ".", "_" or "-" (up to 40 characters).';
  if (existing.includes(trimmed)) return `A token named "${trimmed}" already exists.`;
  return undefined;
};

/** Parses what was stored, dropping anything malformed rather than failing activation. */
export const parseTokenList = (stored: string | undefined): LocalTokenEntry[] => {
  if (!stored) return [];
  try {
    const parsed: unknown = JSON.parse(stored);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (entry): entry is LocalTokenEntry => typeof entry === 'object' && entry !== null && typeof entry.name === 'string' && typeof entry.token === 'string' && entry.token.length > 0,
    );
  } catch {
    return [];
  }
};

export const parseKeyMap = (stored: string | undefined): Record<string, string> => {
  if (!stored) return {};
  try {
    const parsed: unknown = JSON.parse(stored);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].length > 0));
  } catch {
    return {};
  }
};
