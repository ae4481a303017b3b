// The report's plots, drawn on the CLI's small canvas (packages/cli/src/canvas.ts: pure JS,
// pngjs): test accuracy per epoch with ± std bands, the N ablation, and the paired differences
// against cutmix with their 95 % intervals.
import { Canvas, type Rgb } from '../../packages/cli/src/canvas.js';
import { configurations, differences } from './report.js';
import type { Results } from './protocol.js';
import { mean, std } from './stats.js';

export const PLOT_SIZE = { width: 1000, height: 560 } as const;
const INK: Rgb = [25, 25, 25];
const GREY: Rgb = [200, 200, 200];
export const COLOURS: Rgb[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75],
  [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207], [0, 0, 0], [120, 60, 160],
];

interface Frame {
  c: Canvas;
  px: (x: number) => number;
  py: (y: number) => number;
  line: (x0: number, y0: number, x1: number, y1: number, colour: Rgb, thickness?: number) => void;
}

/** A canvas with axes from (x0, y0) to (x1, y1), ticks on the x values given and 5 on y, and titles. */
function frame(title: string, xLabel: string, yLabel: string, [x0, x1]: [number, number], [y0, y1]: [number, number], xTicks: number[], right = 690): Frame {
  const { width, height } = PLOT_SIZE;
  const c = new Canvas(width, height, [255, 255, 255]);
  const box = { left: 80, top: 44, right, bottom: height - 60 };
  const px = (x: number) => box.left + ((x - x0) / (x1 - x0 || 1)) * (box.right - box.left);
  const py = (y: number) => box.bottom - ((y - y0) / (y1 - y0 || 1)) * (box.bottom - box.top);
  const line = (ax: number, ay: number, bx: number, by: number, colour: Rgb, t = 2) => {
    const n = Math.ceil(Math.max(Math.abs(bx - ax), Math.abs(by - ay))) + 1;
    for (let i = 0; i <= n; i++) c.fillRect(Math.round(ax + ((bx - ax) * i) / n - t / 2), Math.round(ay + ((by - ay) * i) / n - t / 2), t, t, colour);
  };
  line(box.left, box.bottom, box.right, box.bottom, INK, 1);
  line(box.left, box.top, box.left, box.bottom, INK, 1);
  for (const x of xTicks) {
    line(px(x), box.bottom, px(x), box.bottom + 4, INK, 1);
    c.drawText(String(x), Math.round(px(x)) - 3 * String(x).length, box.bottom + 8, INK);
  }
  for (let k = 0; k <= 5; k++) {
    const y = y0 + ((y1 - y0) * k) / 5;
    line(box.left - 4, py(y), box.left, py(y), INK, 1);
    c.drawText(y.toFixed(Math.abs(y1 - y0) < 0.05 ? 3 : 2), box.left - 50, Math.round(py(y)) - 3, INK);
  }
  c.drawText(xLabel, Math.round((box.left + box.right) / 2) - 4 * xLabel.length, box.bottom + 26, INK, 2);
  c.drawText(yLabel, 8, 14, INK, 2);
  c.drawText(title, box.left + 200, 18, INK);
  return { c, px, py, line };
}

/** Rounds a range out to steps of `step`, with a margin. */
const span = (values: number[], step: number): [number, number] => [Math.floor(Math.min(...values) / step) * step, Math.ceil(Math.max(...values) / step) * step];

/** Test accuracy at the epochs it was evaluated, mean ± std over seeds, one line per main configuration. */
export function curvesPlot(results: Results): Buffer {
  const series = [...configurations(results, 'main')].map(([name, runs]) => {
    const epochs = runs[0]!.epochs.filter((e) => e.testAccuracy !== null).map((e) => e.epoch);
    const at = (epoch: number) => runs.map((r) => r.epochs[epoch - 1]!.testAccuracy!);
    return { name, points: epochs.map((x) => ({ x, mean: mean(at(x)), std: std(at(x)) })) };
  });
  const last = Math.max(...series.flatMap((s) => s.points.map((p) => p.x)));
  // The y axis shows the second half of training, where the methods part (the first points would squash it).
  const shown = series.map((s) => ({ ...s, points: s.points.filter((p) => p.x >= last / 2) }));
  const [lo, hi] = span(shown.flatMap((s) => s.points.flatMap((p) => [p.mean - p.std, p.mean + p.std])), 0.005);
  const xs = [...new Set(shown.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const f = frame(`${results.dataset}: test accuracy, mean +- std over seeds`, 'epoch', 'test accuracy', [xs[0]!, last], [lo, hi], xs);
  shown.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    for (let j = 0; j + 1 < s.points.length; j++) {
      const [a, b] = [s.points[j]!, s.points[j + 1]!];
      for (let x = Math.round(f.px(a.x)); x < Math.round(f.px(b.x)); x++) {
        const t = (x - f.px(a.x)) / (f.px(b.x) - f.px(a.x));
        const [m, d] = [a.mean + t * (b.mean - a.mean), a.std + t * (b.std - a.std)];
        const [y0, y1] = [Math.round(f.py(m + d)), Math.round(f.py(m - d))];
        if (y1 > y0) f.c.fillRect(x, y0, 1, y1 - y0, colour, 0.08);
      }
    }
    for (let j = 0; j + 1 < s.points.length; j++) f.line(f.px(s.points[j]!.x), f.py(s.points[j]!.mean), f.px(s.points[j + 1]!.x), f.py(s.points[j + 1]!.mean), colour);
    const ly = 54 + i * 18;
    f.c.fillRect(710, ly, 24, 4, colour);
    f.c.drawText(s.name, 740, ly - 2, INK);
  });
  return f.c.toPng();
}

