// The bytes a model's weights take: computed exactly from the weights manifest (which must have
// passed the checks of model_json_checks.ts) before anything is read, then held against what the
// weight files really hold.
import type { io } from '@tensorflow/tfjs-core';

/** Bytes per element of the dtypes a weight (or its quantization) may have. */
export const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, string: 4 /* the length prefix; the bytes follow */ };
export const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
const NUM_BYTES_STRING_LENGTH = 4;

/** The number of elements of a shape, refusing counts too large to be computed exactly. */
export function elementCount(what: string, shape: readonly number[]): number {
  let count = 1;
  for (const d of shape) count *= d;
  if (!Number.isSafeInteger(count)) {
    throw new Error(`${what} has a shape [${shape.join(', ')}] with more elements than can be loaded.`);
  }
  return count;
}

/** The exact byte size of a non-string weight, or its minimum (the length prefixes) for a string weight. */
function weightBytes(location: string, spec: io.WeightsManifestEntry): number {
  const what = `The weight '${spec.name}' in ${location}`;
  const count = elementCount(what, spec.shape);
  const size = spec.quantization ? QUANTIZED_BYTES[spec.quantization.dtype]! : BYTES_PER_ELEMENT[spec.dtype]!;
  const bytes = count * size;
  if (!Number.isSafeInteger(bytes)) throw new Error(`${what} has a shape [${spec.shape.join(', ')}] with more bytes than can be loaded.`);
  return bytes;
}

/**
 * What the weights of a group need, from the manifest alone: the exact byte count, or (with
 * string weights, whose lengths are stored in the data) a lower bound. Specs must have passed
 * assertWeightSpecs (model_json_checks.ts).
 */
export function manifestBytes(location: string, specs: readonly io.WeightsManifestEntry[]): { bytes: number; exact: boolean } {
  let bytes = 0;
  let exact = true;
  for (const spec of specs) {
    bytes += weightBytes(location, spec);
    if (spec.dtype === 'string' && !spec.quantization) exact = false;
    if (!Number.isSafeInteger(bytes)) throw new Error(`The weights manifest of ${location} needs more bytes than can be loaded.`);
  }
  return { bytes, exact };
}

/** The error for a weight file larger than what the manifest leaves for it; no byte of it has been read. */
export function weightFileTooLarge(location: string, path: string, size: number | undefined, maxBytes: number): Error {
  const holds = size === undefined ? `holds more than ${maxBytes} bytes` : `holds ${size} bytes`;
  return new Error(`The weight file '${path}' of ${location} ${holds}, but the weights manifest needs ${maxBytes} from it: the file belongs to another model or the manifest is wrong.`);
}

/**
 * Checks that the weight files of a group hold exactly the bytes their manifest entries need
 * (string weights are measured by walking their length prefixes in the data).
 */
export function assertWeightBytes(location: string, paths: readonly string[], specs: readonly io.WeightsManifestEntry[], data: readonly ArrayBuffer[]): void {
  const available = data.reduce((n, b) => n + b.byteLength, 0);
  let { bytes: needed, exact } = manifestBytes(location, specs);
  if (!exact && available >= needed) needed = stringAwareBytes(location, specs, concat(data));
  if (available === needed) return;
  if (paths.length === 0) {
    throw new Error(`The weights manifest of ${location} lists no weight file for weights that need ${needed} bytes.`);
  }
  const files = paths.map((p) => `'${p}'`).join(', ');
  const several = paths.length > 1;
  const problem = available < needed ? 'the file is truncated or belongs to another model' : 'the file belongs to another model or the manifest is wrong';
  throw new Error(`The weight file${several ? 's' : ''} ${files} of ${location} hold${several ? '' : 's'} ${available} bytes, but the weights manifest needs ${needed}: ${problem}.`);
}

/** The byte size of a group with string weights, from the length prefixes in its data. */
function stringAwareBytes(location: string, specs: readonly io.WeightsManifestEntry[], bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== 'string' || spec.quantization) {
      offset += weightBytes(location, spec);
      continue;
    }
    const count = elementCount(`The weight '${spec.name}' in ${location}`, spec.shape);
    for (let i = 0; i < count; i++) {
      if (offset + NUM_BYTES_STRING_LENGTH > bytes.byteLength) return offset + NUM_BYTES_STRING_LENGTH * (count - i);
      offset += NUM_BYTES_STRING_LENGTH + view.getUint32(offset, true);
    }
  }
  return offset;
}

function concat(buffers: readonly ArrayBuffer[]): Uint8Array {
  if (buffers.length === 1) return new Uint8Array(buffers[0]!);
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}
