// The browser demo: a batch of images (generated samples, plus any PNG or JPEG the user picks or
// drops), mixed live with attentiveCutMix, cutMix, mixup, resizeMix, saliencyMix or fmix on the
// best backend the browser has (webgl, else wasm, else cpu). For the selected sample it shows the
// base, its partner, the partner's attention map with the pasted cells or box outlined, and the
// result, with lambda and the mixed label. Plain TypeScript and DOM; bundled by build.mjs.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import { type AttentiveCutMixResult, type FMixResult, type LabelMode, type MixResult, attentiveCutMix, cutMix, fmix, mixup, resizeMix, saliencyExtractor, saliencyMix } from '../../src/index.js';
import { rampColor } from '../../packages/cli/src/heatmap.js';
import { SHAPE_CLASSES, makeScenes } from '../samples/scenes.js';

/** Side of every image in the batch, in pixels (the paper's 224: grid 7 gives 32-pixel cells). */
const SIZE = 224;
/** Canvas pixels per image pixel in the four panels, for crisp outlines. */
const SCALE = 2;
const SAMPLE_COUNT = 8;
const MAX_BATCH = 24;
const BACKENDS = ['webgl', 'wasm', 'cpu'];

interface Sample {
  name: string;
  classId: number;
  /** float32 RGB in [0, 1], SIZE × SIZE × 3. */
  pixels: Float32Array;
  thumb: HTMLCanvasElement;
}

type Method = 'attentiveCutMix' | 'cutMix' | 'mixup' | 'resizeMix' | 'saliencyMix' | 'fmix';
/** The methods that paste a box at the same place, outlined on the partner. */
const BOXED: readonly Method[] = ['cutMix', 'saliencyMix'];
/** A pasted region, in image pixels: `[y0, x0, y1, x1]`, half-open. */
type Rect = [number, number, number, number];

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const control = (id: string) => $<HTMLInputElement>(id);

const classes: string[] = [...SHAPE_CLASSES];
const samples: Sample[] = [];
const extractor = saliencyExtractor();
let selected = 0;
let batch: { images: tf.Tensor4D; labels: tf.Tensor1D } | undefined;
let renders = 0;

// ---------------------------------------------------------------------------------------------
// Start-up: backend, samples, controls.

async function start(): Promise<void> {
  await nextPaint(); // the page's 'Starting…' first
  setWasmPaths(new URL('wasm/', location.href).href);
  tf.env().set('PROD', true);
  const backend = await pickBackend();
  const badge = $('backend');
  badge.dataset.backend = backend;
  badge.textContent = `backend: ${backend}`;
  if (backend === 'wasm') badge.textContent += (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) ? ' (threaded)' : ' (single thread)';
  // The first ops compile the backend's programs, blocking the page: on webgl without a GPU, for
  // seconds. Say so, and let it be drawn, before they start.
  $('status').textContent = backend === 'webgl' ? 'Working: the first mix compiles its WebGL shaders, which takes a few seconds without a GPU…' : 'Working…';
  await nextPaint();

  const scenes = makeScenes(SAMPLE_COUNT, SIZE, 5);
  const all = await scenes.images.data();
  scenes.images.dispose();
  scenes.labels.forEach((label, b) => {
    const pixels = all.slice(b * SIZE * SIZE * 3, (b + 1) * SIZE * SIZE * 3) as Float32Array;
    samples.push({ name: `${SHAPE_CLASSES[label]} ${b}`, classId: label, pixels, thumb: thumbnail(pixels) });
  });
  selected = 0;
  wireControls();
  renderBatchStrip();
  requestRender();
}

/** Resolves after the browser has drawn the page as it is now (or after 100 ms in a hidden tab, which draws nothing). */
function nextPaint(): Promise<void> {
  return new Promise((done) => {
    requestAnimationFrame(() => setTimeout(done));
    setTimeout(done, 100);
  });
}

/** The first backend of webgl, wasm, cpu that initialises (or `?backend=NAME` first). */
async function pickBackend(): Promise<string> {
  const wanted = new URLSearchParams(location.search).get('backend');
  const order = wanted ? [wanted, ...BACKENDS.filter((b) => b !== wanted)] : BACKENDS;
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // try the next one
    }
  }
  throw new Error('No TensorFlow.js backend could be initialised.');
}

