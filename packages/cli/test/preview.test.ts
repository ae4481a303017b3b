// `attentive-cutmix preview` end to end (in-process; wasm, the default, unless a test picks cpu): the grid it writes has
// the size its layout says, its result images hold exactly the mixed pixels, and every failure is
// one clear line with a non-zero exit code.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseArgs } from '../src/args.js';
import { loadBackend } from '../src/backend.js';
import { CliError } from '../src/errors.js';
import { COLORS, cellRect } from '../src/grid.js';
import { type PreviewReport, preview, runCli } from '../src/run.js';
import { readPng, recordingIo, rgba, samplePixels, scratchDir, writeJpeg, writePng } from './helpers.js';

const SIZE = 32;
const root = resolve(import.meta.dirname, '../../..');
let dir: string;
let remove: () => void;
let pngs: string[];

beforeAll(async () => {
  ({ dir, remove } = scratchDir());
  mkdirSync(join(dir, 'in'));
  pngs = Array.from({ length: 4 }, (_, i) => join(dir, 'in', `sample${i}.png`));
  pngs.forEach((path, i) => writePng(path, SIZE, SIZE, samplePixels(i, SIZE)));
  await loadBackend('cpu');
});
afterAll(() => remove());

/** Runs preview with the given arguments and returns its report and the PNG it wrote. */
async function runPreview(args: string[]): Promise<{ report: PreviewReport; png: ReturnType<typeof readPng>; io: ReturnType<typeof recordingIo> }> {
  const parsed = parseArgs(['preview', ...args]);
  if (parsed.command !== 'preview') throw new Error('not a preview');
  const io = recordingIo();
  const report = await preview(parsed.options, io);
  return { report, png: readPng(readFileSync(report.outPath)), io };
}

/** The output PNG's pixel at (x, y) of the result image of `sample`, which is enlarged `scale` times. */
function resultPixel(png: ReturnType<typeof readPng>, report: PreviewReport, sample: number, x: number, y: number): number[] {
  const { layout } = report;
  const origin = layout.tileOrigin(`result:${report.outcome.method}`, sample);
  const [px, py] = [origin.x + x * layout.scale + Math.floor(layout.scale / 2), origin.y + y * layout.scale + Math.floor(layout.scale / 2)];
  const k = (py * png.width + px) * 4;
  return Array.from(png.data.subarray(k, k + 3));
}

const inputPixel = (sample: number, x: number, y: number) => Array.from(samplePixels(sample, SIZE).subarray((y * SIZE + x) * 4, (y * SIZE + x) * 4 + 3));

