// Draws media/icon.png (128x128): a rounded indigo tile with a white "hub" glyph (one node
// linking four), the gateway's idea. Run: node media/icon-generate.mjs. PNG encoded by hand
// with zlib so no image library is needed.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const pixels = Buffer.alloc(SIZE * SIZE * 4);

const coverage = (distance) => Math.max(0, Math.min(1, 0.5 - distance));
const roundedBox = (x, y, half, radius) => {
  const qx = Math.abs(x) - half + radius;
  const qy = Math.abs(y) - half + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
};
const segment = (x, y, ax, ay, bx, by) => {
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(x - ax - t * (bx - ax), y - ay - t * (by - ay));
};

const center = SIZE / 2;
const satellites = [[-30, -30], [30, -30], [-30, 30], [30, 30]];
for (let row = 0; row < SIZE; row += 1) {
  for (let column = 0; column < SIZE; column += 1) {
    const x = column + 0.5 - center;
    const y = row + 0.5 - center;
    const tile = coverage(roundedBox(x, y, 62, 22));
    const blend = (row + column) / (2 * SIZE);
    let red = 79 + (124 - 79) * blend;
    let green = 70 + (58 - 70) * blend;
    let blue = 229 + (237 - 229) * blend;
    let glyph = coverage(Math.hypot(x, y) - 15);
    for (const [sx, sy] of satellites) {
      glyph = Math.max(glyph, coverage(Math.hypot(x - sx, y - sy) - 9), coverage(segment(x, y, 0, 0, sx, sy) - 3.5));
    }
    red += (255 - red) * glyph;
    green += (255 - green) * glyph;
    blue += (255 - blue) * glyph;
    const offset = (row * SIZE + column) * 4;
    pixels[offset] = Math.round(red);
    pixels[offset + 1] = Math.round(green);
    pixels[offset + 2] = Math.round(blue);
    pixels[offset + 3] = Math.round(255 * tile);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buffer) => {
  let c = 0xffffffff;
  for (const byte of buffer) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let row = 0; row < SIZE; row += 1) pixels.copy(raw, row * (SIZE * 4 + 1) + 1, row * SIZE * 4, (row + 1) * SIZE * 4);
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`media/icon.png: ${png.length} bytes`);