function wireControls(): void {
  const pair = (rangeId: string, numberId: string) => {
    const [range, number] = [control(rangeId), control(numberId)];
    range.addEventListener('input', () => (number.value = range.value));
    number.addEventListener('input', () => (range.value = number.value));
  };
  pair('topN-range', 'topN');
  pair('alpha-range', 'alpha');
  control('grid').addEventListener('input', () => {
    const grid = control('grid').valueAsNumber;
    if (!Number.isInteger(grid) || grid < 1) return;
    const max = String(grid * grid);
    for (const id of ['topN', 'topN-range']) control(id).max = max;
    if (control('topN').valueAsNumber > grid * grid) control('topN').value = control('topN-range').value = max;
  });
  $('next-seed').addEventListener('click', () => {
    control('seed').value = String((Math.trunc(control('seed').valueAsNumber) || 0) + 1);
    requestRender();
  });
  $('controls').addEventListener('input', () => requestRender());

  const picker = document.createElement('label');
  picker.id = 'drop';
  picker.innerHTML = 'Add PNG / JPEG<br>(pick or drop)<input id="files" type="file" accept="image/png,image/jpeg" multiple>';
  picker.title = 'Pick images, or drop them anywhere on the page; they are centre-cropped and resized to 224 × 224';
  $('batch').append(picker);
  control('files').addEventListener('change', () => {
    const files = control('files').files;
    if (files) void addFiles(Array.from(files));
    control('files').value = '';
  });
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) document.body.classList.remove('dragging');
  });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    void addFiles(Array.from(e.dataTransfer?.files ?? []));
  });
}

// ---------------------------------------------------------------------------------------------
// Images the user adds: decoded by the browser, put on the device with tf.browser.fromPixels.

async function addFiles(files: File[]): Promise<void> {
  const problems: string[] = [];
  for (const file of files) {
    if (!/^image\/(png|jpeg)$/.test(file.type) && !/\.(png|jpe?g)$/i.test(file.name)) {
      problems.push(`${file.name}: not a PNG or JPEG image`);
      continue;
    }
    try {
      const pixels = await decode(file);
      const name = file.name.replace(/\.[^.]+$/, '') || 'image';
      let classId = classes.indexOf(name);
      if (classId < 0) classId = classes.push(name) - 1;
      samples.push({ name, classId, pixels, thumb: thumbnail(pixels) });
      selected = samples.length - 1;
    } catch (e) {
      problems.push(`${file.name}: could not be decoded (${(e as Error).message})`);
    }
  }
  // Keep the batch small enough to stay live: drop the oldest generated samples first.
  while (samples.length > MAX_BATCH) {
    const generated = samples.findIndex((s) => s.classId < SHAPE_CLASSES.length);
    samples.splice(generated >= 0 ? generated : 0, 1);
    selected = Math.max(0, selected - 1);
  }
  batch = disposeBatch();
  renderBatchStrip();
  requestRender(problems.join('; '));
}

/** Decodes with the browser, crops the centre square and resizes it to SIZE × SIZE in [0, 1]. */
async function decode(file: File): Promise<Float32Array> {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const resized = tf.tidy(() => {
      const rgb = tf.browser.fromPixels(img, 3);
      const [h, w] = rgb.shape;
      const side = Math.min(h, w);
      const square = tf.slice(rgb, [Math.floor((h - side) / 2), Math.floor((w - side) / 2), 0], [side, side, 3]);
      return tf.div(tf.image.resizeBilinear(tf.cast(square, 'float32'), [SIZE, SIZE]), 255);
    });
    const pixels = (await resized.data()) as Float32Array;
    resized.dispose();
    return pixels;
  } finally {
    URL.revokeObjectURL(url);
  }
}

function disposeBatch(): undefined {
  if (batch) tf.dispose([batch.images, batch.labels]);
  return undefined;
}

function currentBatch(): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  if (!batch) {
    const all = new Float32Array(samples.length * SIZE * SIZE * 3);
    samples.forEach((s, b) => all.set(s.pixels, b * SIZE * SIZE * 3));
    batch = { images: tf.tensor4d(all, [samples.length, SIZE, SIZE, 3]), labels: tf.tensor1d(samples.map((s) => s.classId), 'int32') };
  }
  return batch;
}