describe('preview', () => {
  it.each(['cpu', 'wasm'])('attentive on %s: the result images hold the partner\'s pixels in the pasted cells and their own elsewhere', async (backend) => {
    const out = join(dir, `attentive-${backend}.png`);
    const { report, png, io } = await runPreview([...pngs, '--size', String(SIZE), '--grid', '4', '--top-n', '3', '--seed', '5', '--backend', backend, '--out', out]);
    expect([png.width, png.height]).toEqual([report.layout.width, report.layout.height]);
    expect(report.layout.scale).toBe(4); // 32-pixel images are drawn 4 times larger
    const { partners, cells, lambda } = report.outcome;
    expect(partners.some((p, i) => p !== i)).toBe(true);
    let pasted = 0;
    for (let i = 0; i < pngs.length; i++) {
      const rects = cells![i]!.filter((c) => c >= 0).map((c) => cellRect(c, 4, SIZE, SIZE));
      expect(rects.length).toBe(partners[i] === i ? 0 : 3);
      let fromPartner = 0;
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          const inside = rects.some(([y0, x0, y1, x1]) => y >= y0 && y < y1 && x >= x0 && x < x1);
          fromPartner += inside ? 1 : 0;
          expect(resultPixel(png, report, i, x, y)).toEqual(inputPixel(inside ? partners[i]! : i, x, y));
        }
      }
      expect(lambda[i]).toBeCloseTo(1 - fromPartner / (SIZE * SIZE), 6);
      pasted += fromPartner;
    }
    expect(pasted).toBeGreaterThan(0);
    expect(io.stdout.at(-1)).toBe(`wrote ${out} (${png.width} × ${png.height} px)`);
    expect(io.stdout[0]).toBe(`attentiveCutMix on 4 images (32×32 px), top 3 of 4×4 cells, seed 5, mode elem, backend ${backend}`);
  });

  it('mixup: the result images are lambda-weighted blends of the two images', async () => {
    const { report, png } = await runPreview([join(dir, 'in'), '--method', 'mixup', '--size', String(SIZE), '--alpha', '0.7', '--out', join(dir, 'mixup.png')]);
    expect([png.width, png.height]).toEqual([report.layout.width, report.layout.height]);
    const { partners, lambda } = report.outcome;
    for (let i = 0; i < 4; i++) {
      for (const [x, y] of [[0, 0], [5, 17], [31, 31], [20, 3]] as const) {
        const [a, b] = [inputPixel(i, x, y), inputPixel(partners[i]!, x, y)];
        const expected = a.map((v, c) => lambda[i]! * v + (1 - lambda[i]!) * b[c]!);
        resultPixel(png, report, i, x, y).forEach((v, c) => expect(Math.abs(v - expected[c]!)).toBeLessThanOrEqual(1));
      }
    }
  });

  it('cutmix: the result images hold the partner\'s pixels inside the box, and the partner row outlines it', async () => {
    const { report, png } = await runPreview([...pngs, '--method', 'cutmix', '--mode', 'batch', '--size', String(SIZE), '--seed', '2', '--out', join(dir, 'cutmix.png')]);
    const { partners, boxes } = report.outcome;
    for (let i = 0; i < 4; i++) {
      const [y0, x0, y1, x1] = boxes![i]!;
      for (let y = 0; y < SIZE; y += 3) {
        for (let x = 0; x < SIZE; x += 3) {
          const inside = y >= y0! && y < y1! && x >= x0! && x < x1!;
          expect(resultPixel(png, report, i, x, y)).toEqual(inputPixel(inside ? partners[i]! : i, x, y));
        }
      }
      if (y1! > y0! && x1! > x0!) {
        const origin = report.layout.tileOrigin('partner', i);
        const k = ((origin.y + y0! * report.layout.scale) * png.width + origin.x + x0! * report.layout.scale) * 4;
        expect(Array.from(png.data.subarray(k, k + 3))).toEqual([...COLORS.outline]);
      }
    }
  });

  it('resizemix: outside the box the result images keep their own pixels, inside it the partner shrinks; the summary gives the box', async () => {
    const { report, png, io } = await runPreview([...pngs, '--method', 'resizemix', '--scale', '0.4,0.6', '--size', String(SIZE), '--seed', '3', '--out', join(dir, 'resizemix.png')]);
    const { boxes, lambda } = report.outcome;
    for (let i = 0; i < 4; i++) {
      const [y0, x0, y1, x1] = boxes![i]!;
      expect(y1! - y0!).toBeGreaterThanOrEqual(Math.floor(0.4 * SIZE));
      expect(y1! - y0!).toBeLessThanOrEqual(Math.floor(0.6 * SIZE));
      expect(lambda[i]).toBeCloseTo(1 - ((y1! - y0!) * (x1! - x0!)) / (SIZE * SIZE), 6);
      for (let y = 0; y < SIZE; y += 3) {
        for (let x = 0; x < SIZE; x += 3) if (!(y >= y0! && y < y1! && x >= x0! && x < x1!)) expect(resultPixel(png, report, i, x, y)).toEqual(inputPixel(i, x, y));
      }
    }
    expect(io.stdout.join('\n')).toMatch(/λ \d\.\d{4} .* box \[\d+, \d+, \d+, \d+\]/);
  });

  it("saliencymix: the partner's box is pasted at the same place, and the attention row outlines it", async () => {
    const { report, png } = await runPreview([...pngs, '--method', 'saliencymix', '--size', String(SIZE), '--seed', '4', '--out', join(dir, 'saliencymix.png')]);
    const { partners, boxes } = report.outcome;
    let outlined = 0;
    for (let i = 0; i < 4; i++) {
      const [y0, x0, y1, x1] = boxes![i]!;
      for (let y = 0; y < SIZE; y += 2) {
        for (let x = 0; x < SIZE; x += 2) expect(resultPixel(png, report, i, x, y)).toEqual(inputPixel(y >= y0! && y < y1! && x >= x0! && x < x1! ? partners[i]! : i, x, y));
      }
      if (y1! > y0! && x1! > x0!) {
        const origin = report.layout.tileOrigin('attention', i);
        const k = ((origin.y + y0! * report.layout.scale) * png.width + origin.x + x0! * report.layout.scale) * 4;
        expect(Array.from(png.data.subarray(k, k + 3))).toEqual([...COLORS.outline]);
        outlined++;
      }
    }
    expect(outlined).toBeGreaterThan(0);
  });

  it('fmix: every result pixel is its own or its partner’s, as many from the partner as the summary says', async () => {
    const { report, png, io } = await runPreview([...pngs, '--method', 'fmix', '--decay', '2', '--size', String(SIZE), '--seed', '6', '--out', join(dir, 'fmix.png')]);
    const { partners, lambda, pastedPixels } = report.outcome;
    for (let i = 0; i < 4; i++) {
      let fromPartner = 0;
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          const got = resultPixel(png, report, i, x, y);
          const [own, other] = [inputPixel(i, x, y), inputPixel(partners[i]!, x, y)];
          const same = (a: number[]) => a.every((v, c) => v === got[c]);
          expect(same(own) || same(other)).toBe(true);
          if (!same(own)) fromPartner++;
        }
      }
      expect(fromPartner).toBeLessThanOrEqual(pastedPixels![i]!); // a partner pixel may equal the base's
      expect(lambda[i]).toBeCloseTo(1 - pastedPixels![i]! / (SIZE * SIZE), 6);
    }
    expect(io.stdout.join('\n')).toContain(' px from the partner');
  });

  it('resizes images of other sizes and formats to --size', async () => {
    const big = join(dir, 'big.jpg');
    writeJpeg(big, 96, 64, rgba(96, 64, () => [30, 160, 90]));
    const { report } = await runPreview([big, pngs[0]!, '--size', '16', '--grid', '4', '--top-n', '2', '--out', join(dir, 'mixed-sizes.png')]);
    expect(report.images.map((im) => [im.width, im.height])).toEqual([
      [16, 16],
      [16, 16],
    ]);
    const green = report.images[0]!.data;
    for (let k = 0; k < green.length; k += 3) expect(Math.round(green[k + 1]! * 255)).toBeGreaterThanOrEqual(158);
  });

  it('runs a converted graph model given with --model', async () => {
    const model = join(root, 'test/fixtures/models/tiny-cnn/model.json');
    const { report, io } = await runPreview([...pngs, '--model', model, '--feature-node', 'block2/Relu', '--size', String(SIZE), '--out', join(dir, 'model.png')]);
    expect(report.outcome.cells!.every((row, i) => (report.outcome.partners[i] === i ? row.every((c) => c === -1) : row.every((c) => c >= 0 && c < 49)))).toBe(true);
    expect(io.stdout.join('\n')).not.toMatch(/tensors were left allocated/);
    expect(io.stdout).toContain(`attention: graph-model ${model}, node block2/Relu; normalization 'imagenet': no scaling of the input was found inside the model before its first other node, and 'imagenet' is the default (a model that expects another input needs normalization: MobileNet and Inception take [−1, 1], 'symmetric')`);
  });

  it('nodes: lists the spatial nodes or layers of a model, marks the default, and says which normalisation it gets and why', async () => {
    const io = recordingIo();
    const graph = join(root, 'test/fixtures/models/scaled-brightness/model.json');
    expect(await runCli(['nodes', graph, '--backend', 'cpu'], io)).toBe(0);
    expect(io.stdout).toEqual([
      `${graph}: a graph-model taking 32×32 images; 4 nodes with a spatial output:`,
      '  Mul      Mul      [1, 32, 32, 3]',
      '  Sub      Sub      [1, 32, 32, 3]',
      '  Conv2D   Conv2D   [1, 32, 32, 1]',
      '  AvgPool  AvgPool  [1, 8, 8, 1]   ← the default --feature-node',
      "normalization 'unit': the model scales its input itself (Mul, Sub: x·2 − 1), from [0, 1] values",
    ]);
    const layers = recordingIo();
    const keras = join(root, 'test/fixtures/models/keras-cnn/model.json');
    expect(await runCli(['nodes', keras, '--backend', 'cpu'], layers)).toBe(0);
    expect(layers.stdout.slice(0, 4)).toEqual([
      `${keras}: a layers-model taking 32×32 images; 3 layers with a spatial output:`,
      '  conv1     Conv2D        [1, 32, 32, 4]',
      '  pool1     MaxPooling2D  [1, 16, 16, 4]',
      '  features  Conv2D        [1, 16, 16, 8]   ← the default --feature-node',
    ]);
    const missing = recordingIo();
    expect(await runCli(['nodes', join(dir, 'none.json'), '--backend', 'cpu'], missing)).toBe(1);
    expect(missing.stderr[0]).toMatch(/^attentive-cutmix: .*none.json: Cannot read the model file .*none.json: ENOENT/);
  });

  it('uses only the first --limit images, says so, and reports progress on long batches', async () => {
    const many = join(dir, 'many');
    mkdirSync(many);
    for (let i = 0; i < 12; i++) writePng(join(many, `m${i}.png`), 8, 8, samplePixels(i, 8));
    const io = recordingIo();
    const code = await runCli(['preview', many, '--size', '8', '--method', 'mixup', '--limit', '10', '--out', join(dir, 'many.png')], io);
    expect(code).toBe(0);
    expect(io.stdout[0]).toBe('using the first 10 of 12 images (--limit 10)');
    expect(io.stderr).toEqual(Array.from({ length: 10 }, (_, k) => `decoding images: ${k + 1}/10`));
    const tty = recordingIo(true);
    await runCli(['preview', many, '--size', '8', '--method', 'mixup', '--quiet', '--out', join(dir, 'quiet.png')], tty);
    expect(tty.stdout).toEqual([]);
    expect(tty.stderr).toEqual([]);
    const ttyLoud = recordingIo(true);
    await runCli(['preview', many, '--size', '8', '--method', 'mixup', '--out', join(dir, 'tty.png')], ttyLoud);
    expect(ttyLoud.stderr.slice(0, 2)).toEqual(['decoding images: 1/12\r', 'decoding images: 2/12\r']);
    expect(ttyLoud.stderr.at(-1)).toBe('decoding images: 12/12');
  });

  it('leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    expect(await runCli(['preview', ...pngs, '--size', String(SIZE), '--quiet', '--out', join(dir, 'leak.png')], recordingIo())).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('runCli', () => {
  const run = async (args: string[]) => {
    const io = recordingIo();
    const code = await runCli(args, io);
    for (const line of io.stderr) expect(line).not.toMatch(/^\s+at /m); // no stack traces
    return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
  };

  it('prints the usage for no arguments, -h and --help, and exits 0', async () => {
    for (const args of [[], ['-h'], ['--help'], ['preview'], ['preview', '--help']]) {
      const { code, stdout, stderr } = await run(args);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^Usage: attentive-cutmix preview/);
      expect(stderr).toBe('');
    }
  });

  it('exits 2 on a bad option, naming it, and points at --help', async () => {
    const { code, stderr } = await run(['preview', ...pngs, '--out', join(dir, 'x.png'), '--top-n', 'six']);
    expect(code).toBe(2);
    expect(stderr).toBe("attentive-cutmix: option --top-n must be an integer from 1 to 49, but got 'six'\nRun 'attentive-cutmix --help' for usage.");
  });

  it('exits 1 on a file that cannot be read, naming it', async () => {
    const missing = join(dir, 'in', 'missing.png');
    const { code, stderr } = await run(['preview', pngs[0]!, missing, '--out', join(dir, 'x.png')]);
    expect(code).toBe(1);
    expect(stderr).toBe(`attentive-cutmix: cannot read '${missing}': no such file or folder`);
  });

  it('exits 1 on a file of another format, naming it', async () => {
    const gif = join(dir, 'in-gif.gif');
    writeFileSync(gif, Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'));
    const { code, stderr } = await run(['preview', pngs[0]!, gif, '--out', join(dir, 'x.png')]);
    expect(code).toBe(1);
    expect(stderr).toBe(`attentive-cutmix: '${gif}' is a GIF image; preview reads PNG and JPEG files only`);
  });

  it('exits 1 with fewer than 2 images', async () => {
    const { code, stderr } = await run(['preview', pngs[0]!, '--out', join(dir, 'x.png')]);
    expect(code).toBe(1);
    expect(stderr).toBe(`attentive-cutmix: preview needs at least 2 images to mix, but got 1 ('${pngs[0]}')`);
  });

  it('exits 1 on a folder with no images, naming it', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'no pictures here');
    const { code, stderr } = await run(['preview', empty, '--out', join(dir, 'x.png')]);
    expect(code).toBe(1);
    expect(stderr).toBe(`attentive-cutmix: the folder '${empty}' contains no PNG or JPEG images (files ending in .png, .jpg, .jpeg)`);
  });

  it('exits 1 on a model that cannot be loaded, naming --model', async () => {
    const { code, stderr } = await run(['preview', ...pngs, '--model', join(dir, 'nowhere', 'model.json'), '--out', join(dir, 'x.png')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^attentive-cutmix: --model .*nowhere\/model\.json: /);
  });

  it('exits 1 when the grid cannot be written, naming the file', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const { code, stderr } = await run(['preview', ...pngs, '--size', '16', '--out', join(dir, 'a-file', 'grid.png')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^attentive-cutmix: cannot write '.*a-file\/grid\.png': /);
  });

  it('writes nothing when it fails', async () => {
    const out = join(dir, 'never.png');
    await run(['preview', pngs[0]!, join(dir, 'missing.png'), '--out', out]);
    expect(() => readFileSync(out)).toThrow();
  });
});

