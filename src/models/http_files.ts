// Reading a model over HTTP(S) (or, in a browser, relative to the page): each file within the
// time limit, stopped by the signal, never read past the bytes the manifest leaves for it, and
// weights only from inside the folder of model.json, redirects included.
import { env } from '@tensorflow/tfjs-core';

import { errorMessage } from '../validation.js';
import { type LoadLimits, withinLimits } from './load_limits.js';
import type { ModelFiles } from './model_files.js';
import { assertSafeWeightPath, parseJson } from './model_json_checks.js';
import { weightFileTooLarge } from './weight_bytes.js';

/**
 * Fetches model.json and its weights over HTTP (or relative to the page in a browser), each file
 * within the time limit and stopped by the signal (see {@link withinLimits}).
 */
export async function fetchModelFiles(url: string, limits: LoadLimits): Promise<ModelFiles> {
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