// ---------------------------------------------------------------------------------------------
// Rendering: every change asks for a render; renders run one at a time, and changes that come in
// meanwhile are folded into the next one.

let dirty = false;
let running = false;
let pendingMessage = '';

function requestRender(message = ''): void {
  dirty = true;
  if (message) pendingMessage = message;
  // 'loading' until the first render is drawn (its working notice shows at once), then 'busy'
  // (the notice shows only if a render takes a while).
  if (document.body.dataset.state !== 'loading') document.body.dataset.state = 'busy';
  if (!running) void renderLoop();
}

async function renderLoop(): Promise<void> {
  running = true;
  while (dirty) {
    dirty = false;
    if (document.body.dataset.state === 'loading') await nextPaint();
    const message = pendingMessage;
    pendingMessage = '';
    try {
      await render();
      $('message').textContent = message;
    } catch (e) {
      // Invalid options land here: the library's own message says what is wrong.
      $('message').textContent = (e as Error).message;
    }
    document.body.dataset.renders = String(++renders);
  }
  running = false;
  document.body.dataset.state = 'ready';
  $('status').textContent = 'Working…';
}

function options(): { method: Method; common: Record<string, unknown>; topN: number; grid: number; labelMode: string; alpha: number; scale: [number, number]; decay: number } {
  const seed = control('seed').valueAsNumber;
  return {
    method: control('method').value as Method,
    common: { numClasses: classes.length, seed: Number.isNaN(seed) ? control('seed').value : seed, mode: control('mode').value, partner: control('partner').value },
    topN: control('topN').valueAsNumber,
    grid: control('grid').valueAsNumber,
    labelMode: control('labelMode').value,
    alpha: control('alpha').valueAsNumber,
    scale: [control('scale-lo').valueAsNumber, control('scale-hi').valueAsNumber],
    decay: control('decay').valueAsNumber,
  };
}

/** Runs the method chosen on the batch, with the options of the page (the library checks them). */
function mix(opts: ReturnType<typeof options>, images: tf.Tensor4D, labels: tf.Tensor1D): MixResult {
  switch (opts.method) {
    case 'attentiveCutMix':
      return attentiveCutMix(images, labels, extractor, { ...opts.common, topN: opts.topN, grid: opts.grid, labelMode: opts.labelMode as LabelMode });
    case 'saliencyMix':
      return saliencyMix(images, labels, extractor, { ...opts.common, alpha: opts.alpha });
    case 'cutMix':
      return cutMix(images, labels, { ...opts.common, alpha: opts.alpha });
    case 'resizeMix':
      return resizeMix(images, labels, { ...opts.common, scale: opts.scale });
    case 'fmix':
      return fmix(images, labels, { ...opts.common, alpha: opts.alpha, decay: opts.decay });
    case 'mixup':
      return mixup(images, labels, { ...opts.common, alpha: opts.alpha });
  }
}

