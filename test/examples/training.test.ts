// The training example, run end to end as a user runs it (tsx, the wasm backend, tf.data,
// tfjs-layers and the library's mixDataset) in a tiny configuration.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const run = promisify(execFile);

/** Runs the script; resolves with its exit code and output whether it succeeds or not. */
async function train(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [tsx, 'examples/training/train.ts', ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const error = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof error.code === 'number' ? error.code : -1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' };
  }
}

/** The accuracy cells of the final table, by method. */
function table(stdout: string): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  const start = stdout.indexOf('Validation accuracy');
  for (const line of stdout.slice(start).split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length === 7 && /^[a-z][a-z-]*$/.test(cells[1]!) && cells[1] !== 'method') rows.set(cells[1]!, cells.slice(2, 5).map(Number));
  }
  return rows;
}

const scratch = mkdtempSync(join(tmpdir(), 'training-example-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('examples/training/train.ts', () => {
  it('trains a model with every method on generated images and prints a validation accuracy for each', async () => {
    const { code, stdout, stderr } = await train('--epochs', '1', '--samples', '64', '--val', '32');
    expect(stderr.replace(/^npm warn.*\n?/gm, '')).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Data: generated shapes .* 64 training and 32 validation images of 32×32, 6 classes/);
    expect(stdout).toMatch(/backend wasm/);
    const rows = table(stdout);
    expect([...rows.keys()]).toEqual(['none', 'mixup', 'cutmix', 'oneof', 'resizemix', 'saliencymix', 'fmix', 'cutmix-same-area', 'attentive-saliency', 'attentive-cam', 'attentive-teacher', 'attentive-teacher-beta', 'attentive-least', 'attentive-random']);
    for (const [method, [last, best, mean]] of rows) {
      for (const value of [last!, best!, mean!]) expect(value >= 0 && value <= 1, `${method}: ${value}`).toBe(true);
      expect(stdout).toContain(`  ${method.padEnd(9)} epoch 1/1  loss `);
    }
    expect(stdout).toMatch(/teacher: trained in .* s \(val acc .*\), saved to .*, maps precomputed in .* s/);
    expect(stdout).not.toMatch(/tensors still allocated/);
  });

  it('trains on CIFAR-10 files with --cifar', async () => {
    const folder = mkdtempSync(join(scratch, 'cifar-'));
    const record = (label: number, n: number) => {
      const bytes = Buffer.alloc(3073);
      bytes[0] = label;
      for (let i = 1; i < 3073; i++) bytes[i] = (n * 31 + i * 7) % 256;
      return bytes;
    };
    const file = (first: number, count: number) => Buffer.concat(Array.from({ length: count }, (_, i) => record((first + i) % 10, first + i)));
    for (let b = 1; b <= 5; b++) writeFileSync(join(folder, `data_batch_${b}.bin`), file(b * 100, 8));
    writeFileSync(join(folder, 'test_batch.bin'), file(0, 16));
    const { code, stdout } = await train('--cifar', folder, '--method', 'cutmix', '--epochs', '2', '--samples', '32', '--val', '16', '--batch-size', '16');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Data: CIFAR-10 from .*: 32 training images \(of 50000\), 16 test images for validation, 10 classes/);
    expect(stdout).toContain('  cutmix    epoch 2/2');
    expect([...table(stdout).keys()]).toEqual(['cutmix']);
  });

  it('trains on Fashion-MNIST files with --fashion-mnist: validation held out of the training files, the test set reported', async () => {
    const folder = mkdtempSync(join(scratch, 'fashion-'));
    const idx = (magic: number, dims: number[], data: (i: number) => number) => {
      const header = Buffer.alloc(4 + 4 * dims.length);
      header.writeUInt32BE(magic, 0);
      dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
      return gzipSync(Buffer.concat([header, Uint8Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => data(i))]));
    };
    for (const [prefix, count] of [['train', 48], ['t10k', 16]] as const) {
      writeFileSync(join(folder, `${prefix}-images-idx3-ubyte.gz`), idx(2051, [count, 28, 28], (i) => (i * 13) % 256));
      writeFileSync(join(folder, `${prefix}-labels-idx1-ubyte.gz`), idx(2049, [count], (i) => i % 10));
    }
    const args = ['--fashion-mnist', folder, '--epochs', '2', '--samples', '32', '--val', '16', '--batch-size', '16', '--cam-warmup', '1', '--label-mode', 'attention'];
    const { code, stdout, stderr } = await train(...args, '--method', 'attentive-cam,attentive-teacher');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Data: Fashion-MNIST from .*: 32 training images \(the first of the training files\), 16 validation images \(the last of the training files, held out\), 16 test images \(t10k, reported only\), 10 classes/);
    expect(stdout).toMatch(/attentive grid 7 top 6, attention labels, CAM after 1 epochs of cutMix/);
    expect(stdout).toMatch(/  attentive-cam epoch 2\/2  loss .*  val acc .*  test acc /);
    expect([...table(stdout).keys()]).toEqual(['attentive-cam', 'attentive-teacher']);
    expect(stdout).not.toMatch(/tensors still allocated/);
    const overlap = await train(...args, '--samples', '40');
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toMatch(/--samples 40 and --val 16 together exceed the 48 training images/);
  });

  it('exits with status 1 and one clear line on a bad argument or a missing CIFAR-10 folder', async () => {
    const bad = await train('--method', 'cutMix');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^train\.ts: --method must be one of none, mixup, cutmix, oneof, resizemix, saliencymix, fmix, cutmix-same-area, attentive-saliency, attentive-cam, attentive-teacher, attentive-teacher-beta, attentive-least, attentive-random, all \(or a comma-separated list of them\), but got 'cutMix'\.$/m);
    const missing = await train('--cifar', join(scratch, 'nowhere'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^train\.ts: CIFAR-10 folder '.*nowhere' does not exist\.$/m);
  });
});