describe('choosing a backend', () => {
  const missing = (pkg: string) => Object.assign(new Error(`Cannot find package '${pkg}' imported from /x/backend.js`), { code: 'ERR_MODULE_NOT_FOUND' });

  it('falls back to cpu when wasm is not installed', async () => {
    const tried: string[] = [];
    const name = await loadBackend(undefined, async (b) => {
      tried.push(b);
      if (b === 'wasm') throw missing('@tensorflow/tfjs-backend-wasm');
      await import('@tensorflow/tfjs-backend-cpu');
    });
    expect(tried).toEqual(['wasm', 'cpu']);
    expect(name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('names the packages to install when neither is, and the command exits 1', async () => {
    const none = async (b: string) => {
      throw missing(b === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs-backend-cpu');
    };
    const error = await loadBackend(undefined, none).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toBe(
      'no TensorFlow.js backend could be used: @tensorflow/tfjs-backend-wasm is not installed; @tensorflow/tfjs-backend-cpu is not installed. ' +
        `Install one of them next to attentive-cutmix-cli:\n  npm install @tensorflow/tfjs-backend-wasm@${tf.version_core}\n  npm install @tensorflow/tfjs-backend-cpu@${tf.version_core}`,
    );
    const io = { ...recordingIo(), importBackend: none };
    expect(await runCli(['preview', ...pngs, '--out', join(dir, 'x.png')], io)).toBe(1);
    expect(io.stderr[0]).toMatch(/^attentive-cutmix: no TensorFlow\.js backend could be used: /);
  });

  it('reports a backend package that is installed but broken as such, not as missing', async () => {
    const error = await loadBackend('wasm', async () => {
      throw new Error('bad wasm binary');
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('the backend package @tensorflow/tfjs-backend-wasm is installed but could not be loaded: bad wasm binary');
  });
});