async function render(): Promise<void> {
  const started = performance.now();
  const opts = options();
  for (const label of Array.from(document.querySelectorAll<HTMLElement>('#controls label[data-for]'))) {
    label.classList.toggle('off', !label.dataset.for!.split(' ').includes(opts.method));
  }
  const { images, labels } = currentBatch();
  const result = mix(opts, images, labels);
  const i = Math.min(selected, samples.length - 1);
  try {
    const boxes = (result as { boxes?: tf.Tensor2D }).boxes;
    const [lambda, partners, labelRow, mixed, where, mask] = await Promise.all([
      result.lambda.data(),
      result.partners.data(),
      readRow(result.labels, i),
      readRow(result.images, i),
      'cells' in result ? readRow((result as AttentiveCutMixResult).cells, i) : boxes ? readRow(boxes, i) : undefined,
      'masks' in result ? readRow((result as FMixResult).masks, i) : undefined,
    ]);
    const j = partners[i]!;
    const lam = lambda[i]!;
    const isMixed = j !== i && lam < 1;
    const attention = await attentionMap(images, j);

    let rects: Rect[] = [];
    let cells: number[] = [];
    if (opts.method === 'attentiveCutMix' && where) {
      cells = [...where].filter((c) => c >= 0);
      rects = cells.map((c) => cellRect(c, opts.grid));
    } else if (boxes && where && where[2]! > where[0]! && where[3]! > where[1]!) {
      rects = [[where[0]!, where[1]!, where[2]!, where[3]!]];
    }
    const onPartner = opts.method === 'attentiveCutMix' || BOXED.includes(opts.method) ? rects : []; // resizeMix's box holds the whole partner, scaled

    drawImage($('base'), samples[i]!.pixels);
    drawImage($('partner-image'), samples[j]!.pixels);
    outline($('partner-image'), onPartner, '#ffffff', false);
    drawAttention($('attention'), samples[j]!.pixels, attention, opts.method === 'attentiveCutMix' ? opts.grid : 0, opts.method === 'saliencyMix' || opts.method === 'attentiveCutMix' ? rects : []);
    $('attention').dataset.outlinedCells = String(opts.method === 'attentiveCutMix' ? rects.length : 0);
    $('attention').dataset.cells = JSON.stringify(cells);
    drawImage($('result'), mixed as Float32Array);
    outline($('result'), rects, '#ffffff', true);

    const maskPixels = mask ? [...mask].filter(Boolean).length : 0;
    captions(opts, i, j, isMixed, cells, rects);
    summary(opts, i, j, lam, isMixed, labelRow as Float32Array, cells, rects, maskPixels);
    for (const [b, s] of samples.entries()) {
      s.thumb.classList.toggle('base', b === i);
      s.thumb.classList.toggle('partner', b === j && b !== i);
    }
  } finally {
    tf.dispose(result);
  }
  const footer = $('footer');
  footer.dataset.tensors = String(tf.memory().numTensors);
  footer.textContent =
    `Batch of ${samples.length} images, ${SIZE} × ${SIZE} · attention: built-in saliencyExtractor() · ` +
    `render ${Math.round(performance.now() - started)} ms on ${tf.getBackend()} · tensors in memory: ${tf.memory().numTensors}`;
}

/** Row `i` of a tensor, read without blocking the device. */
async function readRow(t: tf.Tensor, i: number): Promise<tf.TypedArray> {
  const row = tf.tidy(() => tf.gather(t, [i]));
  try {
    return await row.data();
  } finally {
    row.dispose();
  }
}

/** The attention map of sample `j`, as the extractor gives it (channels averaged if any). */
async function attentionMap(images: tf.Tensor4D, j: number): Promise<{ values: Float32Array; h: number; w: number }> {
  const map = tf.tidy(() => {
    const m = extractor.extract(tf.slice(images, [j, 0, 0, 0], [1, SIZE, SIZE, 3]));
    return (m.rank === 4 ? tf.mean(m, 3) : m) as tf.Tensor3D;
  });
  try {
    return { values: (await map.data()) as Float32Array, h: map.shape[1], w: map.shape[2] };
  } finally {
    map.dispose();
  }
}

/** Cell `c` (r·grid + c) of the grid, with the library's partition: ⌊r·H/grid⌋ ≤ y < ⌊(r+1)·H/grid⌋. */
function cellRect(cell: number, grid: number): Rect {
  const [r, c] = [Math.floor(cell / grid), cell % grid];
  const edge = (k: number) => Math.floor((k * SIZE) / grid);
  return [edge(r), edge(c), edge(r + 1), edge(c + 1)];
}

// ---------------------------------------------------------------------------------------------
// Drawing.

const scratch = document.createElement('canvas');
scratch.width = scratch.height = SIZE;

function toImageData(pixels: Float32Array | Uint8Array, width: number, height: number): ImageData {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[4 * p] = pixels[3 * p]! * 255;
    rgba[4 * p + 1] = pixels[3 * p + 1]! * 255;
    rgba[4 * p + 2] = pixels[3 * p + 2]! * 255;
    rgba[4 * p + 3] = 255;
  }
  return new ImageData(rgba, width, height);
}

