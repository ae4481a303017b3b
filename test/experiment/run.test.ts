// The experiment runner end to end, as `npm run experiment:<dataset> -- --quick` runs it (worker
// processes, tfjs-wasm), on generated Fashion-MNIST files: every planned run and the teacher
// are written, a second start finds nothing to do, a run taken out of the file is run again and
// only it, past --stop-by nothing starts, and a file of other settings is set aside, not mixed in.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { QUICK_PLAN, planRuns, runKey } from '../../scripts/experiment/plan.js';
import type { Results } from '../../scripts/experiment/protocol.js';

const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const exec = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'experiment-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Gzip'd idx files of `count` images whose class shows as a bright bar at row 2 + 2·label. */
function writeFashionMnist(dir: string): void {
  const idx = (magic: number, dims: number[], data: Uint8Array) => {
    const header = Buffer.alloc(4 + 4 * dims.length);
    header.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
    return gzipSync(Buffer.concat([header, data]));
  };
  for (const [prefix, count] of [['train', 200], ['t10k', 40]] as const) {
    const labels = Uint8Array.from({ length: count }, (_, i) => (i * 3) % 10);
    const images = new Uint8Array(count * 784);
    labels.forEach((label, n) => images.fill(255, n * 784 + (2 + 2 * label) * 28 + 4, n * 784 + (2 + 2 * label) * 28 + 24));
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte.gz`), idx(2051, [count, 28, 28], images));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte.gz`), idx(2049, [count], labels));
  }
}

async function experiment(dataset: string, out: string, ...more: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, [tsx, 'scripts/experiment/run.ts', dataset, '--quick', '--dir', scratch, '--out', out, ...more], { timeout: 240_000 });
  return stdout;
}

beforeAll(() => writeFashionMnist(scratch));

