// Writes the photo fixtures of web/src/lib/dicom-write's tests into web/tests/fixtures/photos/.
// Run by hand (`node web/scripts/make-photo-fixtures.mjs`); the files are committed.
// PNGs: encoded here (node:zlib, every filter type, Adam7 too) from known patterns, each with
// NAME.expected.bin: the DICOM pixel bytes it must become, worked out from the pattern alone.
// JPEGs: dcmtk's dcmcjpeg (baseline, 4:4:4, progressive, extended) and Chromium's canvas encoder
// (JFIF 4:2:0 with an ICC profile, like a browser re-encode), plus a copy with Exif and trailing
// bytes added. Needs /usr/bin/dcmcjpeg and /usr/bin/chromium.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { data } from "dcmjs";

const OUT = path.resolve(import.meta.dirname, "../tests/fixtures/photos");
const TMP = mkdtempSync(path.join(tmpdir(), "photo-fixtures-"));
mkdirSync(OUT, { recursive: true });

// ---- PNG ----------------------------------------------------------------------------------

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** A repeatable sample in [0, 2^depth) for pixel (x, y), channel c. */
function pattern(x, y, c, depth) {
  const max = 2 ** depth - 1;
  return (x * 37 + y * 91 + c * 53 + ((x * y) % 7) * 29) % (max + 1);
}

function chunk(type, body) {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, "latin1");
  Buffer.from(body).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

function packRow(pixels, depth) {
  if (depth === 8) return Uint8Array.from(pixels);
  if (depth === 16) return Uint8Array.from(pixels.flatMap((v) => [v >> 8, v & 0xff]));
  const row = new Uint8Array(Math.ceil((pixels.length * depth) / 8));
  pixels.forEach((v, i) => (row[(i * depth) >> 3] |= v << (8 - depth - ((i * depth) % 8))));
  return row;
}