function drawImage(canvas: HTMLCanvasElement, pixels: Float32Array, filter = 'none'): void {
  scratch.getContext('2d')!.putImageData(toImageData(pixels, SIZE, SIZE), 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.filter = filter;
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
  ctx.filter = 'none';
}

function thumbnail(pixels: Float32Array): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 112;
  scratch.getContext('2d')!.putImageData(toImageData(pixels, SIZE, SIZE), 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(scratch, 0, 0, 112, 112);
  return canvas;
}

/** The partner in grey under its attention map (inferno-like colours), the grid, and the chosen cells. */
function drawAttention(canvas: HTMLCanvasElement, partner: Float32Array, map: { values: Float32Array; h: number; w: number }, grid: number, rects: Rect[]): void {
  drawImage(canvas, partner, 'grayscale(1)');
  const ctx = canvas.getContext('2d')!;
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of map.values) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const span = hi > lo ? hi - lo : 1;
  const heat = new Float32Array(map.h * map.w * 3);
  map.values.forEach((v, p) => heat.set(rampColor(Number.isFinite(v) ? (v - lo) / span : 0), 3 * p));
  const small = document.createElement('canvas');
  [small.width, small.height] = [map.w, map.h];
  small.getContext('2d')!.putImageData(toImageData(heat, map.w, map.h), 0, 0);
  ctx.globalAlpha = 0.78;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  ctx.globalAlpha = 1;
  if (grid > 0) {
    ctx.strokeStyle = 'rgb(255 255 255 / 0.35)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let k = 1; k < grid; k++) {
      const at = Math.floor((k * SIZE) / grid) * SCALE + 0.5;
      ctx.moveTo(at, 0);
      ctx.lineTo(at, canvas.height);
      ctx.moveTo(0, at);
      ctx.lineTo(canvas.width, at);
    }
    ctx.stroke();
  }
  outline(canvas, rects, '#ffffff', false, grid > 0);
}

/** Outlines each rectangle; with `numbered`, labels them 1, 2, … (most attended first). */
function outline(canvas: HTMLCanvasElement, rects: Rect[], colour: string, dashed: boolean, numbered = false): void {
  const ctx = canvas.getContext('2d')!;
  ctx.save();
  rects.forEach(([y0, x0, y1, x1], k) => {
    const [x, y, w, h] = [x0 * SCALE + 2, y0 * SCALE + 2, (x1 - x0) * SCALE - 4, (y1 - y0) * SCALE - 4];
    ctx.setLineDash([]);
    ctx.lineWidth = 5;
    ctx.strokeStyle = 'rgb(0 0 0 / 0.55)';
    ctx.strokeRect(x, y, w, h);
    ctx.setLineDash(dashed ? [10, 6] : []);
    ctx.lineWidth = 3;
    ctx.strokeStyle = colour;
    ctx.strokeRect(x, y, w, h);
    if (numbered && w > 18 && h > 18) {
      ctx.font = `bold ${Math.min(22, Math.max(12, Math.floor(h / 3)))}px system-ui, sans-serif`;
      ctx.fillStyle = '#fff';
      ctx.shadowColor = '#000';
      ctx.shadowBlur = 3;
      ctx.fillText(String(k + 1), x + 6, y + Math.min(24, Math.max(14, Math.floor(h / 3) + 4)));
      ctx.shadowBlur = 0;
    }
  });
  ctx.restore();
}

// ---------------------------------------------------------------------------------------------
// Text.

function renderBatchStrip(): void {
  const strip = $('batch');
  strip.dataset.samples = String(samples.length);
  const picker = $('drop');
  strip.replaceChildren(
    ...samples.map((s, b) => {
      s.thumb.title = `sample ${b}: ${s.name} (class “${classes[s.classId]}”) — click to make it the base`;
      s.thumb.onclick = () => {
        selected = b;
        requestRender();
      };
      return s.thumb;
    }),
    picker,
  );
}

const escape = (text: string) => text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
const sampleName = (b: number) => `sample ${b} · <b>${escape(classes[samples[b]!.classId]!)}</b>`;

