// The evidence runner (issue 16): every run of the plan (plan.ts) on one dataset (datasets.ts),
// in parallel worker processes (worker.ts; one tfjs-wasm per core), written to
// docs/results/<dataset>.json after every run, which `npm run report:experiments` turns into
// docs/results.md and its plots.
//
//   npm run experiment:fashion-mnist [-- --quick] [--workers N] [--dir DIR] [--out FILE] [--stop-by TIME]
//   npm run experiment:fashion-mnist-clutter [-- ...]
//
// Resumes: runs already in the output file (same settings) are kept and skipped, so an
// interrupted experiment loses at most the runs in progress, and runs added to the plan later are
// all that a new start runs. With --stop-by (HH:MM today, or a date and time), a worker starts no
// run that would end after it (expected to take as long as the longest of the last runs), and the
// experiment ends when the runs in progress do: nothing is lost. The teacher (trained once per
// dataset, without mixing, on images the student never sees) is saved beside the results
// (docs/results/teachers/<dataset>/) and reused. On a dataset that knows where its objects are,
// the runner also measures, once, where each source's pasted cells fall (on_object.ts).
// --quick is a smoke run (tiny sizes, one seed) written to a temporary folder, not docs/.
// Installs Debian's dataset-fashion-mnist with apt-get if its files are missing (here only).
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { FASHION_MNIST_DEBIAN_DIR, FASHION_MNIST_FILES } from '../../examples/training/fashion_mnist.js';
import { describeNetwork } from '../../examples/training/network.js';
import { usesTeacher } from '../../examples/training/methods.js';
import { DATASETS, DATASET_BY_NAME, type DatasetName } from './datasets.js';
import { PLAN, QUICK_PLAN, type RunSpec, planRuns, runKey } from './plan.js';
import type { FromWorker, Results, ToWorker } from './protocol.js';
import { endsBy, expectedRunSeconds, parseStopBy } from './stop_by.js';

const TEACHER_SEED = 1000;
/** What measuring where pasted cells fall takes at most, for --stop-by (about half a minute on the full clutter set). */
const ON_OBJECT_SECONDS = 120;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    workers: { type: 'string', default: String(Math.max(1, Math.min(2, cpus().length))) },
    dir: { type: 'string', default: FASHION_MNIST_DEBIAN_DIR },
    out: { type: 'string' },
    'stop-by': { type: 'string' },
  },
});
const name = positionals[0] as DatasetName;
if (positionals.length !== 1 || !DATASETS.includes(name)) throw new Error(`usage: tsx scripts/experiment/run.ts ${DATASETS.join('|')} [--quick] [--workers N] [--dir DIR] [--out FILE] [--stop-by TIME]`);
const dataset = DATASET_BY_NAME[name];
const quick = values.quick!;
const dir = values.dir!;
const workerCount = Number(values.workers);
if (!Number.isInteger(workerCount) || workerCount < 1) throw new Error(`--workers must be a whole number >= 1, but got '${values.workers}'.`);
const out = values.out ?? (quick ? join(tmpdir(), `${name}-quick.json`) : `docs/results/${name}.json`);
const teacherFolder = quick ? join(dirname(out), `${name}-quick-teacher`) : `docs/results/teachers/${name}`;
const stopBy = values['stop-by'] === undefined ? undefined : parseStopBy(values['stop-by'], new Date());
const plan = quick ? QUICK_PLAN : PLAN;
const sizes = quick ? dataset.quickSizes : dataset.sizes;

function ensureData(): void {
  const files = [...Object.values(FASHION_MNIST_FILES.train), ...Object.values(FASHION_MNIST_FILES.test)].map((f) => join(dir, f));
  if (files.every((f) => existsSync(f))) return;
  if (dir !== FASHION_MNIST_DEBIAN_DIR) throw new Error(`Fashion-MNIST files missing in '${dir}'.`);
  console.log("Installing Debian's dataset-fashion-mnist (apt-get) ...");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-qq', 'dataset-fashion-mnist'], { stdio: 'inherit', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    r = spawnSync('apt-get', ['install', '-y', '-qq', 'dataset-fashion-mnist'], { stdio: 'inherit', env });
  }
  if (r.status !== 0 || !files.every((f) => existsSync(f))) throw new Error('Could not install dataset-fashion-mnist (apt-get install -y dataset-fashion-mnist, as root).');
}

