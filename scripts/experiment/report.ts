// What the report says of one results file (docs/results/<dataset>.json): the tables of
// docs/results.md, made from the runs alone, so that a test can make them again and compare.
// Accuracies are at the last epoch; "± x" is the sample standard deviation over seeds; a paired
// difference is over the seeds both configurations ran, with its 95 % t interval, and is called
// real only when the interval excludes 0.
import type { ObjectShare } from './on_object.js';
import type { Results, RunRecord } from './protocol.js';
import { type RunSpec, configurationName, mainConfigurations } from './plan.js';
import { type PairedDifference, mean, pairedDifference, std } from './stats.js';

export const markers = (dataset: string) => ({ start: `<!-- ${dataset}:start -->`, end: `<!-- ${dataset}:end -->` });

/** The runs of each configuration of a part, in the plan's order, then any others in the order they appear. */
export function configurations(results: Results, part: RunSpec['part']): Map<string, RunRecord[]> {
  const groups = new Map<string, RunRecord[]>();
  const plan = results.settings.plan as Parameters<typeof mainConfigurations>[0];
  if (part === 'main') for (const c of mainConfigurations(plan)) groups.set(configurationName(c), []);
  for (const run of results.runs.filter((r) => r.part === part)) {
    const name = configurationName(run);
    groups.set(name, [...(groups.get(name) ?? []), run]);
  }
  for (const [name, runs] of groups) if (runs.length === 0) groups.delete(name);
  return groups;
}

const finalTest = (run: RunRecord) => run.epochs.at(-1)!.testAccuracy!;
const finalVal = (run: RunRecord) => run.epochs.at(-1)!.valAccuracy;
const bySeed = (runs: RunRecord[]) => new Map(runs.map((r) => [r.seed, finalTest(r)]));
const pct = (xs: number[]) => `${(100 * mean(xs)).toFixed(2)} ± ${(100 * std(xs)).toFixed(2)}`;

/** A difference in points with its interval, "+0.42 [−0.10, +0.94]", bold when the interval excludes 0; "—" where there is none (a baseline without runs yet). */
export function formatDifference(d: PairedDifference | undefined): string {
  const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`;
  if (d === undefined) return '—';
  if (d.low === null || d.high === null) return Number.isNaN(d.mean) ? '—' : `${signed(d.mean)} (1 seed)`;
  const text = `${signed(d.mean)} [${signed(d.low)}, ${signed(d.high)}]`;
  return d.real ? `**${text}**` : text;
}

/** Every configuration's paired difference in final test accuracy against the main comparison's `baseline`, for a part. */
export function differences(results: Results, baseline: string, part: RunSpec['part'] = 'main'): Map<string, PairedDifference> {
  const base = configurations(results, 'main').get(baseline);
  const out = new Map<string, PairedDifference>();
  if (!base) return out;
  for (const [name, runs] of configurations(results, part)) if (name !== baseline) out.set(name, pairedDifference(bySeed(runs), bySeed(base)));
  return out;
}

/**
 * The comparisons that answer the question, each a paired difference in final test accuracy: the
 * effect of attention at the same pasted amount (the teacher's cells against random cells and
 * against its least attended ones; the other attention sources against random cells), and the
 * effect of pasting scattered cells rather than one box of the same area.
 */
export const CONTROLS: readonly { a: string; b: string; asks: string }[] = [
  { a: 'attentive-teacher N=6', b: 'attentive-random N=6', asks: "does the teacher's attention beat random cells?" },
  { a: 'attentive-teacher N=6', b: 'attentive-least N=6', asks: 'its most attended cells against its least attended?' },
  { a: 'attentive-least N=6', b: 'attentive-random N=6', asks: 'its least attended cells against random cells?' },
  { a: 'attentive-cam N=6', b: 'attentive-random N=6', asks: "the model's own CAM against random cells?" },
  { a: 'attentive-saliency N=6', b: 'attentive-random N=6', asks: 'the built-in saliency against random cells?' },
  { a: 'attentive-random N=6', b: 'cutmix-same-area', asks: 'scattered random cells against one box of the same area?' },
];

/** The table of {@link CONTROLS}, for the pairs whose both configurations have runs. */
export function controlsTable(results: Results): string[] {
  const groups = configurations(results, 'main');
  const rows = CONTROLS.filter(({ a, b }) => groups.has(a) && groups.has(b)).map(
    ({ a, b, asks }) => `| ${asks} | ${a} − ${b} | ${formatDifference(pairedDifference(bySeed(groups.get(a)!), bySeed(groups.get(b)!)))} |`,
  );
  if (rows.length === 0) return ['No control pair run yet.'];
  return ['| question | paired difference | test, points [95 % CI] |', '|---|---|---|', ...rows];
}

/** mixup's alpha as the validation split chooses it: the highest mean final validation accuracy. */
export function chosenMixup(results: Results): { name: string; val: number } | undefined {
  const candidates = [...configurations(results, 'main')].filter(([name]) => name.startsWith('mixup'));
  if (candidates.length === 0) return undefined;
  return candidates.map(([name, runs]) => ({ name, val: mean(runs.map(finalVal)) })).reduce((a, b) => (b.val > a.val ? b : a));
}

/** What the unmixed runs show of overfitting: training vs validation accuracy, and where the validation loss was lowest. */
export function overfitting(results: Results): string {
  const none = configurations(results, 'main').get('none');
  if (!none) return 'No unmixed run yet.';
  const last = none.map((r) => r.epochs.at(-1)!);
  const best = none.map((r) => r.epochs.reduce((a, e) => (e.valLoss < a.valLoss ? e : a)));
  const epochs = none[0]!.epochs.length;
  return (
    `Without mixing (${none.length} seed${none.length === 1 ? '' : 's'}), the last epoch's training accuracy on its batches is ${pct(last.map((e) => e.accuracy))} % (loss ${mean(last.map((e) => e.loss)).toFixed(3)}) ` +
    `against ${pct(last.map((e) => e.valAccuracy))} % on the validation split; the validation loss was lowest at epoch ${best.map((e) => e.epoch).join(', ')} of ${epochs} ` +
    `(${mean(best.map((e) => e.valLoss)).toFixed(3)} on average) and ends at ${mean(last.map((e) => e.valLoss)).toFixed(3)}; the final test accuracy is ${pct(last.map((e) => e.testAccuracy!))} %.`
  );
}

