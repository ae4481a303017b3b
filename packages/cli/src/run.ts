// The command line's work: `attentive-cutmix preview` from parsed options to a written PNG, with
// every failure reported as one clear line (no stack trace) and an exit code.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { type AttentionExtractor, type FeatureNode, type ModelAttentionExtractor, listFeatureNodes, loadAttentionExtractor, saliencyExtractor } from 'attentive-cutmix';

import { type NodesOptions, type PreviewOptions, USAGE, parseArgs } from './args.js';
import { type BackendImporter, type BackendName, loadBackend } from './backend.js';
import type { RgbImage } from './canvas.js';
import { CliError, errorMessage } from './errors.js';
import { charsThatFit } from './font.js';
import { type GridLayout, displayScale, renderGrid } from './grid.js';
import { collectImageFiles, decodeImageFile, imageName, squareResize } from './images.js';
import { ATTENTION_METHODS, METHOD_FUNCTIONS, type MixOutcome, attentionMaps, imagesToTensor, previewRows, runMethod, summarizeOutcome } from './preview.js';

/** Where the command line writes; replaceable in tests. */
export interface CliIo {
  /** Normal output (stdout). */
  out(text: string): void;
  /** Errors and progress (stderr). */
  err(text: string): void;
  /** Whether stderr is a terminal (progress then rewrites one line). */
  isTTY?: boolean;
  /** Imports a tfjs backend package (tests replace it). */
  importBackend?: BackendImporter;
}

/** From this many images on, decoding reports its progress. */
export const PROGRESS_MIN_IMAGES = 8;

/**
 * Writes to `stream` until the reader of its pipe is gone (`| head`), then quietly nothing: the
 * work (the grid file) is still done, and Node does not die on the pipe's EPIPE error with a stack
 * trace, as it would without a listener.
 */
function pipeWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed = true;
  });
  return (text) => void (closed || stream.write(text));
}

function processIo(): CliIo {
  const [out, err] = [pipeWriter(process.stdout), pipeWriter(process.stderr)];
  return {
    out: (text) => out(`${text}\n`),
    err: (text) => err(text.endsWith('\r') ? text : `${text}\n`),
    isTTY: Boolean(process.stderr.isTTY),
  };
}

/** Runs the command line with `argv` (the arguments after the program name) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const parsed = parseArgs(argv);
    if (parsed.command === 'help') {
      io.out(USAGE);
      return 0;
    }
    if (parsed.command === 'nodes') await listNodes(parsed.options, io);
    else await preview(parsed.options, io);
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`attentive-cutmix: ${e.message}`);
      if (e.exitCode === 2) io.err("Run 'attentive-cutmix --help' for usage.");
      return e.exitCode;
    }
    // Anything else (an error from tfjs, a bug): still one line, the stack only when asked for.
    io.err(`attentive-cutmix: ${errorMessage(e)}`);
    if (process.env.ATTENTIVE_CUTMIX_DEBUG) io.err(String((e as Error)?.stack));
    return 1;
  }
}

/** What {@link preview} did. */
export interface PreviewReport {
  outPath: string;
  files: string[];
  names: string[];
  backend: BackendName;
  /** The images as they were mixed (after cropping and resizing). */
  images: RgbImage[];
  outcome: MixOutcome;
  layout: GridLayout;
}