function captions(opts: ReturnType<typeof options>, i: number, j: number, isMixed: boolean, cells: number[], rects: Rect[]): void {
  $('base-caption').innerHTML = `Base: ${sampleName(i)}`;
  $('partner-caption').innerHTML = `Partner: ${sampleName(j)}${rects.length ? ' — pasted part outlined' : ''}`;
  $('attention-caption').innerHTML =
    opts.method === 'attentiveCutMix'
      ? `Partner's attention (saliency), ${opts.grid} × ${opts.grid} grid; <b>${cells.length}</b> most attended cell${cells.length === 1 ? '' : 's'} outlined`
      : opts.method === 'saliencyMix'
        ? `Partner's attention (saliency)${rects.length ? '; the box centred on its peak outlined' : ''}`
        : `Partner's attention (saliency); ${opts.method} does not use it`;
  $('result-caption').innerHTML = isMixed ? `Result: ${opts.method} of sample ${i} and sample ${j}` : `Result: sample ${i} unchanged (not mixed)`;
}

function summary(opts: ReturnType<typeof options>, i: number, j: number, lambda: number, isMixed: boolean, labelRow: Float32Array, cells: number[], rects: Rect[], maskPixels: number): void {
  const box = $('summary');
  box.dataset.lambda = String(lambda);
  box.dataset.partner = String(j);
  const pasted = rects.reduce((sum, [y0, x0, y1, x1]) => sum + (y1 - y0) * (x1 - x0), 0);
  let how: string;
  if (!isMixed) {
    how = j === i ? `sample ${i} is paired with itself (partner strategy '${opts.common.partner}'), so it is returned unchanged` : 'not mixed';
  } else if (opts.method === 'attentiveCutMix') {
    how = `${cells.length} of ${opts.grid * opts.grid} cells of the partner pasted (cells ${cells.join(', ')}): ${pasted} of ${SIZE * SIZE} pixels`;
  } else if (BOXED.includes(opts.method)) {
    const [y0, x0, y1, x1] = rects[0] ?? [0, 0, 0, 0];
    how = `box rows ${y0}–${y1}, columns ${x0}–${x1} of the partner pasted${opts.method === 'saliencyMix' ? ', centred on its saliency peak' : ''}: ${pasted} of ${SIZE * SIZE} pixels`;
  } else if (opts.method === 'resizeMix') {
    const [y0, x0, y1, x1] = rects[0] ?? [0, 0, 0, 0];
    how = `the whole partner scaled down into rows ${y0}–${y1}, columns ${x0}–${x1}: ${pasted} of ${SIZE * SIZE} pixels`;
  } else if (opts.method === 'fmix') {
    how = `${maskPixels} of ${SIZE * SIZE} pixels from the partner, through a mask of low-frequency noise`;
  } else {
    how = `result = ${lambda.toFixed(4)} · base + ${(1 - lambda).toFixed(4)} · partner`;
  }
  const weights = [...labelRow].map((w, k) => ({ w, k })).filter(({ w }) => w > 0).sort((a, b) => b.w - a.w);
  const [baseClass, partnerClass] = [samples[i]!.classId, samples[j]!.classId];
  const role = (k: number) => (k === baseClass && k === partnerClass ? 'base and partner' : k === baseClass ? 'base' : k === partnerClass ? 'partner' : '');
  const bars = weights
    .map(({ w, k }) => `<span>${escape(classes[k]!)} <span class="muted">${role(k)}</span></span><span><span class="bar${k === baseClass ? '' : ' partner'}" style="display:block;width:${(100 * w).toFixed(2)}%"></span></span><span>${(100 * w).toFixed(1)}%</span>`)
    .join('');
  const labelNote =
    opts.method === 'attentiveCutMix' && opts.labelMode === 'attention'
      ? ' <span class="muted">(labelMode “attention”: the partner weighs its share of the attention mass that was pasted, not 1 − λ)</span>'
      : '';
  box.innerHTML =
    `<div class="lambda">λ = <b>${lambda.toFixed(6)}</b> <span class="muted">— the base keeps ${(100 * lambda).toFixed(1)}%; ${escape(how)}</span></div>` +
    `<div>Mixed label${labelNote}:</div><div class="bars">${bars}</div>`;
}

start().catch((e: unknown) => {
  $('message').textContent = `The demo could not start: ${(e as Error).message}`;
  document.body.dataset.state = 'failed';
});
