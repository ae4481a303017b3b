// Reads the files of a converted model, graph or layers (model.json and its weight files), from a
// URL, a local path or an IOHandler, and has them verified (model_json_checks.ts, weight_bytes.ts)
// before tfjs sees them.
import { env, io } from '@tensorflow/tfjs-core';

import type { ModelFormat } from './model_types.js';
import { type ModelFiles, assertModelJson, assertSafeWeightPath, assertWeightSpecs, parseJson } from './model_json_checks.js';
import { customOption, withDefault } from '../options.js';
import { errorMessage } from '../validation.js';
import { readModelFiles } from './node_files.js';
import { assertWeightBytes, manifestBytes, weightFileTooLarge } from './weight_bytes.js';

/**
 * Where a converted model is read from: a URL or (in Node) a path of its model.json, or a `tf.io.IOHandler`.
 * @public
 */
export type ModelSource = string | io.IOHandler;

/**
 * How long loading a model's files may take, and how to stop it.
 * @public
 */
export interface ModelLoadOptions {
  /**
   * Stops the load when aborted (an `AbortController`'s signal): a request under way is cancelled
   * at once, a local read stops before its next file, an IOHandler is no longer waited for. The
   * load then rejects with an `AbortError` naming the file and the signal's reason.
   */
  signal?: AbortSignal;
  /**
   * Milliseconds each file fetched over HTTP(S) may take, from the request to its last byte
   * (redirects included), so that a silent server, or one that trickles its answer, cannot hold
   * the load: a positive number, `Infinity` for no limit. Past it the load rejects with a
   * `TimeoutError` naming the file. Default 60000 (a minute a file: a 4 MB shard, tfjs-converter's
   * default, at 0.5 Mbit/s); raise it for larger files on slow connections.
   */
  timeout?: number;
}

/** {@link ModelLoadOptions}: defaults and rules. */
export const LOAD_OPTIONS = {
  signal: customOption<AbortSignal>(
    'an AbortSignal (from an AbortController)',
    (v): v is AbortSignal => typeof v === 'object' && v !== null && typeof (v as AbortSignal).aborted === 'boolean' && typeof (v as AbortSignal).addEventListener === 'function',
  ),
  timeout: withDefault(customOption<number>('a number of milliseconds > 0 (Infinity for none)', (v): v is number => typeof v === 'number' && v > 0), 60_000),
};

/** {@link ModelLoadOptions} after validation and defaults. */
export interface LoadLimits {
  signal: AbortSignal | undefined;
  timeout: number;
}

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

/**
 * Fetches model.json and its weights over HTTP (or relative to the page in a browser), each file
 * within the time limit and stopped by the signal (see {@link withinLimits}).
 */
async function fetchModelFiles(url: string, limits: LoadLimits): Promise<ModelFiles> {
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
  const { response: modelResponse, text } = await withinLimits(limits, `the model file ${base.href}`, async (signal) => {
    const response = await assertOk(await fetchResponse(base, 'the model file', { signal }), base, 'the model file');
    try {
      return { response, text: await response.text() };
    } catch (e) {
      throw new Error(`Cannot fetch the model file ${base.href}: ${errorMessage(e)}`, { cause: e });
    }
  });
  // Weights may be served through redirects (a CDN), but only within the folder of model.json as
  // requested or as finally served: a redirect anywhere else is refused before it is followed.
  const folders = [folder];
  if (modelResponse.url) folders.push(new URL('.', modelResponse.url));
  const inside = (target: URL) => folders.some((f) => target.origin === f.origin && target.pathname.startsWith(f.pathname));
  const fetchWeights = async (path: string, target: URL, signal: AbortSignal): Promise<Response> => {
    const what = 'the weight file';
    let url = target;
    for (let hops = 0; ; hops++) {
      const response = await fetchResponse(url, what, { redirect: 'manual', signal });
      if (response.type === 'opaqueredirect') {
        // A browser hides where a redirect leads; follow it, and check where it ended before reading.
        const followed = await assertOk(await fetchResponse(url, what, { signal }), url, what);
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
      return withinLimits(limits, `the weight file '${path}' of ${base.href}`, async (signal) => {
        const response = await fetchWeights(path, target, signal);
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
      });
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

/**
 * Runs the work of one file with a signal of its own, aborted by the caller's signal or when
 * `limits.timeout` ms have passed; whatever the work then fails with, the error says which of the
 * two stopped it. (Timers longer than 2³¹ − 1 ms fire at once in Node and browsers: those wait
 * for the signal alone.)
 */
async function withinLimits<T>(limits: LoadLimits, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  throwIfAborted(limits.signal, what);
  const controller = new AbortController();
  let timedOut = false;
  const timer = limits.timeout <= MAX_TIMER_MS ? setTimeout(() => ((timedOut = true), controller.abort()), limits.timeout) : undefined;
  const stop = () => controller.abort();
  limits.signal?.addEventListener('abort', stop, { once: true });
  try {
    return await work(controller.signal);
  } catch (e) {
    if (timedOut) {
      const error = new Error(
        `Cannot fetch ${what}: no complete answer within ${limits.timeout} ms (options.timeout); the server is silent or too slow. Raise options.timeout for a large file on a slow connection (Infinity for no limit).`,
        { cause: e },
      );
      error.name = 'TimeoutError';
      throw error;
    }
    throwIfAborted(limits.signal, what);
    throw e;
  } finally {
    clearTimeout(timer);
    limits.signal?.removeEventListener('abort', stop);
  }
}

/** The longest delay a timer keeps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Throws the `AbortError` of `what` if the signal is aborted. */
function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortError(signal, what);
}

function abortError(signal: AbortSignal, what: string): Error {
  const reason: unknown = signal.reason;
  const error = new Error(`Loading ${what} was aborted (options.signal): ${errorMessage(reason)}`, { cause: reason });
  error.name = 'AbortError';
  return error;
}

/** True for the errors of {@link abortError}. */
function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError' && e.message.includes('(options.signal)');
}

/**
 * `promise`, or the `AbortError` of `what` as soon as the signal aborts: for work that cannot be
 * cancelled (an IOHandler's load), whose late rejection is then handled here.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return promise;
  promise.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(abortError(signal, what));
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}
