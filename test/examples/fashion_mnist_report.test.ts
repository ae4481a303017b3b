// scripts/fashion-mnist-report.ts on a small generated results file: the table's numbers are
// computed here again from the JSON, and the plot is a valid PNG of the expected size. Then the
// committed results: docs/results.md's table and the plot are what the script makes of the
// committed JSON, so that the three cannot drift apart.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';

const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'fashion-report-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const epochs = (seed: number, shift: number) =>
  [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, valAccuracy: 0.5 + shift + 0.1 * epoch + 0.01 * seed, testAccuracy: 0.4 + shift + 0.1 * epoch + 0.02 * seed, seconds: 2 + seed, evalSeconds: 0.5 }));
const runs = [
  ...[1, 2, 3].map((seed) => ({ method: 'none', labelMode: 'area', seed, epochs: epochs(seed, 0), secondsPerEpoch: 2 + seed })),
  ...[1, 2].map((seed) => ({ method: 'attentive-cam', labelMode: 'attention', seed, epochs: epochs(seed, 0.05), secondsPerEpoch: 4 })),
];
const results = { command: 'npm run experiment:fashion-mnist', settings: { trainSplit: 'a', validationSplit: 'b', testSplit: 'c', epochs: 3, backend: 'wasm', tfjs: '4.22.0', cores: 2 }, runs, teachers: [] };

describe('scripts/fashion-mnist-report.ts', () => {
  it('writes the mean ± std table between the markers, keeping the rest, and a PNG plot', async () => {
    const json = join(scratch, 'r.json');
    const md = join(scratch, 'results.md');
    const png = join(scratch, 'plot.png');
    writeFileSync(json, JSON.stringify(results));
    writeFileSync(md, '# Mine\n\nbefore\n<!-- fashion-mnist:start -->\nold table\n<!-- fashion-mnist:end -->\nafter\n');
    await run(process.execPath, [tsx, 'scripts/fashion-mnist-report.ts', '--json', json, '--md', md, '--png', png], { timeout: 60_000 });
    const text = readFileSync(md, 'utf8');
    expect(text.startsWith('# Mine\n\nbefore\n<!-- fashion-mnist:start -->')).toBe(true);
    expect(text.endsWith('<!-- fashion-mnist:end -->\nafter\n')).toBe(true);
    expect(text).not.toContain('old table');
    const stats = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const s = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
      return `${(100 * m).toFixed(2)} ± ${(100 * s).toFixed(2)}`;
    };
    const final = (method: string, key: 'testAccuracy' | 'valAccuracy') => runs.filter((r) => r.method === method).map((r) => r.epochs.at(-1)![key]);
    expect(text).toContain(`| none | ${stats(final('none', 'testAccuracy'))} | ${stats(final('none', 'valAccuracy'))} | 4.0 | 3 |`);
    expect(stats(final('none', 'testAccuracy'))).toBe('74.00 ± 2.00'); // 0.72, 0.74, 0.76
    expect(text).toContain(`| attentive-cam (attention labels) | ${stats(final('attentive-cam', 'testAccuracy'))} | ${stats(final('attentive-cam', 'valAccuracy'))} | 4.0 | 2 |`);
    const image = PNG.sync.read(readFileSync(png));
    expect([image.width, image.height]).toEqual([900, 520]);
    // Some pixels are neither white nor the axes' ink: the lines' colours.
    const colours = new Set<string>();
    for (let i = 0; i < image.data.length; i += 4) colours.add(`${image.data[i]},${image.data[i + 1]},${image.data[i + 2]}`);
    expect(colours.has('31,119,180')).toBe(true);
    expect(colours.has('255,127,14')).toBe(true);
  });

  it('made the committed table and plot from the committed JSON', async () => {
    const md = join(scratch, 'committed.md');
    const png = join(scratch, 'committed.png');
    writeFileSync(md, readFileSync('docs/results.md'));
    await run(process.execPath, [tsx, 'scripts/fashion-mnist-report.ts', '--json', 'docs/results/fashion-mnist.json', '--md', md, '--png', png], { timeout: 60_000 });
    expect(readFileSync(md, 'utf8')).toBe(readFileSync('docs/results.md', 'utf8'));
    expect(readFileSync(png).equals(readFileSync('docs/results/fashion-mnist.png'))).toBe(true);
  });
});