function save(results: Results): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, `${JSON.stringify(results, null, 1)}\n`);
  renameSync(`${out}.tmp`, out);
}

/** Settings that decide the numbers; a results file of other settings is not resumed. */
function makeSettings(): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  return {
    data: dataset.description,
    splits: {
      train: `the first ${sizes.train} images of the training files`,
      validation: `the last ${sizes.val} images of the training files (held out; makes every choice)`,
      teacher: `the ${sizes.teacher} training-file images between them (none of the student's or the validation split's)`,
      test: `the first ${sizes.test} images of t10k (reported only)`,
    },
    sizes,
    network: describeNetwork([dataset.side, dataset.side, 1], 10, dataset.network),
    mix: 'every sample mixed (prob 1, mode elem), partners a random permutation per batch; area labels; attentive grid 7 × 7; mixup and cutmix alpha as the run says',
    plan,
    teacherSeed: TEACHER_SEED,
    tfjs: (require('@tensorflow/tfjs-core/package.json') as { version: string }).version,
    backend: 'wasm',
  };
}

async function main(): Promise<void> {
  ensureData();
  const settings = makeSettings();
  // When a session stops is not part of how the experiment is made.
  const args = process.argv.slice(3).filter((a, i, all) => !a.startsWith('--stop-by') && all[i - 1] !== '--stop-by');
  const command = `npm run experiment:${name}${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  const machine = { workers: workerCount, cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
  let results: Results = { dataset: name, command, settings: { ...settings, machine }, teacher: null, runs: [] };
  if (existsSync(out)) {
    const previous = JSON.parse(readFileSync(out, 'utf8')) as Results;
    // The plan says which runs there are, not how a run goes: runs added to it are run, the rest kept.
    const decisive = ({ machine: _, plan: __, ...rest }: Record<string, unknown>) => JSON.stringify(rest);
    if (decisive(previous.settings) === decisive(settings)) {
      results = { ...previous, command, settings: { ...settings, machine } };
      console.log(`Resuming ${out}: ${results.runs.length} runs done${results.teacher ? ', the teacher trained' : ''}`);
    } else {
      console.log(`${out} holds runs of other settings: starting afresh (the old file is kept as ${out}.old)`);
      renameSync(out, `${out}.old`);
    }
  }
  if (dataset.samples) {
    const file = join(dirname(out), `${name}${quick ? '-quick' : ''}-samples.png`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, dataset.samples(dir, sizes));
  }
  const teacherFiles = ['model.json', 'weights.bin'].map((f) => join(teacherFolder, f));
  if (results.teacher && !teacherFiles.every((f) => existsSync(f))) {
    console.log(`The teacher's files are missing from ${teacherFolder}: training it again.`);
    results.teacher = null;
  }
  const done = new Set(results.runs.map(runKey));
  const queue: RunSpec[] = planRuns(plan).filter((spec) => !done.has(runKey(spec)));
  let teacherState: 'needed' | 'training' | 'ready' = results.teacher ? 'ready' : queue.some((s) => usesTeacher(s.method)) ? 'needed' : 'ready';
  if (teacherState === 'needed') delete results.onObject; // it measured the old teacher
  // a record without teacherByTopN was measured before it existed
  let onObjectState: 'needed' | 'running' | 'done' = dataset.objectBoxes && !results.onObject?.teacherByTopN && planRuns(plan).some((s) => usesTeacher(s.method)) ? 'needed' : 'done';
  const extras = [teacherState === 'needed' ? ' and the teacher' : '', onObjectState === 'needed' ? ' and where pasted cells fall' : ''].join('');
  console.log(`${name}: ${queue.length} runs to do${extras}, ${workerCount} workers; writing ${out}${stopBy ? `; no run starts that would end after ${stopBy.toLocaleString()}` : ''}`);
  if (queue.length === 0 && teacherState === 'ready' && onObjectState === 'done') return;

  const started = performance.now();
  const minutes = () => ((performance.now() - started) / 60000).toFixed(1);
  const workers: ChildProcess[] = [];
  const stopAll = () => workers.forEach((w) => w.kill());
  process.once('SIGINT', () => (stopAll(), process.exit(130)));
  process.once('SIGTERM', () => (stopAll(), process.exit(143)));
  await new Promise<void>((resolve, reject) => {
    const busy = new Map<ChildProcess, string>();
    let stopping = false;
    const dispatch = () => {
      const longestRun = expectedRunSeconds(results.runs, workerCount);
      for (const worker of workers) {
        if (busy.has(worker) || !(worker as { ready?: boolean }).ready || stopping) continue;
        let job: ToWorker | undefined;
        if (onObjectState === 'needed' && teacherState === 'ready' && endsBy(stopBy, Date.now(), ON_OBJECT_SECONDS)) {
          onObjectState = 'running';
          busy.set(worker, 'where pasted cells fall');
          worker.send({ type: 'on-object', teacherFolder, topN: plan.topN, topNs: [...new Set([plan.topN, ...plan.ablationTopN])].sort((a, b) => a - b) });
          continue;
        }
        if (!endsBy(stopBy, Date.now(), teacherState === 'needed' ? undefined : longestRun)) {
          stopping = true;
          console.log(`stopping: a run started now would end after --stop-by (the longest of the last runs took ${Math.ceil((longestRun ?? 0) / 60)} min); ${queue.length} runs left for the next start`);
          break;
        }
        if (teacherState === 'needed') {
          teacherState = 'training';
          job = { type: 'teacher', folder: teacherFolder, seed: TEACHER_SEED };
          busy.set(worker, 'teacher');
        } else {
          const i = queue.findIndex((s) => !usesTeacher(s.method) || teacherState === 'ready');
          if (i < 0) continue;
          const [spec] = queue.splice(i, 1);
          job = { type: 'run', spec: spec!, teacherFolder: teacherState === 'ready' ? teacherFolder : undefined };
          busy.set(worker, runKey(spec!));
        }
        worker.send(job);
      }
      if ((stopping || (queue.length === 0 && teacherState !== 'training' && onObjectState !== 'needed')) && busy.size === 0) resolve();
    };
    for (let w = 0; w < workerCount; w++) {
      const worker = fork(fileURLToPath(new URL('worker.ts', import.meta.url)), [name, dir, quick ? 'quick' : 'full'], { execArgv: ['--import', 'tsx'] });
      workers.push(worker);
      worker.on('message', (message: FromWorker) => {
        const what = busy.get(worker);
        switch (message.type) {
          case 'ready':
            (worker as { ready?: boolean }).ready = true;
            break;
          case 'progress':
            console.log(`  [${w}] ${what}: ${message.text}`);
            return;
          case 'teacher-done':
            results.teacher = message.teacher;
            teacherState = 'ready';
            save(results);
            console.log(`teacher: ${message.teacher.images} images, ${message.teacher.epochs} epochs in ${message.teacher.trainSeconds.toFixed(0)} s; validation ${message.teacher.valAccuracy.toFixed(4)}, test ${message.teacher.testAccuracy.toFixed(4)} (${minutes()} min)`);
            break;
          case 'on-object-done': {
            results.onObject = message.onObject;
            onObjectState = 'done';
            save(results);
            const { teacher, random } = message.onObject.sources;
            console.log(`where pasted cells fall: the teacher's top ${message.onObject.topN} cells ${(100 * teacher.share).toFixed(1)} % on the object, random cells ${(100 * random.share).toFixed(1)} % (${message.onObject.seconds.toFixed(0)} s)`);
            break;
          }
          case 'run-done': {
            results.runs.push(message.run);
            save(results);
            const last = message.run.epochs.at(-1)!;
            console.log(`${what}: val ${last.valAccuracy.toFixed(4)}, test ${last.testAccuracy?.toFixed(4)} in ${message.run.totalSeconds.toFixed(0)} s; ${results.runs.length} runs done, ${queue.length} queued (${minutes()} min)`);
            break;
          }
          case 'error':
            reject(new Error(`worker ${w} (${what}): ${message.message}`));
            return;
        }
        busy.delete(worker);
        dispatch();
      });
      worker.on('exit', (code) => {
        if (code !== 0 && code !== null) reject(new Error(`worker ${w} exited with status ${code} during ${busy.get(worker) ?? 'start-up'}.`));
      });
    }
  }).finally(stopAll);
  console.log(`wrote ${out}: ${results.runs.length} runs in ${minutes()} min`);
}

try {
  await main();
} catch (e) {
  console.error(`experiment ${name}: ${(e as Error).message}`);
  process.exitCode = 1;
}
