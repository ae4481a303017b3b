// What both readers of a model's files give the loader: node_files.ts (a local path) and
// http_files.ts (a URL).

/** What a model reader provides: the parsed model.json, and a way to read its weight files. */
export interface ModelFiles {
  /** The location of model.json, for messages. */
  readonly location: string;
  /** model.json, parsed. */
  readonly json: unknown;
  /**
   * Reads the weight file at a manifest path (checked with assertSafeWeightPath). A file that
   * holds more than `maxBytes` is refused before its contents are read (weightFileTooLarge), so a
   * huge file cannot exhaust memory.
   */
  readWeights(path: string, maxBytes: number): Promise<ArrayBuffer>;
}
