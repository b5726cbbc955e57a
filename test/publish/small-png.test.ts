import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32, inflateSync } from 'node:zlib';
import { encodeSmallPng } from '../e2e/support/small-png.js';

/** The README images' encoder: a valid indexed PNG whose pixels are the input's when it has 256
 * colours or fewer, and close to them when it has more. */
interface Decoded {
  width: number;
  height: number;
  pixels: number[][];
}

const decode = (png: Buffer): Decoded => {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks = new Map<string, Buffer[]>();
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    assert.equal(png.readUInt32BE(offset + 8 + length), crc32(png.subarray(offset + 4, offset + 8 + length)), `${type} CRC`);
    chunks.set(type, [...(chunks.get(type) ?? []), data]);
    offset += 12 + length;
  }
  const header = chunks.get('IHDR')![0]!;
  const [width, height] = [header.readUInt32BE(0), header.readUInt32BE(4)];
  assert.deepEqual([...header.subarray(8)], [8, 3, 0, 0, 0], '8-bit indexed colour');
  const palette = chunks.get('PLTE')![0]!;
  assert.ok(palette.length <= 256 * 3);
  const rows = inflateSync(Buffer.concat(chunks.get('IDAT')!));
  assert.equal(rows.length, (width + 1) * height);
  const pixels: number[][] = [];
  for (let row = 0; row < height; row += 1) {
    assert.equal(rows[row * (width + 1)], 0, 'no filter');
    for (let column = 0; column < width; column += 1) {
      const index = rows[row * (width + 1) + 1 + column]!;
      pixels.push([...palette.subarray(index * 3, index * 3 + 3)]);
    }
  }
  assert.ok(chunks.has('IEND'));
  return { width, height, pixels };
};

const image = (width: number, height: number, colour: (x: number, y: number) => number[]): Uint8Array => {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) rgba.set([...colour(x, y), 255], (y * width + x) * 4);
  return rgba;
};

test('an image of 256 colours or fewer comes back exactly', () => {
  const colour = (x: number, y: number) => [(x * 16) % 256, (y * 16) % 256, 40];
  const decoded = decode(encodeSmallPng(image(16, 16, colour), 16, 16));
  assert.equal(decoded.width, 16);
  assert.equal(decoded.height, 16);
  decoded.pixels.forEach((pixel, index) => assert.deepEqual(pixel, colour(index % 16, Math.floor(index / 16))));
});

test('an image of thousands of colours comes back in 256 close ones, and smaller than raw', () => {
  const colour = (x: number, y: number) => [x % 256, y % 256, (x + y) % 256];
  const [width, height] = [200, 120];
  const png = encodeSmallPng(image(width, height, colour), width, height);
  const decoded = decode(png);
  assert.equal(new Set(decoded.pixels.map((pixel) => pixel.join())).size <= 256, true);
  let worst = 0;
  decoded.pixels.forEach((pixel, index) => {
    const expected = colour(index % width, Math.floor(index / width));
    worst = Math.max(worst, ...pixel.map((value, channel) => Math.abs(value - expected[channel]!)));
  });
  assert.ok(worst <= 40, `every channel within 40 of the original (worst ${worst})`);
  assert.ok(png.length < width * height, `${png.length} bytes`);
});