function paeth(a, b, c) {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filters rows with types 0..4 in turn, so each filter is exercised. */
function filterRows(rows, bpp) {
  return rows.flatMap((row, y) => {
    const type = y % 5;
    const prev = rows[y - 1] ?? new Uint8Array(row.length);
    const out = row.map((x, i) => {
      const a = i >= bpp ? row[i - bpp] : 0;
      const c = i >= bpp ? prev[i - bpp] : 0;
      const predictor = [0, a, prev[i], (a + prev[i]) >> 1, paeth(a, prev[i], c)][type];
      return (x - predictor) & 0xff;
    });
    return [type, ...out];
  });
}

function encodePng({ width, height, colorType, depth, interlace = false, sample, palette, trns }) {
  const channels = CHANNELS[colorType];
  const bpp = Math.max(1, (channels * depth) >> 3);
  const passes = interlace ? ADAM7 : [[0, 0, 1, 1]];
  const raw = passes.flatMap(([x0, y0, dx, dy]) => {
    const rows = [];
    for (let y = y0; y < height; y += dy) {
      const pixels = [];
      for (let x = x0; x < width; x += dx) {
        for (let c = 0; c < channels; c++) pixels.push(sample(x, y, c));
      }
      if (pixels.length) rows.push(packRow(pixels, depth));
    }
    return filterRows(rows, bpp);
  });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([depth, colorType, 0, 0, interlace ? 1 : 0], 8);
  const idat = deflateSync(Uint8Array.from(raw));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("tEXt", Buffer.from("Comment\0RelayPACS test pattern", "latin1")),
    ...(palette ? [chunk("PLTE", palette)] : []),
    ...(trns ? [chunk("tRNS", trns)] : []),
    // Two IDAT chunks, as large images have.
    chunk("IDAT", idat.subarray(0, idat.length >> 1)),
    chunk("IDAT", idat.subarray(idat.length >> 1)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Expected DICOM pixels: alpha over white, palette to RGB, low depths scaled to 8 bits, LE. */
function expectedPixels({ width, height, colorType, depth, sample, palette, trns }) {
  const out = [];
  const max16 = depth === 16;
  const max = max16 ? 65535 : 255;
  const over = (v, a, m) => (a === m ? v : Math.round((v * a + m * (m - a)) / m));
  const push = (v) => (max16 ? out.push(v & 0xff, v >> 8) : out.push(v));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (c) => sample(x, y, c);
      if (colorType === 3) {
        const alpha = trns?.[s(0)] ?? 255;
        for (let c = 0; c < 3; c++) push(over(palette[s(0) * 3 + c], alpha, 255));
      } else if (colorType === 0) {
        push(depth < 8 ? Math.round((s(0) * 255) / (2 ** depth - 1)) : s(0));
      } else if (colorType === 4) {
        push(over(s(0), s(1), max));
      } else if (colorType === 6) {
        for (let c = 0; c < 3; c++) push(over(s(c), s(3), max));
      } else {
        const keyed = trns && [0, 1, 2].every((c) => s(c) === trns.readUInt16BE(2 * c));
        for (let c = 0; c < 3; c++) push(keyed ? max : s(c));
      }
    }
  }
  return Uint8Array.from(out);
}

const palette = Buffer.from(Array.from({ length: 256 * 3 }, (_, i) => (i * 47 + 11) & 0xff));
const keyColour = [37 + 53 * 0, 37 + 53, 37 + 106]; // pattern(1, 0, c, 8) for c = 0, 1, 2
const pngs = {
  "gray8.png": { width: 13, height: 7, colorType: 0, depth: 8 },
  "gray2.png": { width: 11, height: 5, colorType: 0, depth: 2 },
  "gray16.png": { width: 9, height: 6, colorType: 0, depth: 16 },
  "gray-alpha8.png": { width: 10, height: 6, colorType: 4, depth: 8 },
  "rgb8.png": { width: 13, height: 7, colorType: 2, depth: 8 },
  "rgb16.png": { width: 7, height: 5, colorType: 2, depth: 16 },
  "rgb8-transparent-colour.png": {
    ...{ width: 6, height: 6, colorType: 2, depth: 8 },
    trns: Buffer.from(keyColour.flatMap((v) => [0, v])),
  },
  "rgba8.png": { width: 12, height: 8, colorType: 6, depth: 8 },
  "rgba16.png": { width: 6, height: 4, colorType: 6, depth: 16 },
  "palette8.png": {
    ...{ width: 12, height: 9, colorType: 3, depth: 8, palette },
    trns: Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 13) & 0xff)),
  },
  "palette4.png": { width: 9, height: 5, colorType: 3, depth: 4, palette: palette.subarray(0, 48) },
  "rgb8-interlaced.png": { width: 13, height: 11, colorType: 2, depth: 8, interlace: true },
  "gray1-interlaced.png": { width: 10, height: 9, colorType: 0, depth: 1, interlace: true },
  "rgb8-interlaced-tiny.png": { width: 3, height: 2, colorType: 2, depth: 8, interlace: true },
};
for (const [name, spec] of Object.entries(pngs)) {
  const full = { ...spec, sample: (x, y, c) => pattern(x, y, c, spec.depth) };
  writeFileSync(path.join(OUT, name), encodePng(full));
  writeFileSync(path.join(OUT, name.replace(/\.png$/, ".expected.bin")), expectedPixels(full));
}

// ---- JPEG ---------------------------------------------------------------------------------

/** An uncompressed 8-bit DICOM image of a smooth pattern, for dcmcjpeg to compress. */
function uncompressedDicom(file, samples) {
  const [rows, columns] = [32, 48];
  const pixels = new Uint8Array(rows * columns * samples);
  pixels.forEach((_, i) => {
    const p = Math.floor(i / samples);
    const [x, y, c] = [p % columns, Math.floor(p / columns), i % samples];
    pixels[i] = (x * 5 + y * 3 + c * 60) & 0xff;
  });
  const uid = (n) => `2.25.${1000 + n}`;
  const meta = {
    FileMetaInformationVersion: [new Uint8Array([0, 1]).buffer],
    MediaStorageSOPClassUID: "1.2.840.10008.5.1.4.1.1.7",
    MediaStorageSOPInstanceUID: uid(samples),
    TransferSyntaxUID: "1.2.840.10008.1.2.1",
    ImplementationClassUID: uid(9),
  };
  const dataset = {
    SOPClassUID: "1.2.840.10008.5.1.4.1.1.7",
    SOPInstanceUID: uid(samples),
    ...{ StudyInstanceUID: uid(1), SeriesInstanceUID: uid(2), Modality: "OT", PatientName: "" },
    ...{ Rows: rows, Columns: columns, SamplesPerPixel: samples, BitsAllocated: 8 },
    ...{ BitsStored: 8, HighBit: 7, PixelRepresentation: 0, PixelData: [pixels.buffer] },
    PhotometricInterpretation: samples === 1 ? "MONOCHROME2" : "RGB",
    ...(samples === 3 ? { PlanarConfiguration: 0 } : {}),
    _vrMap: { PixelData: "OB" },
  };
  const dict = new data.DicomDict(data.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = data.DicomMetaDictionary.denaturalizeDataset(dataset);
  writeFileSync(file, Buffer.from(dict.write()));
}

/** The single JPEG fragment of an encapsulated DICOM file, without its padding byte. */
function jpegFragment(file) {
  const buffer = readFileSync(file);
  const dataset = data.DicomMetaDictionary.naturalizeDataset(
    data.DicomMessage.readFile(
      buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length),
    ).dict,
  );
  const bytes = Buffer.from(dataset.PixelData[0]);
  const eoi = bytes.lastIndexOf(Buffer.from([0xff, 0xd9]));
  return bytes.subarray(0, eoi + 2);
}

