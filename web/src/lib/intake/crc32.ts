// CRC-32 (the ZIP/PNG polynomial 0xEDB88320), updated piece by piece: fflate's Unzip does not
// check member checksums, so the intake does, to catch damaged archives before upload.

const TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export class Crc32 {
  private crc = 0xffffffff;

  update(bytes: Uint8Array): void {
    let c = this.crc;
    for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
    this.crc = c;
  }

  digest(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}
