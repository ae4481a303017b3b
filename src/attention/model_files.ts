// Reads the files of a converted model, graph or layers (model.json and its weight files), from a
// URL, a local path or an IOHandler, and has them verified (model_checks.ts) before tfjs sees them.
import { env, io } from '@tensorflow/tfjs-core';

import type { ModelFormat } from './feature_model.js';
import {
  type ModelFiles,
  assertModelJson,
  assertSafeWeightPath,
  assertWeightBytes,
  assertWeightSpecs,
  manifestBytes,
  parseJson,
  weightFileTooLarge,
} from './model_checks.js';
import { errorMessage } from '../validation.js';
import { readModelFiles } from './node_files.js';

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
export async function loadModelArtifacts(source: ModelSource): Promise<LoadedArtifacts> {
  if (typeof source !== 'string') {
    const location = 'the IOHandler passed as source';
    let artifacts: io.ModelArtifacts;
    try {
      artifacts = await source.load!();
    } catch (e) {
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
    files = await fetchModelFiles(source);
  } else {
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

/** Fetches model.json and its weights over HTTP (or relative to the page in a browser). */
async function fetchModelFiles(url: string): Promise<ModelFiles> {
  let base: URL;
  try {
    base = new URL(url, typeof location === 'undefined' ? undefined : location.href);
  } catch (e) {
    throw new Error(`Cannot fetch the model file ${url}: it is not a valid URL (${errorMessage(e)})`, { cause: e });
  }
  const folder = new URL('.', base);
  const fetchResponse = async (target: URL, what: string, init?: RequestInit): Promise<Response> => {
    try {
      return await env().platform.fetch(target.href, init);
    } catch (e) {
      throw new Error(`Cannot fetch ${what} ${target.href}: ${errorMessage(e)}`, { cause: e });
    }
  };
  const assertOk = async (response: Response, target: URL, what: string): Promise<Response> => {
    if (response.ok) return response;
    await cancel(response);
    throw new Error(`Cannot fetch ${what} ${target.href}: HTTP ${response.status} ${response.statusText}`);
  };
  const modelResponse = await assertOk(await fetchResponse(base, 'the model file'), base, 'the model file');
  let text: string;
  try {
    text = await modelResponse.text();
  } catch (e) {
    throw new Error(`Cannot fetch the model file ${base.href}: ${errorMessage(e)}`, { cause: e });
  }
  // Weights may be served through redirects (a CDN), but only within the folder of model.json as
  // requested or as finally served: a redirect anywhere else is refused before it is followed.
  const folders = [folder];
  if (modelResponse.url) folders.push(new URL('.', modelResponse.url));
  const inside = (target: URL) => folders.some((f) => target.origin === f.origin && target.pathname.startsWith(f.pathname));
  const fetchWeights = async (path: string, target: URL): Promise<Response> => {
    const what = 'the weight file';
    let url = target;
    for (let hops = 0; ; hops++) {
      const response = await fetchResponse(url, what, { redirect: 'manual' });
      if (response.type === 'opaqueredirect') {
        // A browser hides where a redirect leads; follow it, and check where it ended before reading.
        const followed = await assertOk(await fetchResponse(url, what), url, what);
        if (followed.url && !inside(new URL(followed.url))) {
          await cancel(followed);
          throw new Error(`The weight file '${path}' of ${base.href} was redirected to ${followed.url}, outside the model's folder ${folder.href}; it was not read.`);
        }
        return followed;
      }
      if (![301, 302, 303, 307, 308].includes(response.status)) return assertOk(response, url, what);
      await cancel(response);
      const location = response.headers.get('location');
      if (location === null) throw new Error(`Cannot fetch ${what} ${url.href}: HTTP ${response.status} without a Location header`);
      const next = new URL(location, url);
      if (!inside(next)) {
        throw new Error(`The weight file '${path}' of ${base.href} is redirected to ${next.href}, outside the model's folder ${folder.href}; it was not fetched.`);
      }
      if (hops >= 10) throw new Error(`Cannot fetch ${what} ${target.href}: more than 10 redirects`);
      url = next;
    }
  };
  return {
    location: base.href,
    json: parseJson(base.href, text),
    async readWeights(path, maxBytes) {
      assertSafeWeightPath(base.href, path);
      const target = new URL(path, folder);
      if (!inside(target)) {
        throw new Error(`The weight path '${path}' in ${base.href} leaves the model's folder ${folder.href}.`);
      }
      const response = await fetchWeights(path, target);
      const declared = Number(response.headers?.get('content-length') ?? NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        await cancel(response);
        throw weightFileTooLarge(base.href, path, declared, maxBytes);
      }
      try {
        return await readBody(response, maxBytes, () => weightFileTooLarge(base.href, path, undefined, maxBytes));
      } catch (e) {
        if (e instanceof WeightTooLarge) throw e.error;
        throw new Error(`Cannot fetch the weight file ${target.href}: ${errorMessage(e)}`, { cause: e });
      }
    },
  };
}

class WeightTooLarge extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}

/** Reads a response body, giving up (and cancelling the rest) as soon as it exceeds `maxBytes`. */
async function readBody(response: Response, maxBytes: number, tooLarge: () => Error): Promise<ArrayBuffer> {
  const reader = response.body?.getReader?.();
  if (reader === undefined) {
    const buffer = await response.arrayBuffer();
    if (buffer.byteLength > maxBytes) throw new WeightTooLarge(tooLarge());
    return buffer;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new WeightTooLarge(tooLarge());
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}

/** Releases a response whose body will not be read. */
async function cancel(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // nothing to release
  }
}
