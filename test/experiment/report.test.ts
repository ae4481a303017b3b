// The experiments' report (scripts/experiment/report.ts, plots.ts, write-report.ts) on a small
// generated results file, its numbers computed here again from the runs; then the committed
// results: docs/results.md's blocks and the plots are what the report makes of the committed
// JSON, so that the three cannot drift apart.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';

import type { Epoch } from '../../examples/training/methods.js';
import { DATASETS } from '../../scripts/experiment/datasets.js';
import { PLAN, type RunSpec } from '../../scripts/experiment/plan.js';
import { PLOT_SIZE, ablationPlot, curvesPlot, differencesPlot } from '../../scripts/experiment/plots.js';
import type { Results, RunRecord } from '../../scripts/experiment/protocol.js';
import { ablationTable, controlsTable, mainTable, markers, onObjectTable, overfitting, pendingBlock, reportBlock } from '../../scripts/experiment/report.js';

const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const exec = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'experiment-report-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A run whose final test accuracy is `test` and validation accuracy `test − 0.01`; 10 epochs, the validation loss lowest at epoch 4. */
function run(spec: Omit<RunSpec, 'part'> & { part?: RunSpec['part'] }, test: number): RunRecord {
  const epochs: Epoch[] = Array.from({ length: 10 }, (_, i) => ({
    epoch: i + 1,
    loss: 1 / (i + 1),
    accuracy: 0.9 + i * 0.01,
    valLoss: Math.abs(i + 1 - 4) / 10 + 0.3,
    valAccuracy: test - 0.01,
    testAccuracy: (i + 1) % 5 === 0 ? test - (i === 9 ? 0 : 0.02) : null,
    learningRate: 0.003,
    seconds: 2,
    evalSeconds: 0.5,
  }));
  return { part: 'main', ...spec, labelMode: 'area', prob: 1, epochs, secondsPerEpoch: 2, totalSeconds: 25 };
}

// none 0.80/0.81/0.82; cutmix +0.01 each; attentive-teacher N=6 +0.02 ± noise; mixup α=0.2 and α=1.
const runs: RunRecord[] = [1, 2, 3].flatMap((seed) => [
  run({ method: 'none', seed }, 0.79 + 0.01 * seed),
  run({ method: 'mixup', alpha: 0.2, seed }, 0.8 + 0.01 * seed),
  run({ method: 'mixup', alpha: 1, seed }, 0.78 + 0.01 * seed),
  run({ method: 'cutmix', alpha: 1, seed }, 0.8 + 0.01 * seed),
  run({ method: 'attentive-teacher', topN: 6, seed }, 0.81 + 0.01 * seed + [0, 0.004, -0.002][seed - 1]!), // 0.820, 0.834, 0.838: 83.07 ± 0.95
  run({ method: 'attentive-random', topN: 6, seed }, 0.8 + 0.01 * seed + [0.01, -0.01, 0.002][seed - 1]!),
  run({ method: 'attentive-teacher', topN: 3, seed, part: 'ablation' }, 0.805 + 0.01 * seed),
]);
const results: Results = {
  dataset: 'fashion-mnist',
  command: 'npm run experiment:fashion-mnist',
  settings: {
    data: 'Fashion-MNIST',
    splits: { train: 'train part', validation: 'val part', teacher: 'teacher part', test: 'test part' },
    sizes: { epochs: 10, batchSize: 64, testEvery: 5 },
    network: 'a network',
    mix: 'every sample mixed',
    plan: PLAN,
    tfjs: '4.22.0',
    backend: 'wasm',
    machine: { workers: 2, cores: 2 },
  },
  teacher: { seed: 1000, images: 50_000, epochs: 10, folder: 'x', trainSeconds: 600, losses: [], valAccuracy: 0.9, testAccuracy: 0.89 },
  runs,
};

