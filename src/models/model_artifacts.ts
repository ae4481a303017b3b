// The first stage of loading: the files of a converted model, graph or layers (model.json and its
// weight files), read from a local path (node_files.ts) or a URL (http_files.ts), or an IOHandler's
// artifacts, verified (model_json_checks.ts, weight_bytes.ts) before tfjs sees them.
import { io } from '@tensorflow/tfjs-core';

import { errorMessage } from '../validation.js';
import { fetchModelFiles } from './http_files.js';
import { type LoadLimits, isAbort, throwIfAborted, untilAborted } from './load_limits.js';
import type { ModelFiles } from './model_files.js';
import { assertModelJson, assertWeightSpecs } from './model_json_checks.js';
import type { ModelFormat } from './model_types.js';
import { readModelFiles } from './node_files.js';
import { assertWeightBytes, manifestBytes } from './weight_bytes.js';

/**
 * Where a converted model is read from: a URL or (in Node) a path of its model.json, or a `tf.io.IOHandler`.
 * @public
 */
export type ModelSource = string | io.IOHandler;

/** What was read: the verified artifacts, where they came from, and the model's format. */
export interface LoadedArtifacts {
  artifacts: io.ModelArtifacts;
  location: string;
  format: ModelFormat;
}

/** Reads and verifies the model's artifacts, ready for `loadGraphModelSync` or tfjs-layers. */
export async function loadModelArtifacts(source: ModelSource, limits: LoadLimits): Promise<LoadedArtifacts> {
  if (typeof source !== 'string') {
    const location = 'the IOHandler passed as source';
    let artifacts: io.ModelArtifacts;
    try {
      artifacts = await untilAborted(Promise.resolve().then(() => source.load!()), limits.signal, location);
    } catch (e) {
      if (isAbort(e)) throw e;
      throw new Error(`The IOHandler passed as source failed to load the model: ${errorMessage(e)}`, { cause: e });
    }
    if (typeof artifacts !== 'object' || artifacts === null) {
      throw new Error(`The IOHandler passed as source returned ${String(artifacts)} from load(), not model artifacts.`);
    }
    assertWeightSpecs(location, artifacts.weightSpecs ?? [], 'its weightSpecs');
    const { format } = assertModelJson(location, { format: artifacts.format, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: [], weights: artifacts.weightSpecs ?? [] }] });
    assertWeightBytes(location, ['its weight data'], artifacts.weightSpecs ?? [], weightBuffers(location, artifacts.weightData));
    return { artifacts, location, format };
  }
  let files: ModelFiles;
  if (isHttpUrl(source) || !isNode()) {
    files = await fetchModelFiles(source, limits);
  } else {
    throwIfAborted(limits.signal, `the model file ${source}`);
    files = await readModelFiles(source);
  }
  const { model: json, format } = assertModelJson(files.location, files.json);
  const artifacts = await io.getModelArtifactsForJSON(json, async (manifest) => {
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      // The manifest's sizes were checked to be exact integers. Each file is refused, unread, when
      // it is larger than what the group still needs, and a shortfall is found once the group is
      // read: memory goes only to bytes that the manifest declares and the files really hold.
      // (String weights are sized by prefixes inside the data, so their files are read whole.)
      const { bytes: needed, exact } = manifestBytes(files.location, group.weights);
      const groupBuffers: ArrayBuffer[] = [];
      let read = 0;
      for (const path of group.paths) {
        throwIfAborted(limits.signal, `the weight file '${path}' of ${files.location}`);
        const buffer = await files.readWeights(path, exact ? needed - read : Number.MAX_SAFE_INTEGER);
        groupBuffers.push(buffer);
        read += buffer.byteLength;
      }
      assertWeightBytes(files.location, group.paths, group.weights, groupBuffers);
      buffers.push(...groupBuffers);
    }
    return [manifest.flatMap((group) => group.weights), io.concatenateArrayBuffers(buffers)];
  });
  return { artifacts, location: files.location, format };
}

/** The weight data of an IOHandler's artifacts as a list of buffers. */
function weightBuffers(location: string, data: unknown): ArrayBuffer[] {
  if (data === undefined || data === null) return [];
  const list = Array.isArray(data) ? data : [data];
  if (!list.every((b) => b instanceof ArrayBuffer)) {
    throw new Error(`The weight data of ${location} is not an ArrayBuffer or a list of ArrayBuffers.`);
  }
  return list as ArrayBuffer[];
}

/** True where the Node file system can be used. */
function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

function isHttpUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}
