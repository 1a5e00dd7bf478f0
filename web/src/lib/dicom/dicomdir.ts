// Lists the files a DICOMDIR (the index of a CD/DVD, PS3.10 Media Storage Directory) refers to,
// as paths relative to the DICOMDIR's folder. The DICOMDIR itself is never sent to the PACS; the
// list only lets the app tell the user which indexed files are missing from what they picked.
import { detectLayout, parseDataSet } from "./data-set";

const DIRECTORY_RECORDS = "x00041220";
const REFERENCED_FILE_ID = "x00041500";

/**
 * Referenced File IDs of all directory records, "\"-separated components joined with "/"
 * ("77654033\CR1\6154" becomes "77654033/CR1/6154"); empty when the bytes are not a DICOMDIR.
 */
export function dicomdirReferences(bytes: Uint8Array): string[] {
  const layout = detectLayout(bytes);
  if (!layout) return [];
  const { dataSet } = parseDataSet(bytes, layout, true);
  const items = dataSet?.elements[DIRECTORY_RECORDS]?.items ?? [];
  const paths = new Set<string>();
  for (const item of items) {
    const id = item.dataSet?.string(REFERENCED_FILE_ID);
    if (!id) continue;
    const parts = id
      .split("\\")
      .map((part) => part.trim())
      .filter(Boolean);
    if (parts.length > 0) paths.add(parts.join("/"));
  }
  return [...paths];
}
