// Measures the two choices behind fmix's masks (src/sampling/fourier_noise.ts). Not a test: it
// prints numbers to judge, and the timings depend on the machine.
//
//   npx tsx scripts/measure-fmix.ts
//
// 1. Where the masks are made: on the host from the seeded stream (the field, then the exact
//    selection of the highest pixels), against the field alone made by tfjs's FFT on the device
//    (tf.spectral.ifft along the rows, irfft along the columns), on cpu and wasm, per batch.
// 2. What keeping only the strongest frequencies changes, and what evaluating the field exactly
//    only on a grid (bilinear between) changes on top: the share of mask pixels that differ from
//    the mask of the full spectrum at every pixel (every frequency, the same coefficients for the
//    ones both keep), at the same lambda.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import { createRng } from '../src/sampling/rng.js';
import { drawFMixParams } from '../src/sampling/fmix.js';
import { drawNoise, noiseSpectrum } from '../src/sampling/fourier_noise.js';
import { noiseField } from '../src/sampling/noise_field.js';
import { markHighest } from '../src/sampling/select_highest.js';
import type { ResolvedSampling } from '../src/sampling/params.js';

const SHAPES: [number, number][] = [
  [32, 224],
  [128, 32],
];
const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;
const median = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;

function time(runs: number, f: () => unknown): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f();
    times.push(performance.now() - start);
  }
  return median(times);
}

console.log('1. Masks per batch, host (grid, interpolation and exact selection), median ms');
for (const [batch, size] of SHAPES) {
  const [spectrum, full] = [noiseSpectrum(size, size, 3), noiseSpectrum(size, size, 3, 0)];
  for (const mode of ['elem', 'batch'] as const) {
    const sampling: ResolvedSampling = { alpha: 1, prob: 1, mode, partner: 'shuffle', rng: createRng(1) };
    const ms = time(5, () => drawFMixParams(batch, size, size, sampling, 3));
    console.log(`  [${batch}, ${size}, ${size}] ${mode}: ${ms.toFixed(1)} ms (${spectrum.amplitude.length} frequencies of ${full.amplitude.length}; exact on every ${spectrum.step === 1 ? '' : `${ordinal(spectrum.step)} `}pixel)`);
  }
}

console.log('\n   The field alone by tfjs FFT on the device ([B, H, W/2 + 1] complex spectrum → [B, H, W]), median ms');
tf.env().set('PROD', true);
for (const backend of ['wasm', 'cpu']) {
  await tf.setBackend(backend);
  await tf.ready();
  for (const [batch, size] of SHAPES) {
    const half = Math.floor(size / 2) + 1;
    const [re, im] = [tf.randomNormal([batch, half, size]), tf.randomNormal([batch, half, size])];
    const field = () =>
      tf.tidy(() => {
        const columns = tf.spectral.ifft(tf.complex(re, im)); // along H, per column frequency
        const rows = tf.transpose(columns, [0, 2, 1]) as tf.Tensor3D; // [B, H, W/2 + 1]
        return tf.spectral.irfft(rows); // [B, H, W]
      });
    const runs = backend === 'cpu' && size > 64 ? 1 : 3;
    const times: number[] = [];
    try {
      for (let i = 0; i < runs + 1; i++) {
        const start = performance.now();
        const out = field();
        await out.data();
        out.dispose();
        if (i > 0 || runs === 1) times.push(performance.now() - start);
      }
      console.log(`  ${backend} [${batch}, ${size}, ${size}]: ${median(times).toFixed(0)} ms (no selection yet)`);
    } catch (e) {
      console.log(`  ${backend} [${batch}, ${size}, ${size}]: cannot run (${(e as Error).message})`);
    }
    tf.dispose([re, im]);
  }
}

console.log("\n2. Mask pixels that differ from the full spectrum's at every pixel (same coefficients), δ = 3 and others");
for (const [decay, size] of [
  [3, 224],
  [3, 32],
  [3, 96],
  [2, 224],
  [1, 64],
] as const) {
  const full = noiseSpectrum(size, size, decay, 0);
  const index = new Map<string, number>();
  full.ky.forEach((ky, j) => index.set(`${ky},${full.kx[j]}`, j));
  for (const neglected of [1e-4, 1e-5, 1e-6]) {
    const kept = noiseSpectrum(size, size, decay, neglected);
    const everyPixel = { ...kept, step: 1 };
    const pixels = size * size;
    const [a, b, c] = [new Float64Array(pixels), new Float64Array(pixels), new Float64Array(pixels)];
    const [ma, mb, mc] = [new Uint8Array(pixels), new Uint8Array(pixels), new Uint8Array(pixels)];
    const rng = createRng(`fmix-${decay}-${size}`);
    let [truncated, interpolated] = [0, 0];
    const trials = 10;
    for (let t = 0; t < trials; t++) {
      const coefficients = drawNoise(rng, full);
      const subset = new Float64Array(2 * kept.amplitude.length);
      kept.ky.forEach((ky, j) => {
        const k = index.get(`${ky},${kept.kx[j]}`)!;
        subset.set(coefficients.subarray(2 * k, 2 * k + 2), 2 * j);
      });
      noiseField(full, coefficients, a);
      noiseField(everyPixel, subset, b);
      noiseField(kept, subset, c);
      const count = Math.ceil(rng.uniform() * pixels);
      markHighest(a, pixels, count, ma, 0);
      markHighest(b, pixels, count, mb, 0);
      markHighest(c, pixels, count, mc, 0);
      for (let i = 0; i < pixels; i++) [truncated, interpolated] = [truncated + (ma[i] !== mb[i] ? 1 : 0), interpolated + (ma[i] !== mc[i] ? 1 : 0)];
    }
    const cycles = Math.max(...kept.kx);
    const share = (differing: number) => `${((100 * differing) / (trials * pixels)).toFixed(3)} %`;
    const grid = kept.step === 1 ? 'no grid' : `exact on every ${ordinal(kept.step)} row and column: ${share(interpolated)}`;
    console.log(`  δ = ${decay}, ${size} × ${size}, < ${neglected} of the variance left out (and wrong between grid points): ${kept.amplitude.length} of ${full.amplitude.length} frequencies (up to ${cycles} cycles across); ${share(truncated)} of mask pixels differ; ${grid} (${trials} masks)`);
  }
}
