// The slice of dcmjs 0.51 (which ships no types) that part10.ts uses. Outputs are `unknown` on
// purpose: part10.ts narrows them, nothing else in the app touches dcmjs directly.
declare module "dcmjs" {
  interface DcmjsDicomDict {
    dict: Record<string, unknown>;
    meta: Record<string, unknown>;
    write(options?: { fragmentMultiframe?: boolean; allowInvalidVRLength?: boolean }): ArrayBuffer;
  }

  export const data: {
    DicomDict: new (meta: Record<string, unknown>) => DcmjsDicomDict;
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean }): DcmjsDicomDict;
    };
    DicomMetaDictionary: {
      nameMap: Record<string, { tag: string; vr: string } | undefined>;
      denaturalizeDataset(dataset: object): Record<string, unknown>;
      naturalizeDataset(dict: Record<string, unknown>): Record<string, unknown>;
    };
  };
}
