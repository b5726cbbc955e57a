import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { encodeSmallPng } from './small-png.js';

/** The README's pictures, taken by the e2e suites at the moment their screen is checked, made
 * small (scaled down in Chromium, at most 256 colours) so they stay in the repository cheaply; they
 * are not shipped in the .vsix. Every run saves them to test-output/readme-images/; with
 * UPDATE_README_IMAGES=1 they replace docs/images/ (a plain test run leaves tracked files alone). */
export const README_IMAGES = resolve(__dirname, process.env.UPDATE_README_IMAGES === '1' ? '../../../docs/images' : '../../../test-output/readme-images');

export interface ReadmeShot {
  /** The file name under docs/images, without `.png`. */
  file: string;
  /** The part of the window to show; the whole window by default. */
  region?: Locator;
  /** The image's width at most, in pixels (default 900). */
  maxWidth?: number;
}

export const saveReadmeImage = async (page: Page, shot: ReadmeShot): Promise<string> => {
  const box = shot.region ? await shot.region.boundingBox() : null;
  const png = await page.screenshot(box ? { clip: box } : {});
  // Scaled in the page itself: Chromium's resampling keeps text legible, and Node has no image library here.
  // A string, not a function: tsx would add helper calls the page does not have.
  const scaled = (await page.evaluate(`(async () => {
    const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob('${png.toString('base64')}'), (c) => c.charCodeAt(0))], { type: 'image/png' }));
    const scale = Math.min(1, ${shot.maxWidth ?? 900} / bitmap.width);
    const width = Math.round(bitmap.width * scale), height = Math.round(bitmap.height * scale);
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, width, height);
    const pixels = context.getImageData(0, 0, width, height).data;
    let binary = '';
    for (let index = 0; index < pixels.length; index += 32768) binary += String.fromCharCode(...pixels.subarray(index, index + 32768));
    return { width, height, rgba: btoa(binary) };
  })()`)) as { width: number; height: number; rgba: string };
  mkdirSync(README_IMAGES, { recursive: true });
  const path = join(README_IMAGES, `${shot.file}.png`);
  writeFileSync(path, encodeSmallPng(Buffer.from(scaled.rgba, 'base64'), scaled.width, scaled.height));
  return path;
};
