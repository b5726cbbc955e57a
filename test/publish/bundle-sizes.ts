import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What ships, minified, against the limits of issue 19. Run alone: `npm run sizes`. */
export const SIZE_LIMITS: Record<string, number | undefined> = {
  'extension.js': 800_000,
  'media/chat.js': 150_000,
  'media/chat-highlight.js': undefined,
  'media/chat.css': undefined,
  'media/usage.js': undefined,
  'media/usage.css': undefined,
  'cli.js': undefined,
};

export interface MeasuredFile {
  file: string;
  bytes: number;
  limit?: number;
  over: boolean;
}

export const measureBundles = (dist: string): MeasuredFile[] =>
  Object.entries(SIZE_LIMITS).map(([file, limit]) => {
    const path = join(dist, file);
    const bytes = existsSync(path) ? statSync(path).size : Number.NaN;
    return { file, bytes, limit, over: !(bytes <= (limit ?? Number.POSITIVE_INFINITY)) };
  });

const kilobytes = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;

export const sizeTable = (measured: MeasuredFile[]): string =>
  measured.map(({ file, bytes, limit, over }) => `${file.padEnd(26)} ${kilobytes(bytes).padStart(10)}  ${limit === undefined ? '(no limit)' : `limit ${kilobytes(limit)}${over ? '  OVER' : ''}`}`).join('\n');

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const measured = measureBundles(join(import.meta.dirname, '../../dist'));
  console.log(sizeTable(measured));
  if (measured.some((entry) => entry.over)) process.exitCode = 1;
}
