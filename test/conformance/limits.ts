// Calls at the edge of what half-float textures hold exactly (integers up to 2048): each op at the
// limit and one past it, with inputs whose values name their source, so that a rounded index
// shows as a wrong value. Run in the browser page on webgl, with float32 textures and with forced
// half-float ones (see browser.test.ts): at the limit every call must give exact results; past it,
// a backend with float32 textures must too, and one with half-float textures must refuse.
import * as tf from '@tensorflow/tfjs-core';

import { applyMixup, attentiveCutMix, cellEdges, cutMix, fmix, mixup, resizeMix, saliencyMix, sampleSaliencyMixParams } from '../../src/index.js';
import { type Box4, expectedBox } from '../support/boxes.js';

export interface LimitReport {
  /** What was called, and at which size. */
  probe: string;
  /** Whether the size is past what half-float textures hold exactly. */
  past: boolean;
  /** The error message, if the call was refused. */
  refused?: string;
  /** What was wrong with the result, if it was not refused. */
  problems: string[];
}

/** `[B, H, W, 1]` float32 images whose value at (b, y, x) is `value(b, y, x)`. */
function valued(shape: [number, number, number], value: (b: number, y: number, x: number) => number): tf.Tensor4D {
  const [b, h, w] = shape;
  const values = new Float32Array(b * h * w);
  for (let i = 0; i < b; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) values[(i * h + y) * w + x] = value(i, y, x);
  return tf.tensor4d(values, [b, h, w, 1]);
}

/** A probe: calls an op at `size` on inputs it lists in `made`, checks and disposes the result, and notes what is wrong. */
type Probe = (size: number, problems: string[], made: tf.Tensor[]) => Promise<void>;

/**
 * Runs a probe and disposes its inputs: a refusal (naming half-float textures) is recorded,
 * anything else thrown is a problem, and so is a tensor left behind, refused or not.
 */
async function attempt(name: string, past: boolean, run: (problems: string[], made: tf.Tensor[]) => Promise<void>): Promise<LimitReport> {
  const [problems, made] = [[] as string[], [] as tf.Tensor[]];
  const before = tf.memory().numTensors;
  let refused: string | undefined;
  try {
    await run(problems, made);
  } catch (e) {
    const message = (e as Error).message;
    if (/half-float \(float16\) textures/.test(message)) refused = message;
    else problems.push(`threw: ${message}`);
  } finally {
    tf.dispose(made);
  }
  if (tf.memory().numTensors !== before) problems.push(`${tf.memory().numTensors - before} tensors left behind`);
  return { probe: name, past, refused, problems };
}

/** mixup of two samples of classes 0 and k − 1 (`labels`): sample 1's row must give λ to class k − 1 and 1 − λ to class 0. */
async function mixTwoClasses(k: number, labels: number[] | tf.Tensor2D, problems: string[], made: tf.Tensor[]): Promise<void> {
  const x = tf.zeros([2, 1, 1, 1]);
  made.push(x);
  const r = mixup(x, labels, { numClasses: k, seed: 3, alpha: 1 });
  const [rows, lambda] = [(await r.labels.array()) as number[][], await r.lambda.data()];
  const [own, other] = [rows[1]![k - 1]!, rows[1]![0]!];
  if (Math.abs(own - lambda[1]!) > 2 ** -9 || Math.abs(other - (1 - lambda[1]!)) > 2 ** -9) problems.push(`sample 1's label row gives class ${k - 1} ${own} and class 0 ${other}, lambda ${lambda[1]}`);
  tf.dispose(r);
}

/**
 * A paste op on a batch of B one-pixel images, each holding its index (mod 1000): each pixel must
 * be its own where lambda (the kept share) is 1 and its partner's where it is 0, so a partner index
 * rounded on the way shows as a wrong value.
 */
async function onePixelPaste(
  n: number,
  problems: string[],
  made: tf.Tensor[],
  mix: (x: tf.Tensor4D, ids: number[]) => { images: tf.Tensor; partners: tf.Tensor; lambda: tf.Tensor },
): Promise<void> {
  const x = valued([n, 1, 1], (b) => b % 1000);
  made.push(x);
  const r = mix(x, Array.from({ length: n }, (_, i) => i % 2));
  const [out, partners, lambda] = [await r.images.data(), await r.partners.data(), await r.lambda.data()];
  const bad = partners.findIndex((p, i) => out[i] !== (lambda[i]! === 1 ? i : lambda[i]! === 0 ? p : NaN) % 1000);
  if (bad >= 0) problems.push(`sample ${bad} holds ${out[bad]}, lambda ${lambda[bad]}, its partner is ${partners[bad]}`);
  tf.dispose(r as unknown as tf.Tensor[]);
}

