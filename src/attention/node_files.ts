// Reading a model from the local file system in Node (tfjs-core alone cannot read files).
// The Node built-ins are imported on first use, through a specifier bundlers do not follow, so
// that a browser bundle of the library never needs them.
import { type ModelFiles, assertSafeWeightPath, parseJson } from './model_checks.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');
type Url = typeof import('node:url');

const nodeModule = <T>(name: string): Promise<T> => import(/* webpackIgnore: true */ /* @vite-ignore */ `node:${name}`) as Promise<T>;

/** Reads model.json at a local path or `file://` URL, and returns a reader for its weight files. */
export async function readModelFiles(source: string): Promise<ModelFiles> {
  const [fs, path, url] = await Promise.all([nodeModule<Fs>('fs/promises'), nodeModule<Path>('path'), nodeModule<Url>('url')]);
  const file = path.resolve(/^file:/i.test(source) ? url.fileURLToPath(source) : source);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`Cannot read the model file ${file}: ${(e as Error).message}`, { cause: e });
  }
  const folder = await fs.realpath(path.dirname(file));
  return {
    location: file,
    json: parseJson(file, text),
    async readWeights(weightPath) {
      assertSafeWeightPath(file, weightPath);
      const target = path.resolve(folder, weightPath);
      let real: string;
      try {
        real = await fs.realpath(target);
      } catch (e) {
        throw new Error(`Cannot read the weight file '${weightPath}' of ${file} (${target}): ${(e as Error).message}`, { cause: e });
      }
      // A link inside the folder may still point outside it.
      const relative = path.relative(folder, real);
      if (relative.startsWith('..') || path.isAbsolute(relative)) {
        throw new Error(`The weight file '${weightPath}' of ${file} resolves to ${real}, outside the model's folder ${folder}.`);
      }
      const bytes = await fs.readFile(real);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}
