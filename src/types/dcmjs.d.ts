// The few parts of dcmjs we use; the package ships no type declarations.
declare module 'dcmjs' {
  type Element = { vr: string; Value?: unknown[] };
  type Dict = Record<string, Element>;
  interface DicomDict {
    meta: Dict;
    dict: Dict;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }
  interface ReadOptions { untilTag?: string | null; includeUntilTagValue?: boolean; ignoreErrors?: boolean; noCopy?: boolean; forceStoreRaw?: boolean }
  const dcmjs: {
    log: { setLevel(level: string): void; getLogger(name: string): { setLevel(level: string): void } };
    data: {
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict };
      DicomDict: new (meta: Dict) => DicomDict;
      DicomMetaDictionary: {
        naturalizeDataset(dict: Dict): Record<string, unknown>;
        denaturalizeDataset(ds: Record<string, unknown>): Dict;
        uid(): string;
        dictionary: Record<string, { tag: string; vr: string; name: string }>;
        nameMap: Record<string, { tag: string; vr: string; name: string }>;
      };
    };
  };
  export default dcmjs;
}