describe('the report of a results file', () => {
  it('tabulates final test and validation accuracy, mean ± std over seeds, and paired differences with their 95 % t intervals', () => {
    const rows = new Map(mainTable(results).slice(2).map((line) => [line.split('|')[1]!.trim(), line.split('|').slice(2, -1).map((c) => c.trim())]));
    expect([...rows.keys()]).toEqual(['none', 'mixup α=0.2', 'mixup α=1', 'cutmix', 'attentive-teacher N=6', 'attentive-random N=6']);
    // none: 0.80, 0.81, 0.82 → 81.00 ± 1.00; validation 0.01 lower
    expect(rows.get('none')!.slice(0, 2)).toEqual(['81.00 ± 1.00', '80.00 ± 1.00']);
    // cutmix is exactly one point above none on every seed: the interval is a point, and real
    expect(rows.get('cutmix')![2]).toBe('—');
    expect(rows.get('cutmix')![3]).toBe('**+1.00 [+1.00, +1.00]**');
    // attentive-teacher − cutmix: 1.0, 1.4, 0.8 points: mean 1.0667, sd 0.3055, t(0.975, 2) = 4.303
    const half = (4.303 * 0.30551) / Math.sqrt(3);
    expect(rows.get('attentive-teacher N=6')![2]).toBe(`**+1.07 [+${(1.0667 - half).toFixed(2)}, +${(1.0667 + half).toFixed(2)}]**`); // the interval excludes 0
    // attentive-random − cutmix: +1.0, −1.0, +0.2: not real
    expect(rows.get('attentive-random N=6')![2]).toMatch(/^\+0\.07 \[−\d\.\d\d, \+\d\.\d\d\]$/);
    expect(rows.get('none')![5]).toBe('3');
  });

  it('answers the question with the controls: teacher − random cells, paired, with its t interval (only the pairs that ran)', () => {
    // teacher 0.820, 0.834, 0.838; random 0.820, 0.810, 0.832: differences 0, 0.024, 0.006, mean 0.01,
    // sd 0.01249, t(0.975, 2) = 4.3027: half-width 0.03103.
    expect(controlsTable(results)).toEqual([
      '| question | paired difference | test, points [95 % CI] |',
      '|---|---|---|',
      "| does the teacher's attention beat random cells? | attentive-teacher N=6 − attentive-random N=6 | +1.00 [−2.10, +4.10] |",
    ]);
    expect(reportBlock(results)).toContain(controlsTable(results).join('\n'));
  });

  it('says what the unmixed runs show of overfitting, and puts the main comparison\'s N = 6 into the ablation', () => {
    expect(overfitting(results)).toBe(
      "Without mixing (3 seeds), the last epoch's training accuracy on its batches is 99.00 ± 0.00 % (loss 0.100) against 80.00 ± 1.00 % on the validation split; " +
        'the validation loss was lowest at epoch 4, 4, 4 of 10 (0.300 on average) and ends at 0.900; the final test accuracy is 81.00 ± 1.00 %.',
    );
    // N = 3 is 0.5 points above cutmix and 1.5 above none on every seed; N = 6 is the main table's row.
    // N = 3 − N = 6 (0.815, 0.825, 0.835 − 0.820, 0.834, 0.838): −0.5, −0.9, −0.3 points: mean −0.5667, sd 0.3055, t(0.975, 2) = 4.303
    const half = (4.303 * 0.30551) / Math.sqrt(3);
    expect(ablationTable(results)[0]).toContain('| test Δ vs N = 6, points [95 % CI] |');
    const six = new Map(mainTable(results).slice(2).map((line) => [line.split('|')[1]!.trim(), line.split('|').slice(4, 6).map((c) => c.trim())])).get('attentive-teacher N=6')!;
    expect(ablationTable(results).slice(2)).toEqual([
      `| 3 | 6.1 | 82.50 ± 1.00 | 81.50 ± 1.00 | −0.57 [−${(0.5667 + half).toFixed(2)}, +${(half - 0.5667).toFixed(2)}] | **+0.50 [+0.50, +0.50]** | **+1.50 [+1.50, +1.50]** | 3 |`,
      `| 6 | 12.2 | 83.07 ± 0.95 | 82.07 ± 0.95 | — | ${six[0]} | ${six[1]} | 3 |`,
    ]);
    const block = reportBlock(results);
    expect(block.startsWith(markers('fashion-mnist').start)).toBe(true);
    expect(block).toContain('Teacher: the same network trained without mixing on 50000 other images');
    expect(block).toContain('test 89.00 %');
    expect(block).toContain("mixup's alpha by validation accuracy: mixup α=0.2 (81.00 %).");
    expect(block).toContain('Runs: 21 of 85 planned');
    for (const kind of ['curves', 'differences', 'ablation']) expect(block).toContain(`](results/fashion-mnist-${kind}.png)`);
  });

  it('reports a dataset that has only begun (one seed of none and of mixup, no cutmix, no ablation): differences without a baseline are "—", plots drawn', () => {
    const begun: Results = { ...results, runs: [run({ method: 'none', seed: 1 }, 0.6), run({ method: 'mixup', alpha: 0.2, seed: 1 }, 0.62)] };
    const rows = mainTable(begun).slice(2).map((line) => line.split('|').slice(1, -1).map((c) => c.trim()));
    expect(rows).toEqual([
      ['none', '60.00 ± 0.00', '59.00 ± 0.00', '—', '—', '2.0', '1'],
      ['mixup α=0.2', '62.00 ± 0.00', '61.00 ± 0.00', '—', '+2.00 (1 seed)', '2.0', '1'],
    ]);
    expect(overfitting(begun)).toMatch(/^Without mixing \(1 seed\), /);
    expect(reportBlock(begun)).toContain('Runs: 2 of 85 planned');
    for (const png of [curvesPlot(begun), ablationPlot(begun), differencesPlot(begun)]) expect(PNG.sync.read(png).width).toBe(PLOT_SIZE.width);
  });

  it('says where each source\'s pasted cells fall, in per cent, where the dataset measured it, and nothing where not', () => {
    const share = (s: number, missed: number, covered = 0.25, area = 0.12) => ({ share: s, missed, covered, area });
    const onObject = {
      images: 4000,
      grid: 7,
      topN: 6,
      boxShare: 0.2312,
      sources: { teacher: share(0.5, 0.01, 0.4), 'teacher-least': share(0.0525, 0.7), saliency: share(0.333, 0.1), random: share(0.24, 0.25) },
      teacherByTopN: [{ topN: 1, ...share(0.9, 0.02, 0.1, 0.02) }, { topN: 6, ...share(0.5, 0.01, 0.4) }],
      seconds: 30,
    };
    const table = onObjectTable({ ...results, onObject });
    expect(table[0]).toContain("each of the student's 4000 training images as the partner, the 6 of 7 × 7 cells a source would paste from it");
    expect(table[0]).toContain('(on average 23.1 % of the image)');
    expect(table.slice(4, 8)).toEqual([
      "| the teacher's most attended | 50.0 | 40.0 | 1.0 |",
      "| the teacher's least attended | 5.3 | 25.0 | 70.0 |",
      "| the built-in saliency's most salient | 33.3 | 25.0 | 10.0 |",
      '| uniformly random (one draw per image) | 24.0 | 25.0 | 25.0 |',
    ]);
    // the teacher at each N: the pasted area (the partner's label), then as above
    expect(table.slice(13, 15)).toEqual(['| 1 | 2.0 | 90.0 | 10.0 | 2.0 |', '| 6 | 12.0 | 50.0 | 40.0 | 1.0 |']);
    expect(reportBlock({ ...results, onObject })).toContain(table.join('\n'));
    expect(onObjectTable(results)).toEqual([]);
    expect(reportBlock(results)).not.toContain('Where the pasted cells fall');
  });

  it('says, for a dataset whose teacher is trained but which has no runs yet, how to make them and what the teacher scored', () => {
    const teacher = { seed: 7, images: 1000, epochs: 2, folder: 'teachers/x', trainSeconds: 150, losses: [1, 0.5], valAccuracy: 0.5, testAccuracy: 0.2525 };
    const block = pendingBlock('fashion-mnist-clutter', teacher);
    expect(block).toContain('No runs yet: `npm run experiment:fashion-mnist-clutter`');
    expect(block).toContain('on 1000 other images of the training files (2 epochs, 3 min)');
    expect(block).toContain('validation 50.00 %, test 25.25 %');
    expect(pendingBlock('fashion-mnist-clutter')).not.toContain('Teacher');
  });

  it('draws the three plots at their size', () => {
    for (const png of [curvesPlot(results), ablationPlot(results), differencesPlot(results)]) {
      const image = PNG.sync.read(png);
      expect([image.width, image.height]).toEqual([PLOT_SIZE.width, PLOT_SIZE.height]);
      expect(new Set(image.data).size).toBeGreaterThan(2); // more than a blank page
    }
  });

  it('npm run report:experiments writes each block between its markers, keeping the prose around it, and the plots', async () => {
    const folder = join(scratch, 'results');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder);
    writeFileSync(join(folder, 'fashion-mnist.json'), JSON.stringify(results));
    const md = join(scratch, 'results.md');
    const { start, end } = markers('fashion-mnist');
    writeFileSync(md, `# Results\n\nbefore\n\n${start}\nold\n${end}\n\nafter\n`);
    await exec(process.execPath, [tsx, 'scripts/experiment/write-report.ts', '--results', folder, '--md', md], { timeout: 60_000 });
    // The clutter dataset has no results file: its block says how to make it, added at the end.
    expect(readFileSync(md, 'utf8')).toBe(`# Results\n\nbefore\n\n${reportBlock(results)}\n\nafter\n\n${pendingBlock('fashion-mnist-clutter')}\n`);
    expect(existsSync(join(folder, 'fashion-mnist-clutter-curves.png'))).toBe(false);
    for (const kind of ['curves', 'ablation', 'differences']) expect(existsSync(join(folder, `fashion-mnist-${kind}.png`))).toBe(true);
  }, 60_000);
});

describe('the committed results', () => {
  for (const dataset of DATASETS) {
    const file = `docs/results/${dataset}.json`;
    it(`${dataset}: docs/results.md and the plots are what the report makes of ${file}, or say that it has no runs yet`, () => {
      const committed = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Results) : null;
      if (!committed || committed.runs.length === 0) {
        expect(readFileSync('docs/results.md', 'utf8')).toContain(pendingBlock(dataset, committed?.teacher));
        for (const kind of ['curves', 'ablation', 'differences']) expect(existsSync(`docs/results/${dataset}-${kind}.png`), `${kind} plot of a dataset without runs`).toBe(false);
        return;
      }
      expect(readFileSync('docs/results.md', 'utf8')).toContain(reportBlock(committed));
      expect(readFileSync(`docs/results/${dataset}-curves.png`)).toEqual(curvesPlot(committed));
      expect(readFileSync(`docs/results/${dataset}-ablation.png`)).toEqual(ablationPlot(committed));
      expect(readFileSync(`docs/results/${dataset}-differences.png`)).toEqual(differencesPlot(committed));
    });
  }
});
