// Draws berth's app icons: a white sailboat on a sea-blue tile, as PNGs for the
// web app manifest (192 and 512 px, plain and maskable) and as favicon.svg.
// The shapes are defined once, in a unit square, and both the PNG rasteriser
// (4×4 supersampling for smooth edges) and the SVG writer use them, so every
// icon shows the same mark. Run with `npm run icons`; the output is committed.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
const sea = [0x12, 0x4a, 0x73]; // The theme colour (#124a73).
const white = [0xff, 0xff, 0xff];

// The mark, in a unit square (0..1 on both axes, y down), before scaling.
const polygons = [
  // Mainsail.
  [[0.53, 0.17], [0.53, 0.58], [0.78, 0.58]],
  // Jib.
  [[0.48, 0.26], [0.48, 0.58], [0.27, 0.58]],
  // Hull.
  [[0.2, 0.63], [0.82, 0.63], [0.7, 0.76], [0.31, 0.76]],
  // Water line.
  [[0.16, 0.81], [0.86, 0.81], [0.86, 0.845], [0.16, 0.845]],
];

/** Whether point (x, y) lies inside the polygon (even-odd rule). */
function inside(poly, x, y) {
  let hit = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

/** Whether (x, y) lies inside a square of side 1 with corners of radius r. */
function insideRoundedSquare(x, y, r) {
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/**
 * The icon as RGBA pixels. `maskable` fills the whole square (the platform
 * crops it) and shrinks the mark into the central safe zone (a circle of 80%).
 */
function render(size, maskable) {
  const samples = 4;
  const scale = maskable ? 0.72 : 1;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let tile = 0;
      let mark = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          if (!maskable && !insideRoundedSquare(x, y, 0.22)) continue;
          tile++;
          const mx = (x - 0.5) / scale + 0.5;
          const my = (y - 0.5) / scale + 0.5;
          if (polygons.some((p) => inside(p, mx, my))) mark++;
        }
      }
      const n = samples * samples;
      const i = (py * size + px) * 4;
      const markShare = tile === 0 ? 0 : mark / tile;
      for (let c = 0; c < 3; c++) {
        pixels[i + c] = Math.round(sea[c] * (1 - markShare) + white[c] * markShare);
      }
      pixels[i + 3] = Math.round((255 * tile) / n);
    }
  }
  return pixels;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGBA PNG of the pixels. */
function png(size, pixels) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function svg() {
  const hex = `#${sea.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
  const paths = polygons
    .map((p) => `<path d="M${p.map(([x, y]) => `${x * 100} ${y * 100}`).join('L')}Z"/>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" rx="22" fill="${hex}"/><g fill="#fff">${paths}</g></svg>\n`;
}

mkdirSync(join(publicDir, 'icons'), { recursive: true });
for (const [name, size, maskable] of [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['maskable-192.png', 192, true],
  ['maskable-512.png', 512, true],
  ['apple-touch-icon-180.png', 180, true],
]) {
  writeFileSync(join(publicDir, 'icons', name), png(size, render(size, maskable)));
  console.log(`public/icons/${name}`);
}
writeFileSync(join(publicDir, 'favicon.svg'), svg());
console.log('public/favicon.svg');