describe('scripts/experiment/run.ts --quick', () => {
  const planned = planRuns(QUICK_PLAN).map(runKey).sort();

  it('runs every planned run and the teacher, resumes without repeating, and redoes only what is missing', async () => {
    const out = join(scratch, 'fashion-mnist.json');
    const first = await experiment('fashion-mnist', out);
    expect(first).toMatch(/fashion-mnist: 15 runs to do and the teacher, 2 workers/);
    const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
    expect(results.runs.map(runKey).sort()).toEqual(planned);
    expect(results.teacher).toMatchObject({ images: 64, epochs: 1, seed: 1000 });
    expect(results.onObject).toBeUndefined(); // Fashion-MNIST does not say where its garments are
    expect(existsSync(join(results.teacher!.folder, 'model.json'))).toBe(true);
    for (const run of results.runs) {
      expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      for (const e of run.epochs) expect([e.loss, e.accuracy, e.valLoss, e.valAccuracy, e.testAccuracy, e.learningRate, e.seconds].every(Number.isFinite)).toBe(true);
      expect(run.prob).toBe(1);
    }
    expect(results.runs.find((r) => r.method === 'attentive-cam')!.epochs.map((e) => e.mixer)).toEqual(['cutmix', 'attentive-cam']);
    // cosine from 0.003: epoch 1 at the full rate, epoch 2 half-way down
    expect(results.runs[0]!.epochs.map((e) => e.learningRate)).toEqual([0.003, 0.0015]);

    expect(await experiment('fashion-mnist', out)).toMatch(/Resuming .*: 15 runs done, the teacher trained\nfashion-mnist: 0 runs to do, 2 workers/);
    const dropped = results.runs.find((r) => r.method === 'attentive-least')!;
    writeFileSync(out, JSON.stringify({ ...results, runs: results.runs.filter((r) => r !== dropped) }));
    // past --stop-by, no run starts, and the file is left as it was
    expect(await experiment('fashion-mnist', out, '--stop-by', '2000-01-01T00:00')).toMatch(/stopping: a run started now would end after --stop-by .*; 1 runs left for the next start/);
    expect((JSON.parse(readFileSync(out, 'utf8')) as Results).runs.map(runKey)).not.toContain(runKey(dropped));
    const third = await experiment('fashion-mnist', out, '--stop-by=2100-01-01T00:00');
    expect(third).toMatch(/fashion-mnist: 1 runs to do, 2 workers/);
    expect(third).toContain(`${runKey(dropped)}: val`);
    const again = JSON.parse(readFileSync(out, 'utf8')) as Results;
    expect(again.runs.map(runKey).sort()).toEqual(planned);
    expect(again.command).toBe(`npm run experiment:fashion-mnist -- --quick --dir ${scratch} --out ${out}`); // when a session stops is not how the runs were made
    // the same seed, the same run: the rerun gives the same numbers
    expect(again.runs.find((r) => runKey(r) === runKey(dropped))!.epochs.map((e) => e.loss)).toEqual(dropped.epochs.map((e) => e.loss));

    // a plan of other runs (methods added later) keeps the runs: it says which runs there are, not how one goes
    writeFileSync(out, JSON.stringify({ ...again, settings: { ...again.settings, plan: { ...QUICK_PLAN, seeds: [7] } } }));
    expect(await experiment('fashion-mnist', out)).toMatch(/Resuming .*: 15 runs done, the teacher trained\nfashion-mnist: 0 runs to do/);

    writeFileSync(out, JSON.stringify({ ...again, settings: { ...again.settings, sizes: { ...(again.settings.sizes as object), epochs: 99 } } }));
    expect(await experiment('fashion-mnist', out)).toMatch(/holds runs of other settings: starting afresh \(the old file is kept as .*\.old\)/);
    expect(existsSync(`${out}.old`)).toBe(true);
  }, 600_000);

  it('runs the clutter dataset', async () => {
    const out = join(scratch, 'fashion-mnist-clutter.json');
    await experiment('fashion-mnist-clutter', out);
    const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
    expect(results.runs.map(runKey).sort()).toEqual(planned);
    expect(results.settings.data).toMatch(/in clutter/);
    // where each source's pasted cells fall, measured once with the teacher
    expect(results.onObject).toMatchObject({ images: 64, grid: 7, topN: 6 });
    expect(results.onObject!.boxShare).toBeGreaterThan((14 / 40) ** 2); // garments 14–22 px on 40
    expect(results.onObject!.boxShare).toBeLessThan((22 / 40) ** 2);
    const { teacherByTopN, sources } = results.onObject!;
    for (const { share, missed, covered, area } of [...Object.values(sources), ...teacherByTopN]) {
      for (const fraction of [share, missed, covered, area]) {
        expect(fraction).toBeGreaterThanOrEqual(0);
        expect(fraction).toBeLessThanOrEqual(1);
      }
    }
    // the teacher's cells at every N the quick plan pastes (its ablation's 3, the main 6), N = 6 as the sources say
    expect(teacherByTopN.map((t) => t.topN)).toEqual([3, 6]);
    expect(teacherByTopN[1]).toEqual({ topN: 6, ...sources.teacher });
    expect(teacherByTopN[0]!.area).toBeLessThan(teacherByTopN[1]!.area);
    expect(await experiment('fashion-mnist-clutter', out)).toMatch(/fashion-mnist-clutter: 0 runs to do, 2 workers/); // measured once
    // a record from before the teacher was measured at every N is measured again, and nothing else is run
    const old = JSON.parse(readFileSync(out, 'utf8')) as Results;
    delete (old.onObject as Partial<typeof old.onObject>)!.teacherByTopN;
    writeFileSync(out, JSON.stringify(old));
    expect(await experiment('fashion-mnist-clutter', out)).toMatch(/fashion-mnist-clutter: 0 runs to do and where pasted cells fall, 2 workers/);
    expect((JSON.parse(readFileSync(out, 'utf8')) as Results).onObject).toEqual({ ...results.onObject, seconds: expect.any(Number) });
    // the sheet of its first training images, 8 × 3 at 3×
    const sheet = PNG.sync.read(readFileSync(join(scratch, 'fashion-mnist-clutter-quick-samples.png')));
    expect([sheet.width, sheet.height]).toEqual([8 + 8 * (40 * 3 + 8), 8 + 3 * (40 * 3 + 8 + 12)]);
  }, 300_000);
});
