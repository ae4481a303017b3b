// Reading a model from the local file system in Node (tfjs-core alone cannot read files).
// The Node built-ins are imported on first use, through a specifier bundlers do not follow, so
// that a browser bundle of the library never needs them.
import { errorMessage } from '../validation.js';
import type { ModelFiles } from './model_files.js';
import { assertSafeWeightPath, parseJson } from './model_json_checks.js';
import { weightFileTooLarge } from './weight_bytes.js';

type Fs = typeof import('node:fs/promises');
type FsConstants = typeof import('node:fs').constants;
type Path = typeof import('node:path');
type Url = typeof import('node:url');

const nodeModule = <T>(name: string): Promise<T> => import(/* webpackIgnore: true */ /* @vite-ignore */ `node:${name}`) as Promise<T>;

/**
 * Reads model.json at a local path or `file://` URL, and returns a reader for its weight files.
 * Only regular files are read (a folder, a FIFO or a device is refused before it is opened for
 * reading in a way that could block), weight files only inside the folder of model.json after
 * every link is resolved, and never more bytes than the manifest allows.
 */
export async function readModelFiles(source: string): Promise<ModelFiles> {
  const [fs, path, url, { constants }] = await Promise.all([nodeModule<Fs>('fs/promises'), nodeModule<Path>('path'), nodeModule<Url>('url'), nodeModule<{ constants: FsConstants }>('fs')]);
  let file: string;
  try {
    file = path.resolve(/^file:/i.test(source) ? url.fileURLToPath(source) : source);
  } catch (e) {
    throw new Error(`Cannot read the model file ${source}: ${errorMessage(e)}`, { cause: e });
  }
  const readRegularFile = async (target: string, maxBytes: number, describeFile: () => string, tooLarge: (size: number) => Error): Promise<Buffer> => {
    let handle: Awaited<ReturnType<Fs['open']>>;
    try {
      // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below like any non-file.
      handle = await fs.open(target, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch (e) {
      throw new Error(`Cannot read ${describeFile()}: ${errorMessage(e)}`, { cause: e });
    }
    try {
      const fail = (e: unknown) => new Error(`Cannot read ${describeFile()}: ${errorMessage(e)}`, { cause: e });
      const stats = await handle.stat().catch((e: unknown) => Promise.reject(fail(e)));
      if (!stats.isFile()) throw new Error(`Cannot read ${describeFile()}: it is not a regular file.`);
      if (stats.size > maxBytes) throw tooLarge(stats.size);
      // The buffer has the file's real size (at most maxBytes), never a size declared in model.json;
      // it has its own ArrayBuffer (no pool), and only the bytes read are ever handed on.
      let bytes: Buffer;
      try {
        bytes = Buffer.allocUnsafeSlow(stats.size);
      } catch (e) {
        throw fail(e);
      }
      let read = 0;
      while (read < bytes.length) {
        const { bytesRead } = await handle.read(bytes, read, bytes.length - read, read).catch((e: unknown) => Promise.reject(fail(e)));
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return bytes.subarray(0, read);
    } finally {
      await handle.close().catch(() => undefined);
    }
  };

  const modelFile = () => `the model file ${file}`;
  const text = new TextDecoder('utf-8').decode(await readRegularFile(file, MAX_MODEL_JSON_BYTES, modelFile, (size) => new Error(`Cannot read ${modelFile()}: it holds ${size} bytes, more than the ${MAX_MODEL_JSON_BYTES} a model.json may have.`)));
  let folder: string;
  try {
    folder = await fs.realpath(path.dirname(file));
  } catch (e) {
    throw new Error(`Cannot read ${modelFile()}: its folder cannot be resolved (${errorMessage(e)})`, { cause: e });
  }
  return {
    location: file,
    json: parseJson(file, text),
    async readWeights(weightPath, maxBytes) {
      assertSafeWeightPath(file, weightPath);
      const target = path.resolve(folder, weightPath);
      const weightFile = () => `the weight file '${weightPath}' of ${file} (${target})`;
      let real: string;
      try {
        real = await fs.realpath(target);
      } catch (e) {
        throw new Error(`Cannot read ${weightFile()}: ${errorMessage(e)}`, { cause: e });
      }
      // A link inside the folder may still point outside it.
      const relative = path.relative(folder, real);
      if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
        throw new Error(`The weight file '${weightPath}' of ${file} resolves to ${real}, outside the model's folder ${folder}.`);
      }
      const bytes = await readRegularFile(real, maxBytes, weightFile, (size) => weightFileTooLarge(file, weightPath, size, maxBytes));
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      return (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer;
    },
  };
}

/** model.json holds the graph and the manifest, never weights: 256 MiB is far beyond any real one. */
const MAX_MODEL_JSON_BYTES = 256 * 1024 * 1024;