/** The main table. */
export function mainTable(results: Results): string[] {
  const vsCutmix = differences(results, 'cutmix');
  const vsNone = differences(results, 'none');
  const rows = [...configurations(results, 'main')].map(([name, runs]) => {
    const seconds = mean(runs.map((r) => r.secondsPerEpoch)).toFixed(1);
    return `| ${name} | ${pct(runs.map(finalTest))} | ${pct(runs.map(finalVal))} | ${formatDifference(vsCutmix.get(name))} | ${formatDifference(vsNone.get(name))} | ${seconds} | ${runs.length} |`;
  });
  return [
    '| configuration | test accuracy % | validation accuracy % | test Δ vs cutmix, points [95 % CI] | test Δ vs none, points [95 % CI] | s / epoch | seeds |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

/**
 * The N ablation: the teacher's top N, the main comparison's N = 6 beside it, each against the main
 * comparison's N = 6, cutmix and none over the seeds both ran (the ablation's seeds are the first of the main's).
 */
export function ablationTable(results: Results): string[] {
  const main = configurations(results, 'main');
  const ablation = configurations(results, 'ablation');
  const sixName = [...main.keys()].find((k) => k.startsWith('attentive-teacher N='));
  const cellsOf = (name: string) => Number(/N=(\d+)/.exec(name)![1]);
  const against = (baseline: string) => new Map([...differences(results, baseline), ...differences(results, baseline, 'ablation')]);
  const [vsSix, vsCutmix, vsNone] = [sixName ? against(sixName) : new Map<string, PairedDifference>(), against('cutmix'), against('none')];
  const rows = [...ablation, ...(sixName ? [[sixName, main.get(sixName)!] as const] : [])]
    .map(([name, runs]) => ({ name, n: cellsOf(name), runs }))
    .sort((a, b) => a.n - b.n)
    .map(({ name, n, runs }) =>
      `| ${n} | ${(100 * n / 49).toFixed(1)} | ${pct(runs.map(finalTest))} | ${pct(runs.map(finalVal))} | ${formatDifference(vsSix.get(name))} | ${formatDifference(vsCutmix.get(name))} | ${formatDifference(vsNone.get(name))} | ${runs.length} |`);
  if (ablation.size === 0) return ['No ablation run yet.'];
  return [
    `| N (of 49 cells) | cells pasted % | test accuracy % | validation accuracy % | test Δ vs N = ${sixName ? cellsOf(sixName) : '?'}, points [95 % CI] | test Δ vs cutmix, points [95 % CI] | test Δ vs none, points [95 % CI] | seeds |`,
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

/** Where each source's pasted cells fall (on a dataset that knows its objects' boxes), or nothing where it was not measured. */
export function onObjectTable(results: Results): string[] {
  const o = results.onObject;
  if (!o) return [];
  const percents = ({ share, covered, missed }: ObjectShare) => [share, covered, missed].map((x) => (100 * x).toFixed(1)).join(' | ');
  const header = "pasted pixels in the garment's box % | the garment's box pasted % | images whose pasted cells miss the box %";
  return [
    `Where the pasted cells fall: each of the student's ${o.images} training images as the partner, the ${o.topN} of ${o.grid} × ${o.grid} cells a source would paste from it, how much of them lies in the garment's box (on average ${(100 * o.boxShare).toFixed(1)} % of the image), and how much of the box they paste. The model's own CAM is left out: it changes as the student trains.`,
    '',
    `| cells pasted | ${header} |`,
    '|---|---|---|---|',
    `| the teacher's most attended | ${percents(o.sources.teacher)} |`,
    `| the teacher's least attended | ${percents(o.sources['teacher-least'])} |`,
    `| the built-in saliency's most salient | ${percents(o.sources.saliency)} |`,
    `| uniformly random (one draw per image) | ${percents(o.sources.random)} |`,
    '',
    `The teacher's most attended N cells, at each N the runs paste: with area labels the partner's share of the label is the pasted area.`,
    '',
    `| N (of ${o.grid * o.grid} cells) | pasted area, the partner's label % | ${header} |`,
    '|---|---|---|---|---|',
    ...o.teacherByTopN.map((t) => `| ${t.topN} | ${(100 * t.area).toFixed(1)} | ${percents(t)} |`),
    '',
  ];
}

/** The three plots of a dataset, as docs/results.md links them (they lie in docs/results/). */
function plotLinks(dataset: string): string[] {
  return [
    `![test accuracy per epoch](results/${dataset}-curves.png)`,
    '',
    `![paired differences against cutmix](results/${dataset}-differences.png)`,
    '',
    `![the N ablation](results/${dataset}-ablation.png)`,
    '',
  ];
}

/** The block of a dataset that has no runs yet: how to make them, the teacher if it is trained, and no plots to link. */
export function pendingBlock(dataset: string, teacher: Results['teacher'] = null): string {
  const { start, end } = markers(dataset);
  const todo = `No runs yet: \`npm run experiment:${dataset}\`, then \`npm run report:experiments\`.`;
  return [start, ...(teacher ? [todo, '', teacherLine(teacher)] : [todo]), end].join('\n');
}

/** What the teacher is and how well it does on its own. */
function teacherLine(teacher: Results['teacher']): string {
  return teacher
    ? `Teacher: the same network trained without mixing on ${teacher.images} other images of the training files (${teacher.epochs} epochs, ${(teacher.trainSeconds / 60).toFixed(0)} min), loaded with \`loadAttentionExtractor\`, its 'features' channel mean precomputed once: validation ${(100 * teacher.valAccuracy).toFixed(2)} %, test ${(100 * teacher.testAccuracy).toFixed(2)} %.`
    : 'Teacher: not trained yet.';
}

/** The whole generated block of a dataset. */
export function reportBlock(results: Results): string {
  const s = results.settings as Record<string, any>;
  const { start, end } = markers(results.dataset);
  const teacher = results.teacher;
  const hours = results.runs.reduce((a, r) => a + r.totalSeconds, 0) / 3600 + (teacher ? teacher.trainSeconds / 3600 : 0);
  const planned = s.plan.seeds.length * mainConfigurations(s.plan).length + s.plan.ablationSeeds.length * s.plan.ablationTopN.length;
  const mixupChoice = chosenMixup(results);
  return [
    start,
    `${s.data}. Student: ${s.splits.train}, ${s.sizes.epochs} epochs, batch ${s.sizes.batchSize}; validation: ${s.splits.validation}; test: ${s.splits.test}, evaluated every ${s.sizes.testEvery} epochs.`,
    '',
    `Network: ${s.network}. Every method of a seed starts from the same weights and sees the same batches; seeds ${s.plan.seeds.join(', ')} (ablation ${s.plan.ablationSeeds.join(', ')}). Mixing: ${s.mix}.`,
    '',
    teacherLine(teacher),
    '',
    `Runs: ${results.runs.length} of ${planned} planned, ${hours.toFixed(1)} hours of one core (tfjs ${s.tfjs}, ${s.backend}, ${s.machine?.workers ?? '?'} worker processes on ${s.machine?.cores ?? '?'} cores). Command: \`${results.command}\`.`,
    '',
    overfitting(results),
    '',
    ...plotLinks(results.dataset),
    ...mainTable(results),
    '',
    mixupChoice ? `mixup's alpha by validation accuracy: ${mixupChoice.name} (${(100 * mixupChoice.val).toFixed(2)} %).` : '',
    '',
    'The controls, paired over seeds:',
    '',
    ...controlsTable(results),
    '',
    ...onObjectTable(results),
    `N ablation, attentive-teacher, the teacher's top N of 7 × 7 cells:`,
    '',
    ...ablationTable(results),
    end,
  ].join('\n');
}
