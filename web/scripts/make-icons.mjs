// Writes the PWA icons (a theme-coloured square with a white "R") into web/static/.
// Run once by hand (`node web/scripts/make-icons.mjs`); the PNGs are committed. No dependencies:
// the letter is drawn from simple shapes and supersampled, the PNG is encoded with node:zlib.
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const BACKGROUND = [0x0b, 0x5c, 0x8e];
const FOREGROUND = [0xff, 0xff, 0xff];
const SAMPLES = 4;

/** True when (x, y), both in [0, 1], lies inside the letter. Kept within the maskable safe zone. */
function insideR(x, y) {
  const stem = x >= 0.33 && x <= 0.42 && y >= 0.28 && y <= 0.72;
  const topBar = y >= 0.28 && y <= 0.37 && x >= 0.33 && x <= 0.52;
  const midBar = y >= 0.47 && y <= 0.56 && x >= 0.33 && x <= 0.52;
  const r = Math.hypot(x - 0.52, y - 0.42);
  const bowl = x >= 0.52 && r <= 0.14 && r >= 0.05;
  const leg = distanceToSegment(x, y, 0.5, 0.54, 0.64, 0.7) <= 0.047;
  return stem || topBar || midBar || bowl || leg;
}

function distanceToSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function png(size) {
  const rows = Buffer.alloc(size * (1 + size * 3));
  for (let py = 0; py < size; py++) {
    const rowStart = py * (1 + size * 3);
    rows[rowStart] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          if (insideR((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size))
            hits++;
        }
      }
      const cover = hits / (SAMPLES * SAMPLES);
      for (let c = 0; c < 3; c++) {
        rows[rowStart + 1 + px * 3 + c] = Math.round(
          BACKGROUND[c] * (1 - cover) + FOREGROUND[c] * cover,
        );
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

for (const [size, name] of [
  [192, "icon-192.png"],
  [512, "icon-512.png"],
  [180, "apple-touch-icon.png"],
]) {
  writeFileSync(new URL(`../static/${name}`, import.meta.url), png(size));
  console.log(`wrote web/static/${name}`);
}
