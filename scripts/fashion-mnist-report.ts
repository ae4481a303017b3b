// Turns docs/results/fashion-mnist.json (written by scripts/experiment-fashion-mnist.ts) into a
// markdown table in docs/results.md, between the marker comments, and a plot of test accuracy per
// epoch (mean over seeds with a ± 1 std band, one line per method) as docs/results/fashion-mnist.png.
//
//   npm run report:fashion-mnist [-- --json FILE] [--md FILE] [--png FILE]
//
// std is the sample standard deviation over seeds (n − 1); 0 for one seed. The PNG is drawn on the
// CLI's small canvas (packages/cli/src/canvas.ts: pure JS, pngjs), without a native canvas.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

import { Canvas, type Rgb } from '../packages/cli/src/canvas.js';
import type { Results, Run } from './experiment-fashion-mnist.js';

export const START = '<!-- fashion-mnist:start -->';
export const END = '<!-- fashion-mnist:end -->';
export const PLOT_SIZE = { width: 900, height: 520 } as const;

const { values } = parseArgs({ options: { json: { type: 'string', default: 'docs/results/fashion-mnist.json' }, md: { type: 'string', default: 'docs/results.md' }, png: { type: 'string', default: 'docs/results/fashion-mnist.png' } } });

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const label = (r: Pick<Run, 'method' | 'labelMode'>) => (r.labelMode === 'attention' ? `${r.method} (attention labels)` : r.method);

/** The runs by method and label mode, in the order they first appear. */
function groups(runs: Run[]): Map<string, Run[]> {
  const byName = new Map<string, Run[]>();
  for (const run of runs) byName.set(label(run), [...(byName.get(label(run)) ?? []), run]);
  return byName;
}

function table(results: Results): string {
  const pct = (xs: number[]) => `${(100 * mean(xs)).toFixed(2)} ± ${(100 * std(xs)).toFixed(2)}`;
  const rows = [...groups(results.runs)].map(([name, runs]) => {
    const test = runs.map((r) => r.epochs.at(-1)!.testAccuracy!);
    const val = runs.map((r) => r.epochs.at(-1)!.valAccuracy);
    return `| ${name} | ${pct(test)} | ${pct(val)} | ${mean(runs.map((r) => r.secondsPerEpoch)).toFixed(1)} | ${runs.length} |`;
  });
  const s = results.settings as Record<string, unknown>;
  return [
    START,
    `Fashion-MNIST: training on ${s.trainSplit}, validation on ${s.validationSplit}, test on ${s.testSplit}; ${s.epochs} epochs, ${s.backend} backend, tfjs ${s.tfjs}, ${s.cores} cores. Command: \`${results.command}\`.`,
    ...(results.bestAttentive ? ['', `Best attentive variant by mean final validation accuracy: ${results.bestAttentive.method} (rerun with attention labels).`] : []),
    '',
    '| method | final test accuracy % (mean ± std) | final validation accuracy % (mean ± std) | s / epoch | seeds |',
    '|---|---|---|---|---|',
    ...rows,
    END,
  ].join('\n');
}