/** Reads the images, mixes them and writes the grid. Failures are {@link CliError}s naming the file or option. */
export async function preview(options: PreviewOptions, io: CliIo): Promise<PreviewReport> {
  const say = options.quiet ? () => {} : io.out;
  const all = await collectImageFiles(options.inputs);
  if (all.length < 2) throw new CliError(`preview needs at least 2 images to mix, but got ${all.length} ('${all[0]}')`);
  const files = all.slice(0, options.limit);
  if (files.length < all.length) say(`using the first ${files.length} of ${all.length} images (--limit ${options.limit})`);
  const backend = await loadBackend(options.backend, io.importBackend);

  const before = tf.memory().numTensors;
  let extractor: AttentionExtractor | undefined;
  let attentionName = 'saliency (built-in saliencyExtractor)';
  if (ATTENTION_METHODS.includes(options.method)) {
    if (options.model) {
      try {
        const loaded = await loadAttentionExtractor(resolve(options.model), {
          ...(options.featureNode ? { featureNode: options.featureNode } : {}),
          ...(options.normalization ? { normalization: options.normalization } : {}),
        });
        extractor = loaded;
        attentionName = `feature map (${basename(dirname(resolve(options.model)))}: ${loaded.featureNode})`;
        say(`attention: ${loaded.format} ${options.model}, ${loaded.format === 'graph-model' ? 'node' : 'layer'} ${loaded.featureNode}; normalization '${loaded.normalization}': ${loaded.normalizationReason}`);
      } catch (e) {
        throw new CliError(`--model ${options.model}: ${errorMessage(e)}`);
      }
    } else {
      extractor = saliencyExtractor();
    }
  }

  let images: RgbImage[];
  let outcome: MixOutcome;
  let maps: tf.Tensor3D | undefined;
  let mapValues: Float32Array | undefined;
  const labels = files.map((_, i) => i); // every image is its own class, named after its file
  const settings = { seed: options.seed, mode: options.mode, alpha: options.alpha, topN: options.topN, grid: options.grid, ...(options.scale ? { scale: options.scale } : {}), ...(options.decay === undefined ? {} : { decay: options.decay }) };
  try {
    images = await decodeAll(files, options, io);
    const batch = imagesToTensor(images);
    try {
      maps = extractor ? attentionMaps(extractor, batch) : undefined;
      mapValues = maps ? ((await maps.data()) as Float32Array) : undefined;
      outcome = await runMethod(options.method, batch, labels, labels.length, settings, maps);
    } finally {
      tf.dispose([batch, ...(maps ? [maps] : [])]);
    }
  } finally {
    extractor?.dispose?.();
  }
  const leaked = tf.memory().numTensors - before;
  const names = files.map(imageName);

  const scale = displayScale(options.size);
  const describeSettings = {
    attentive: `top ${options.topN} of ${options.grid}×${options.grid} cells`,
    resizemix: options.scale ? `scale ${options.scale.join('–')}` : 'the default scale',
    fmix: `alpha ${options.alpha}${options.decay === undefined ? '' : `, decay ${options.decay}`}`,
  }[options.method as string] ?? `alpha ${options.alpha}`;
  const rows = previewRows({
    images,
    labels,
    classNames: names,
    sampleCaptions: names.map((n, i) => `#${i} ${n}`),
    outcomes: [outcome],
    outcomeTitles: [`${METHOD_FUNCTIONS[options.method]} (${describeSettings}, mode ${options.mode}); λ is the weight of x[i]`],
    ...(maps && mapValues ? { attention: { maps: mapValues, height: maps.shape[1], width: maps.shape[2], name: attentionName } } : {}),
    settings,
    captionChars: charsThatFit(options.size * scale),
  });
  const { canvas, layout } = renderGrid(rows, {
    scale,
    columns: options.columns,
    header: [
      `attentive-cutmix preview: ${METHOD_FUNCTIONS[options.method]}`,
      `${files.length} images at ${options.size}×${options.size} px, ${describeSettings}, seed ${options.seed}, mode ${options.mode}, backend ${backend}`,
    ],
  });
  const outPath = resolve(options.out);
  try {
    await mkdir(dirname(outPath), { recursive: true });
    await writeFile(outPath, canvas.toPng());
  } catch (e) {
    throw new CliError(`cannot write '${options.out}': ${errorMessage(e)}`);
  }

  say(`${METHOD_FUNCTIONS[options.method]} on ${files.length} images (${options.size}×${options.size} px), ${describeSettings}, seed ${options.seed}, mode ${options.mode}, backend ${backend}`);
  for (const line of summarizeOutcome(outcome, labels, names, names.map((n, i) => `#${i} ${n}`))) say(line);
  if (leaked !== 0) say(`note: ${leaked} tensors were left allocated`);
  say(`wrote ${options.out} (${layout.width} × ${layout.height} px)`);
  return { outPath, files, names, backend, images, outcome, layout };
}

/** Lists a model's candidate feature nodes, the default marked, and its default normalisation. */
export async function listNodes(options: NodesOptions, io: CliIo): Promise<FeatureNode[]> {
  await loadBackend(options.backend, io.importBackend);
  const source = resolve(options.model);
  const size = options.inputSize ? { inputSize: options.inputSize } : {};
  let nodes: FeatureNode[];
  let extractor: ModelAttentionExtractor | undefined;
  try {
    extractor = await loadAttentionExtractor(source, size);
    nodes = await listFeatureNodes(extractor.model, size); // the model loaded once
  } catch (e) {
    throw new CliError(`${options.model}: ${errorMessage(e)}`);
  } finally {
    extractor?.dispose();
  }
  const what = extractor.format === 'graph-model' ? 'node' : 'layer';
  io.out(`${options.model}: a ${extractor.format} taking ${extractor.inputSize.join('×')} images; ${nodes.length} ${what}s with a spatial output:`);
  const [nameWidth, opWidth] = [Math.max(...nodes.map((n) => n.shortName.length)), Math.max(...nodes.map((n) => n.op.length))];
  for (const node of nodes) {
    const mark = node.name === extractor.featureNode ? '   ← the default --feature-node' : '';
    io.out(`  ${node.shortName.padEnd(nameWidth)}  ${node.op.padEnd(opWidth)}  [${node.shape.join(', ')}]${mark}`);
  }
  io.out(`normalization '${extractor.normalization}': ${extractor.normalizationReason}`);
  return nodes;
}

/** Decodes and resizes every file, reporting progress on stderr for long batches. */
async function decodeAll(files: readonly string[], options: PreviewOptions, io: CliIo): Promise<RgbImage[]> {
  const progress = !options.quiet && files.length >= PROGRESS_MIN_IMAGES;
  const step = Math.max(1, Math.ceil(files.length / 10));
  const images: RgbImage[] = [];
  for (const [k, file] of files.entries()) {
    images.push(squareResize(await decodeImageFile(file), options.size));
    const done = k + 1;
    if (progress && io.isTTY) io.err(`decoding images: ${done}/${files.length}${done === files.length ? '' : '\r'}`);
    else if (progress && (done % step === 0 || done === files.length)) io.err(`decoding images: ${done}/${files.length}`);
  }
  return images;
}
