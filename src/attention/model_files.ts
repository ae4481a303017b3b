// Reads the files of a converted graph model (model.json and its weight files) from a URL, a
// local path or an IOHandler, and has them verified (model_checks.ts) before tfjs sees them.
import { env, io } from '@tensorflow/tfjs-core';

import { type ModelFiles, assertGraphModelJson, assertSafeWeightPath, assertWeightBytes, parseJson } from './model_checks.js';
import { readModelFiles } from './node_files.js';

/**
 * Where a graph model is read from: a URL or (in Node) a path of its model.json, or a `tf.io.IOHandler`.
 * @public
 */
export type ModelSource = string | io.IOHandler;

/** Reads and verifies the model's artifacts, ready for `loadGraphModelSync`. */
export async function loadModelArtifacts(source: ModelSource): Promise<{ artifacts: io.ModelArtifacts; location: string }> {
  if (typeof source !== 'string') {
    const location = 'the IOHandler passed as source';
    const artifacts = await source.load!();
    assertGraphModelJson(location, { format: artifacts.format, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: [], weights: artifacts.weightSpecs ?? [] }] });
    assertWeightBytes(location, ['its weight data'], artifacts.weightSpecs ?? [], byteLength(artifacts.weightData));
    return { artifacts, location };
  }
  const files = isHttpUrl(source) || !isNode() ? await fetchModelFiles(source) : await readModelFiles(source);
  const json = assertGraphModelJson(files.location, files.json);
  const artifacts = await io.getModelArtifactsForJSON(json, async (manifest) => {
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      const groupBuffers = await Promise.all(group.paths.map((path) => files.readWeights(path)));
      assertWeightBytes(files.location, group.paths, group.weights, groupBuffers.reduce((n, b) => n + b.byteLength, 0));
      buffers.push(...groupBuffers);
    }
    return [manifest.flatMap((group) => group.weights), io.concatenateArrayBuffers(buffers)];
  });
  return { artifacts, location: files.location };
}

/** True where the Node file system can be used. */
function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

function isHttpUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** Fetches model.json and its weights over HTTP (or relative to the page in a browser). */
async function fetchModelFiles(url: string): Promise<ModelFiles> {
  const base = new URL(url, typeof location === 'undefined' ? undefined : location.href);
  const folder = new URL('.', base);
  const fetchOk = async (target: URL, what: string): Promise<Response> => {
    let response: Response;
    try {
      response = await env().platform.fetch(target.href);
    } catch (e) {
      throw new Error(`Cannot fetch ${what} ${target.href}: ${(e as Error).message}`, { cause: e });
    }
    if (!response.ok) throw new Error(`Cannot fetch ${what} ${target.href}: HTTP ${response.status} ${response.statusText}`);
    return response;
  };
  const text = await (await fetchOk(base, 'the model file')).text();
  return {
    location: base.href,
    json: parseJson(base.href, text),
    async readWeights(path) {
      assertSafeWeightPath(base.href, path);
      const target = new URL(path, folder);
      if (target.origin !== folder.origin || !target.pathname.startsWith(folder.pathname)) {
        throw new Error(`The weight path '${path}' in ${base.href} leaves the model's folder ${folder.href}.`);
      }
      return (await fetchOk(target, 'the weight file')).arrayBuffer();
    },
  };
}

function byteLength(data: io.WeightData | undefined): number {
  if (data === undefined) return 0;
  return Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
}
