import { USER_ONLY_SETTINGS } from './settings.js';

const USER_ONLY_KEYS: readonly string[] = USER_ONLY_SETTINGS.map((key) => `modapi.${key}`);

/** settings.json is JSON with comments and trailing commas: both are dropped, strings kept whole. */
export const toStrictJson = (text: string): string => rewriteOutsideStrings(rewriteOutsideStrings(text, skipComment), skipTrailingComma);

/** At `index` (outside a string): what to keep and where to go on. */
type Step = (text: string, index: number) => { keep: string; next: number };

const skipComment: Step = (text, index) => {
  if (text.startsWith('//', index)) {
    const end = text.indexOf('\n', index);
    return { keep: '', next: end === -1 ? text.length : end };
  }
  if (text.startsWith('/*', index)) {
    const end = text.indexOf('*/', index + 2);
    return { keep: '', next: end === -1 ? text.length : end + 2 };
  }
  return { keep: text[index]!, next: index + 1 };
};

const CLOSING_AHEAD = /\s*[}\]]/y;

const skipTrailingComma: Step = (text, index) => {
  CLOSING_AHEAD.lastIndex = index + 1;
  return { keep: text[index] === ',' && CLOSING_AHEAD.test(text) ? '' : text[index]!, next: index + 1 };
};

const rewriteOutsideStrings = (text: string, step: Step): string => {
  let output = '';
  let index = 0;
  while (index < text.length) {
    const next = text[index] === '"' ? endOfString(text, index) : undefined;
    if (next !== undefined) {
      output += text.slice(index, next);
      index = next;
    } else {
      const result = step(text, index);
      output += result.keep;
      index = result.next;
    }
  }
  return output;
};

/** The index just past the string that starts at `start` (a quote). */
const endOfString = (text: string, start: number): number => {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
  return Math.min(index + 1, text.length);
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The user-only settings an object of settings sets, dotted (`"modapi.baseUrl"`) or nested
 * (`"modapi": {"baseUrl": ...}`); language blocks (`"[python]"`) cannot hold them. */
export const userOnlySettingsIn = (settings: unknown, prefix = ''): string[] => {
  if (!isRecord(settings)) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (USER_ONLY_KEYS.includes(path)) found.push(path);
    else if (USER_ONLY_KEYS.some((setting) => setting.startsWith(`${path}.`))) found.push(...userOnlySettingsIn(value, path));
  }
  return found;
};

/** The user-only settings a settings file's text sets; `section` picks a part of it (a
 * `.code-workspace` file keeps its settings under "settings"). Unreadable text sets none. */
export const userOnlySettingsInText = (text: string, section?: string): string[] => {
  try {
    const parsed: unknown = JSON.parse(toStrictJson(text));
    return userOnlySettingsIn(section === undefined ? parsed : isRecord(parsed) ? parsed[section] : undefined);
  } catch {
    return [];
  }
};
