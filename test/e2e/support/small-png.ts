import { crc32, deflateSync } from 'node:zlib';

/** Screenshots made small for the README: at most 256 colours (median cut over 5-bit channels, no
 * dithering, which suits flat UI colours and text) in an indexed PNG. Pure, so it is tested alone. */

type Rgb = [number, number, number];

interface Box {
  /** 15-bit colour keys (5 bits a channel) in this box. */
  keys: number[];
}

const channel = (key: number, index: number): number => (key >> (10 - 5 * index)) & 31;

const split = (box: Box, counts: Map<number, number>): [Box, Box] | undefined => {
  if (box.keys.length < 2) return undefined;
  let widest = 0;
  let widestRange = -1;
  for (let index = 0; index < 3; index += 1) {
    const values = box.keys.map((key) => channel(key, index));
    const range = Math.max(...values) - Math.min(...values);
    if (range > widestRange) [widest, widestRange] = [index, range];
  }
  const sorted = [...box.keys].sort((a, b) => channel(a, widest) - channel(b, widest));
  const total = sorted.reduce((sum, key) => sum + counts.get(key)!, 0);
  let seen = 0;
  let cut = 1;
  for (; cut < sorted.length - 1; cut += 1) {
    seen += counts.get(sorted[cut - 1]!)!;
    if (seen >= total / 2) break;
  }
  return [{ keys: sorted.slice(0, cut) }, { keys: sorted.slice(cut) }];
};

/** A palette of up to `maxColors` and, for every pixel, its index. */
export const quantize = (rgba: Uint8Array, maxColors = 256): { palette: Rgb[]; indices: Uint8Array } => {
  const pixels = rgba.length / 4;
  const exact = new Map<number, number>();
  for (let pixel = 0; pixel < pixels && exact.size <= maxColors; pixel += 1) {
    const key = (rgba[pixel * 4]! << 16) | (rgba[pixel * 4 + 1]! << 8) | rgba[pixel * 4 + 2]!;
    if (!exact.has(key)) exact.set(key, exact.size);
  }
  const indices = new Uint8Array(pixels);
  if (exact.size <= maxColors) {
    for (let pixel = 0; pixel < pixels; pixel += 1) indices[pixel] = exact.get((rgba[pixel * 4]! << 16) | (rgba[pixel * 4 + 1]! << 8) | rgba[pixel * 4 + 2]!)!;
    return { palette: [...exact.keys()].map((key) => [key >> 16, (key >> 8) & 255, key & 255]), indices };
  }
  const reduced = (pixel: number): number => ((rgba[pixel * 4]! >> 3) << 10) | ((rgba[pixel * 4 + 1]! >> 3) << 5) | (rgba[pixel * 4 + 2]! >> 3);
  const counts = new Map<number, number>();
  const sums = new Map<number, Rgb>();
  for (let pixel = 0; pixel < pixels; pixel += 1) {
    const key = reduced(pixel);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const sum = sums.get(key) ?? [0, 0, 0];
    for (let index = 0; index < 3; index += 1) sum[index]! += rgba[pixel * 4 + index]!;
    sums.set(key, sum);
  }
  let boxes: Box[] = [{ keys: [...counts.keys()] }];
  while (boxes.length < maxColors) {
    // Split the box holding the most pixels that can still be split.
    const candidates = boxes.filter((box) => box.keys.length > 1);
    if (candidates.length === 0) break;
    const weight = (box: Box): number => box.keys.reduce((sum, key) => sum + counts.get(key)!, 0);
    const largest = candidates.reduce((best, box) => (weight(box) > weight(best) ? box : best));
    const halves = split(largest, counts)!;
    boxes = [...boxes.filter((box) => box !== largest), ...halves];
  }
  const palette: Rgb[] = boxes.map((box) => {
    const total: Rgb = [0, 0, 0];
    let count = 0;
    for (const key of box.keys) {
      count += counts.get(key)!;
      for (let index = 0; index < 3; index += 1) total[index]! += sums.get(key)![index]!;
    }
    return total.map((value) => Math.round(value / count)) as Rgb;
  });
  const nearest = new Map<number, number>();
  for (const key of counts.keys()) {
    const mean = sums.get(key)!.map((value) => value / counts.get(key)!);
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    palette.forEach((colour, index) => {
      const distance = (colour[0] - mean[0]!) ** 2 + (colour[1] - mean[1]!) ** 2 + (colour[2] - mean[2]!) ** 2;
      if (distance < bestDistance) [best, bestDistance] = [index, distance];
    });
    nearest.set(key, best);
  }
  for (let pixel = 0; pixel < pixels; pixel += 1) indices[pixel] = nearest.get(reduced(pixel))!;
  return { palette, indices };
};

const chunk = (type: string, data: Buffer): Buffer => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
};

/** RGBA pixels (alpha ignored: screenshots are opaque) as an indexed-colour PNG. */
export const encodeSmallPng = (rgba: Uint8Array, width: number, height: number, maxColors = 256): Buffer => {
  const { palette, indices } = quantize(rgba, maxColors);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 3, 0, 0, 0], 8);
  const rows = Buffer.alloc((width + 1) * height);
  for (let row = 0; row < height; row += 1) rows.set(indices.subarray(row * width, (row + 1) * width), row * (width + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('PLTE', Buffer.from(palette.flat())),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
};