function dcmcjpeg(source, name, options) {
  const target = path.join(TMP, `${name}.dcm`);
  execFileSync("/usr/bin/dcmcjpeg", [...options, source, target]);
  writeFileSync(path.join(OUT, name), jpegFragment(target));
}

const gray = path.join(TMP, "gray.dcm");
const rgb = path.join(TMP, "rgb.dcm");
uncompressedDicom(gray, 1);
uncompressedDicom(rgb, 3);
dcmcjpeg(gray, "gray-baseline.jpg", ["+eb"]);
dcmcjpeg(rgb, "color-baseline-422.jpg", ["+eb"]);
dcmcjpeg(rgb, "color-baseline-444.jpg", ["+eb", "+s4"]);
dcmcjpeg(rgb, "color-baseline-rgb.jpg", ["+eb", "+cr"]);
dcmcjpeg(rgb, "progressive.jpg", ["+ep"]);
dcmcjpeg(rgb, "extended-8bit.jpg", ["+ee"]);

/** Chromium's canvas JPEG (JFIF, ICC profile, 4:2:0): what a browser re-encode gives. */
function canvasJpeg() {
  const page = path.join(TMP, "canvas.html");
  writeFileSync(
    page,
    `<canvas id=c width=40 height=30></canvas><pre id=o></pre><script>
const g = document.getElementById("c").getContext("2d");
for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) {
  g.fillStyle = "rgb(" + x * 6 + "," + y * 8 + "," + (x + y) * 3 + ")"; g.fillRect(x, y, 1, 1);
}
document.getElementById("o").textContent = document.getElementById("c").toDataURL("image/jpeg", 0.9);
</script>`,
  );
  const home = path.join(TMP, "chromium-home");
  const dom = execFileSync(
    "/usr/bin/chromium",
    [...["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]]
      .concat(["--disable-background-networking", "--disable-component-update", "--dump-dom"])
      .concat([`file://${page}`]),
    { env: { ...process.env, HOME: home }, stdio: ["ignore", "pipe", "ignore"] },
  ).toString();
  const base64 = /data:image\/jpeg;base64,([A-Za-z0-9+/=]+)/.exec(dom)?.[1];
  if (!base64) throw new Error("Chromium gave no JPEG");
  return Buffer.from(base64, "base64");
}

const canvas = canvasJpeg();
writeFileSync(path.join(OUT, "color-canvas-420.jpg"), canvas);
// The same with an Exif segment (as a phone writes, here with a made-up GPS text) after JFIF,
// a comment, and bytes after the end-of-image marker (as some phones append).
const exifBody = Buffer.from("Exif\0\0MM\0*\0\0\0\x08\0\0GPS 51.5N 0.1W (fixture)", "latin1");
const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, exifBody.length + 2]), exifBody]);
const comment = Buffer.from("\xff\xfe\0\x0cno comment", "latin1");
const jfifEnd = 4 + canvas.readUInt16BE(4);
writeFileSync(
  path.join(OUT, "color-exif-trailer.jpg"),
  Buffer.concat([
    canvas.subarray(0, jfifEnd),
    app1,
    comment,
    canvas.subarray(jfifEnd),
    Buffer.from("SEFT trailer"),
  ]),
);
writeFileSync(path.join(OUT, "color-exif-trailer.stripped.jpg"), canvas);

rmSync(TMP, { recursive: true, force: true });
console.log(`Photo fixtures written to ${OUT}`);
