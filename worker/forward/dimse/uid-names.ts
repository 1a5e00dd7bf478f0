// Human names for the transfer syntaxes and storage SOP classes a clinic sends most (PS3.6
// Annex A), so a refusal can say "JPEG-LS" rather than a UID. Unknown UIDs fall back to the UID.

const TRANSFER_SYNTAXES: Record<string, string> = {
  "1.2.840.10008.1.2": "Implicit VR Little Endian",
  "1.2.840.10008.1.2.1": "Explicit VR Little Endian",
  "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
  "1.2.840.10008.1.2.2": "Explicit VR Big Endian (retired)",
  "1.2.840.10008.1.2.4.50": "JPEG Baseline",
  "1.2.840.10008.1.2.4.51": "JPEG Extended",
  "1.2.840.10008.1.2.4.57": "JPEG Lossless",
  "1.2.840.10008.1.2.4.70": "JPEG Lossless (first-order prediction)",
  "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
  "1.2.840.10008.1.2.4.81": "JPEG-LS Near-Lossless",
  "1.2.840.10008.1.2.4.90": "JPEG 2000 Lossless",
  "1.2.840.10008.1.2.4.91": "JPEG 2000",
  "1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 Lossless",
  "1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000",
  "1.2.840.10008.1.2.5": "RLE Lossless",
};

const SOP_CLASSES: Record<string, string> = {
  "1.2.840.10008.1.3.10": "DICOMDIR (media directory)",
  "1.2.840.10008.5.1.4.1.1.1": "CR image",
  "1.2.840.10008.5.1.4.1.1.1.1": "Digital X-ray image",
  "1.2.840.10008.5.1.4.1.1.1.2": "Digital mammography image",
  "1.2.840.10008.5.1.4.1.1.2": "CT image",
  "1.2.840.10008.5.1.4.1.1.3.1": "Ultrasound multi-frame image",
  "1.2.840.10008.5.1.4.1.1.4": "MR image",
  "1.2.840.10008.5.1.4.1.1.6.1": "Ultrasound image",
  "1.2.840.10008.5.1.4.1.1.7": "Secondary Capture image",
  "1.2.840.10008.5.1.4.1.1.12.1": "X-ray angiography image",
  "1.2.840.10008.5.1.4.1.1.20": "Nuclear medicine image",
  "1.2.840.10008.5.1.4.1.1.77.1.4": "VL photographic image",
  "1.2.840.10008.5.1.4.1.1.88.11": "Basic Text SR",
  "1.2.840.10008.5.1.4.1.1.88.22": "Enhanced SR",
  "1.2.840.10008.5.1.4.1.1.104.1": "Encapsulated PDF",
  "1.2.840.10008.5.1.4.1.1.128": "PET image",
  "1.2.840.10008.5.1.4.1.1.481.2": "RT Dose",
  "1.2.840.10008.5.1.4.1.1.481.3": "RT Structure Set",
  "1.2.840.10008.5.1.4.1.1.481.5": "RT Plan",
  "1.2.840.10008.5.1.4.1.1.481.8": "RT Ion Plan",
  "1.2.840.10008.5.1.4.39.1": "Color Palette",
};

/** "JPEG-LS Near-Lossless (1.2.840.10008.1.2.4.81)", or the bare UID when unknown. */
export function transferSyntaxName(uid: string): string {
  const name = TRANSFER_SYNTAXES[uid];
  return name ? `${name} (${uid})` : uid;
}

/** "CT image (1.2.840.10008.5.1.4.1.1.2)", or "SOP class <uid>" when unknown. */
export function sopClassName(uid: string): string {
  const name = SOP_CLASSES[uid];
  return name ? `${name} (${uid})` : `SOP class ${uid}`;
}