function writeMarkdown(file: string, block: string): void {
  const intro = [
    '# Results',
    '',
    'Measured results of the mixing methods on real data, written by the report scripts from the JSON',
    'files in [results/](results/); rerun the experiment and the report to renew them. Accuracies are',
    'at the last epoch, mean ± sample standard deviation over seeds; the validation split is held out',
    'of the training files and made every choice; the test set chose nothing.',
    '',
    '## Fashion-MNIST',
    '',
    '`npm run experiment:fashion-mnist`, then `npm run report:fashion-mnist` ([settings](../scripts/experiment-fashion-mnist.ts)).',
    '',
    '![test accuracy per epoch](results/fashion-mnist.png)',
    '',
  ].join('\n');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : `${intro}${START}\n${END}\n`;
  const [a, b] = [old.indexOf(START), old.indexOf(END)];
  const text = a >= 0 && b > a ? `${old.slice(0, a)}${block}${old.slice(b + END.length)}` : `${old.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

const COLOURS: Rgb[] = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];

function plot(results: Results): Buffer {
  const { width, height } = PLOT_SIZE;
  const c = new Canvas(width, height, [255, 255, 255]);
  const ink: Rgb = [25, 25, 25];
  const box = { left: 70, top: 40, right: 600, bottom: height - 60 };
  const series = [...groups(results.runs)].map(([name, runs]) => {
    const epochs = Math.min(...runs.map((r) => r.epochs.length));
    const at = (e: number) => runs.map((r) => r.epochs[e]!.testAccuracy!);
    return { name, points: Array.from({ length: epochs }, (_, e) => ({ x: e + 1, mean: mean(at(e)), std: std(at(e)) })) };
  });
  const all = series.flatMap((s) => s.points.flatMap((p) => [p.mean - p.std, p.mean + p.std]));
  const lo = Math.floor(Math.min(...all) * 50) / 50;
  const hi = Math.ceil(Math.max(...all) * 50) / 50 || 1;
  const maxX = Math.max(2, ...series.map((s) => s.points.length));
  const px = (x: number) => box.left + ((x - 1) / (maxX - 1)) * (box.right - box.left);
  const py = (y: number) => box.bottom - ((y - lo) / (hi - lo || 1)) * (box.bottom - box.top);
  const line = (x0: number, y0: number, x1: number, y1: number, colour: Rgb, t = 2) => {
    const n = Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))) + 1;
    for (let i = 0; i <= n; i++) c.fillRect(Math.round(x0 + ((x1 - x0) * i) / n - t / 2), Math.round(y0 + ((y1 - y0) * i) / n - t / 2), t, t, colour);
  };
  // Axes, ticks and labels.
  line(box.left, box.bottom, box.right, box.bottom, ink, 1);
  line(box.left, box.top, box.left, box.bottom, ink, 1);
  for (let x = 1; x <= maxX; x++) {
    line(px(x), box.bottom, px(x), box.bottom + 4, ink, 1);
    c.drawText(String(x), Math.round(px(x)) - 3 * String(x).length, box.bottom + 8, ink);
  }
  for (let k = 0; k <= 5; k++) {
    const y = lo + ((hi - lo) * k) / 5;
    line(box.left - 4, py(y), box.left, py(y), ink, 1);
    c.drawText(y.toFixed(3), box.left - 44, Math.round(py(y)) - 3, ink);
  }
  c.drawText('epoch', Math.round((box.left + box.right) / 2) - 30, box.bottom + 24, ink, 2);
  c.drawText('test accuracy', 8, 12, ink, 2);
  c.drawText('Fashion-MNIST: test accuracy per epoch, mean +- std over seeds', box.left + 120, 16, ink);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    // The band: each pixel column between consecutive epochs, interpolated.
    for (let j = 0; j + 1 < s.points.length; j++) {
      const [a, b] = [s.points[j]!, s.points[j + 1]!];
      for (let x = Math.round(px(a.x)); x < Math.round(px(b.x)); x++) {
        const t = (x - px(a.x)) / (px(b.x) - px(a.x));
        const [m, d] = [a.mean + t * (b.mean - a.mean), a.std + t * (b.std - a.std)];
        const [y0, y1] = [Math.round(py(m + d)), Math.round(py(m - d))];
        if (y1 > y0) c.fillRect(x, y0, 1, y1 - y0, colour, 0.12);
      }
    }
    for (let j = 0; j + 1 < s.points.length; j++) line(px(s.points[j]!.x), py(s.points[j]!.mean), px(s.points[j + 1]!.x), py(s.points[j + 1]!.mean), colour);
    // The legend.
    const ly = box.top + 10 + i * 18;
    c.fillRect(box.right + 20, ly, 24, 4, colour);
    c.drawText(s.name, box.right + 50, ly - 2, ink);
  });
  return c.toPng();
}

const results = JSON.parse(readFileSync(values.json!, 'utf8')) as Results;
if (results.runs.length === 0) throw new Error(`${values.json} holds no runs.`);
mkdirSync(dirname(values.md!), { recursive: true });
writeMarkdown(values.md!, table(results));
mkdirSync(dirname(values.png!), { recursive: true });
writeFileSync(values.png!, plot(results));
console.log(`wrote ${values.md} and ${values.png}`);
