import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What ships, minified, against the limits of issue 19. Run alone: `npm run sizes`. */
interface Measured {
  label: string;
  /** Files under dist/ this line adds up. */
  files: (dist: string) => string[];
  limit?: number;
}

const chunks = (dist: string): string[] => (existsSync(join(dist, 'chunks')) ? readdirSync(join(dist, 'chunks')).filter((file) => file.endsWith('.js')).map((file) => `chunks/${file}`) : []);

export const SIZE_LIMITS: Measured[] = [
  { label: 'extension.js (loaded at activation)', files: () => ['extension.js'] },
  { label: 'chunks/*.js (loaded when used)', files: chunks },
  { label: 'the extension\'s code, all of it', files: (dist) => ['extension.js', ...chunks(dist)], limit: 800_000 },
  { label: 'media/chat.js', files: () => ['media/chat.js'], limit: 150_000 },
  { label: 'media/chat-highlight.js', files: () => ['media/chat-highlight.js'] },
  { label: 'media/chat.css', files: () => ['media/chat.css'] },
  { label: 'media/usage.js', files: () => ['media/usage.js'] },
  { label: 'media/usage.css', files: () => ['media/usage.css'] },
  { label: 'cli.js (standalone gateway)', files: () => ['cli.js'] },
];

export interface MeasuredLine {
  label: string;
  bytes: number;
  limit?: number;
  over: boolean;
}

export const measureBundles = (dist: string): MeasuredLine[] =>
  SIZE_LIMITS.map(({ label, files, limit }) => {
    const bytes = files(dist).reduce((sum, file) => sum + (existsSync(join(dist, file)) ? statSync(join(dist, file)).size : Number.NaN), 0);
    return { label, bytes, limit, over: !(bytes <= (limit ?? Number.POSITIVE_INFINITY)) };
  });

const kilobytes = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;

export const sizeTable = (measured: MeasuredLine[]): string =>
  measured.map(({ label, bytes, limit, over }) => `${label.padEnd(38)} ${kilobytes(bytes).padStart(10)}  ${limit === undefined ? '' : `limit ${kilobytes(limit)}${over ? '  OVER' : ''}`}`).join('\n');

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const measured = measureBundles(join(import.meta.dirname, '../../dist'));
  console.log(sizeTable(measured));
  if (measured.some((entry) => entry.over)) process.exitCode = 1;
}