/** Each probe, with the size at the limit and, where one exists, a size past it whose rounding would show. */
const PROBES: [string, Probe, [number, number?]][] = [
  [
    'cutMix, a batch of B samples: each sample becomes its partner',
    async (n, problems, made) => {
      const x = valued([n, 1, 1], (b) => b % 1000); // exact in float16, and different for neighbours
      made.push(x);
      const r = cutMix(x, Array.from({ length: n }, (_, i) => i % 2), { numClasses: 2, minMax: [1, 1], seed: 1 });
      const [out, partners] = [await r.images.data(), await r.partners.data()];
      const bad = partners.findIndex((p, i) => out[i] !== p % 1000);
      if (bad >= 0) problems.push(`sample ${bad} holds ${out[bad]}, its partner is ${partners[bad]}`);
      tf.dispose(r);
    },
    [2048, 3000],
  ],
  ['resizeMix, a batch of B one-pixel samples: each pixel its own or its partner\'s, as lambda says', (n, problems, made) => onePixelPaste(n, problems, made, (x, ids) => resizeMix(x, ids, { numClasses: 2, scale: [1, 1], seed: 6 })), [2048, 3000]],
  ['fmix, a batch of B one-pixel samples: each pixel its own or its partner\'s, as lambda says', (n, problems, made) => onePixelPaste(n, problems, made, (x, ids) => fmix(x, ids, { numClasses: 2, mode: 'elem', seed: 7 })), [2048, 3000]],
  [
    'saliencyMix, a batch of B one-pixel samples: each pixel its own or its partner\'s, as lambda says',
    (n, problems, made) => {
      const maps = tf.ones([n, 1, 1]) as tf.Tensor3D;
      made.push(maps);
      return onePixelPaste(n, problems, made, (x, ids) => saliencyMix(x, ids, maps, { numClasses: 2, mode: 'elem', seed: 8 }));
    },
    [2048, 3000],
  ],
  [
    'saliencyMix with S × S maps on S × S images, each peak past cell 2048: each box centred on its partner\'s peak (exact at any map size)',
    async (side, problems, made) => {
      // Row-major 2059 and 2499 at S = 50, which float16 rounds to 2060 and 2500: a box a column off, or on no cell.
      const peaks = [[41, 9], [side - 1, side - 1]] as const;
      const x = tf.zeros([2, side, side, 1]);
      const maps = tf.tensor3d(Array.from({ length: 2 * side * side }, (_, i) => {
        const [b, y, xx] = [Math.floor(i / (side * side)), Math.floor(i / side) % side, i % side];
        return y === peaks[b]![0] && xx === peaks[b]![1] ? 1 : 0;
      }), [2, side, side]);
      made.push(x, maps);
      const sampling = { mode: 'elem', seed: 9 } as const;
      const r = saliencyMix(x, [0, 1], maps, { numClasses: 2, ...sampling });
      const [boxes, partners] = [(await r.boxes.array()) as Box4[], await r.partners.data()];
      const { sizes } = sampleSaliencyMixParams(x.shape, sampling);
      for (let b = 0; b < 2; b++) {
        const [cy, cx] = peaks[partners[b]!]!;
        const want = expectedBox(sizes[b]!, cy, cx, side, side);
        if (boxes[b]!.join() !== want.join()) problems.push(`sample ${b} has the box [${boxes[b]}], its partner's peak at (${cy}, ${cx}) gives [${want}]`);
      }
      tf.dispose(r);
    },
    [50],
  ],
  [
    'applyMixup with lambda 0, a batch of B samples: each sample becomes its partner',
    async (n, problems, made) => {
      const x = valued([n, 1, 1], (b) => b % 1000);
      made.push(x);
      const partners = Array.from({ length: n }, (_, i) => n - 1 - i);
      const out = applyMixup(x, { partners, lambda: new Array<number>(n).fill(0) });
      const values = await out.data();
      const bad = partners.findIndex((p, i) => values[i] !== p % 1000);
      if (bad >= 0) problems.push(`sample ${bad} holds ${values[bad]}, its partner is ${partners[bad]}`);
      out.dispose();
    },
    [2048, 3000],
  ],
  [
    'attentiveCutMix on a grid of G × G cells: exactly the listed cells pasted',
    async (grid, problems, made) => {
      const cellIndex = (y: number, x: number) => Math.floor(y) * grid + Math.floor(x);
      // Sample 0 holds each pixel's cell index, sample 1 its negative less one: a value names its sample and cell.
      const x = valued([2, grid, grid], (b, y, xx) => (b === 0 ? cellIndex(y, xx) : -1 - cellIndex(y, xx)));
      const maps = tf.tensor3d(Array.from({ length: 2 * grid * grid }, (_, i) => ((i * 7919) % 4093) / 4093), [2, grid, grid]);
      made.push(x, maps);
      const r = attentiveCutMix(x, [0, 1], maps, { numClasses: 2, grid, topN: 600, seed: 2 });
      const [out, cells, lambda] = [await r.images.data(), (await r.cells.array()) as number[][], await r.lambda.data()];
      for (let b = 0; b < 2; b++) {
        const listed = new Set(cells[b]);
        if (listed.size !== 600 || cells[b]!.some((c) => !(c >= 0 && c < grid * grid))) problems.push(`sample ${b} lists ${listed.size} distinct cells, not 600 on the grid`);
        for (let c = 0; c < grid * grid; c++) {
          const got = out[b * grid * grid + c]!;
          const fromPartner = b === 0 ? got === -1 - c : got === c;
          const fromSelf = b === 0 ? got === c : got === -1 - c;
          if (listed.has(c) ? !fromPartner : !fromSelf) {
            problems.push(`sample ${b}, cell ${c} holds ${got} (${listed.has(c) ? 'listed' : 'not listed'})`);
            break;
          }
        }
        if (Math.abs(lambda[b]! - (1 - 600 / (grid * grid))) > 2 ** -10) problems.push(`lambda ${lambda[b]} is not the share 600 cells leave`);
      }
      tf.dispose(r);
    },
    [45, 46],
  ],
  ['mixup with class ids up to K − 1: the labels of both classes', (k, problems, made) => mixTwoClasses(k, [0, k - 1], problems, made), [2048, 3000]],
  [
    'mixup with one-hot labels of K classes (exact at any K)',
    (k, problems, made) => {
      const rows = new Float32Array(2 * k);
      [rows[0], rows[2 * k - 1]] = [1, 1]; // made on the host: tf.oneHot itself would round k − 1
      const y = tf.tensor2d(rows, [2, k]);
      made.push(y);
      return mixTwoClasses(k, y, problems, made);
    },
    [4000],
  ],
  [
    'cutMix on images of H pixels a side: exactly the box pasted',
    async (h, problems, made) => {
      const x = valued([2, h, 1], (b, y) => (b === 0 ? y : -1 - y));
      made.push(x);
      const r = cutMix(x, [0, 1], { numClasses: 2, seed: 4, minMax: [0.3, 0.6] });
      const [out, boxes] = [await r.images.data(), (await r.boxes.array()) as number[][]];
      for (let b = 0; b < 2; b++) {
        const [y0, , y1] = boxes[b]!;
        // Sample 0 holds y and sample 1 −1 − y: a row holds y where it is sample 1's pasted or sample 0's own.
        const bad = Array.from({ length: h }, (_, y) => y).find((y) => out[b * h + y] !== ((y >= y0! && y < y1!) === (b === 1) ? y : -1 - y));
        if (bad !== undefined) problems.push(`sample ${b} row ${bad} holds ${out[b * h + bad]}, box [${boxes[b]}]`);
      }
      tf.dispose(r);
    },
    [2048, 2049],
  ],
  [
    'attentiveCutMix with attention maps of h rows: the top cells of each partner',
    async (h, problems, made) => {
      const x = tf.zeros([2, 4, 4, 1]);
      made.push(x);
      // On a 2 × 2 grid, map 0 is 1 on the last row of the top cell row and map 1 on the first row
      // of the bottom one, 0 elsewhere: a boundary between them rounded by a row shows.
      const edges = cellEdges(h, 2);
      const maps = tf.tensor3d(Array.from({ length: 2 * h * 2 }, (_, i) => {
        const [b, y] = [Math.floor(i / (2 * h)), Math.floor((i % (2 * h)) / 2)];
        return y === (b === 0 ? edges[1]! - 1 : edges[1]!) ? 1 : 0;
      }), [2, h, 2]);
      made.push(maps);
      const r = attentiveCutMix(x, [0, 1], maps, { numClasses: 2, grid: 2, topN: 2, seed: 5 });
      const [cells, partners] = [(await r.cells.array()) as number[][], await r.partners.data()];
      for (let b = 0; b < 2; b++) {
        const want = partners[b] === 0 ? [0, 1] : [2, 3];
        if (cells[b]!.join() !== want.join()) problems.push(`sample ${b} pastes cells [${cells[b]}], its partner's map ranks [${want}] first`);
      }
      tf.dispose(r);
    },
    [2048, 4099],
  ],
];

/** Runs every probe at the limit and past it on the current backend. */
export async function runLimits(): Promise<LimitReport[]> {
  const reports: LimitReport[] = [];
  for (const [name, probe, [limit, past]] of PROBES) {
    for (const size of past === undefined ? [limit] : [limit, past]) {
      reports.push(await attempt(`${name}, at ${size}`, size === past, (problems, made) => probe(size, problems, made)));
    }
  }
  return reports;
}