/** Final test accuracy against the teacher's N: mean ± std (bars), each seed a dot. */
export function ablationPlot(results: Results): Buffer {
  const runs = [...configurations(results, 'main'), ...configurations(results, 'ablation')].filter(([name]) => /^attentive-teacher N=\d+$/.test(name));
  const points = runs.map(([name, rs]) => ({ n: Number(/N=(\d+)/.exec(name)![1]), values: rs.map((r) => r.epochs.at(-1)!.testAccuracy!) })).sort((a, b) => a.n - b.n);
  const none = configurations(results, 'main').get('none')?.map((r) => r.epochs.at(-1)!.testAccuracy!) ?? [];
  const cutmix = configurations(results, 'main').get('cutmix')?.map((r) => r.epochs.at(-1)!.testAccuracy!) ?? [];
  const all = [...points.flatMap((p) => p.values), ...none, ...cutmix];
  const [lo, hi] = span(all.length ? all : [0, 1], 0.005);
  const ns = points.map((p) => p.n);
  const f = frame(`${results.dataset}: attentive-teacher's top N of 49 cells, final test accuracy`, 'N', 'test accuracy', [0, Math.max(16, ...ns)], [lo, hi], ns.length ? ns : [0]);
  const reference = (values: number[], colour: Rgb, label: string, row: number) => {
    if (values.length === 0) return;
    for (let x = f.px(0); x < f.px(Math.max(16, ...ns)); x += 8) f.line(x, f.py(mean(values)), x + 4, f.py(mean(values)), colour, 1);
    f.c.fillRect(710, 54 + row * 18, 24, 2, colour);
    f.c.drawText(`${label} (mean of ${values.length})`, 740, 52 + row * 18, INK);
  };
  reference(none, COLOURS[7]!, 'none', 1);
  reference(cutmix, COLOURS[1]!, 'cutmix', 2);
  const colour = COLOURS[0]!;
  f.c.fillRect(710, 54, 24, 4, colour);
  f.c.drawText('attentive-teacher, mean +- std; dots: seeds', 740, 52, INK);
  for (const p of points) {
    const [m, d] = [mean(p.values), std(p.values)];
    f.line(f.px(p.n), f.py(m - d), f.px(p.n), f.py(m + d), colour, 2);
    f.c.fillRect(Math.round(f.px(p.n)) - 6, Math.round(f.py(m)) - 2, 12, 4, colour);
    for (const v of p.values) f.c.fillRect(Math.round(f.px(p.n)) + 8, Math.round(f.py(v)) - 1, 3, 3, GREY);
  }
  for (let j = 0; j + 1 < points.length; j++) f.line(f.px(points[j]!.n), f.py(mean(points[j]!.values)), f.px(points[j + 1]!.n), f.py(mean(points[j + 1]!.values)), colour, 1);
  return f.c.toPng();
}

/** Each configuration's paired difference in final test accuracy against cutmix: the mean and its 95 % interval, in points. */
export function differencesPlot(results: Results): Buffer {
  const rows = [...differences(results, 'cutmix')].filter(([, d]) => d.low !== null);
  const values = rows.flatMap(([, d]) => [100 * d.low!, 100 * d.high!]);
  const [lo, hi] = span([...values, 0], 0.5);
  const { width, height } = PLOT_SIZE;
  const c = new Canvas(width, height, [255, 255, 255]);
  const box = { left: 330, right: width - 40, top: 50, bottom: height - 60 };
  const px = (x: number) => box.left + ((x - lo) / (hi - lo || 1)) * (box.right - box.left);
  const rowHeight = Math.min(36, (box.bottom - box.top) / Math.max(1, rows.length));
  c.drawText(`${results.dataset}: final test accuracy minus cutmix's, same seeds (points), 95 % t interval`, 40, 18, INK);
  for (let k = 0; k <= 6; k++) {
    const x = lo + ((hi - lo) * k) / 6;
    c.fillRect(Math.round(px(x)), box.bottom, 1, 5, INK);
    c.drawText(x.toFixed(1), Math.round(px(x)) - 10, box.bottom + 10, INK);
  }
  c.fillRect(box.left, box.bottom, box.right - box.left, 1, INK);
  c.fillRect(Math.round(px(0)), box.top - 10, 1, box.bottom - box.top + 10, GREY);
  rows.forEach(([name, d], i) => {
    const y = Math.round(box.top + (i + 0.5) * rowHeight);
    const colour: Rgb = d.real ? (d.mean > 0 ? COLOURS[2]! : COLOURS[3]!) : COLOURS[7]!;
    c.drawText(`${name} (${d.seeds.length})`, 20, y - 3, INK);
    c.fillRect(Math.round(px(100 * d.low!)), y - 1, Math.max(1, Math.round(px(100 * d.high!) - px(100 * d.low!))), 3, colour);
    c.fillRect(Math.round(px(100 * d.mean)) - 3, y - 5, 7, 11, colour);
  });
  c.drawText('points of test accuracy; green/red: interval excludes 0', box.left + 120, box.bottom + 30, INK);
  return c.toPng();
}
