// When mixing is on during training (timm's `mixup_off_epoch`, and more): a schedule of a mixer,
// checked once with its options, that scales each call's `prob` by where training is.
import { type OptionRule, type ResolvedOptions, customOption, numberOption, resolveOptions } from '../options.js';
import { argumentError, describe, errorMessage } from '../validation.js';

/**
 * Where training is when a batch is mixed: both 0-based.
 * @public
 */
export interface MixProgress {
  /** The epoch the batch belongs to. */
  readonly epoch: number;
  /** The batch's index over the whole run, every epoch counted. */
  readonly step: number;
}

/**
 * When a mixer mixes: each batch's chance to be mixed is the mixer's `prob` times the schedule's
 * factor at that batch, 0 once mixing is off. Given to {@link createMixer} or {@link mixDataset}
 * as `schedule`. A batch whose factor is 0 still goes through the op (its draws are made, so that
 * turning mixing off leaves the draws of later batches as they were) and comes out unmixed: the
 * images unchanged, lambda 1, the labels float32 `[B, K]` as for a mixed batch.
 * @public
 */
export interface MixSchedule {
  /** Mixing off from this epoch on, 0-based: `offEpoch: 90` mixes epochs 0 to 89 (timm's `mixup_off_epoch`). An integer ≥ 0. */
  offEpoch?: number;
  /** Mixing off from this step on, 0-based: the batch's index over the whole run. An integer ≥ 0. */
  offStep?: number;
  /**
   * The factor at each batch, a number in [0, 1] that multiplies `prob`: a probability schedule,
   * such as `({ epoch }) => Math.min(1, epoch / 5)` to bring mixing in over five epochs.
   */
  prob?: (progress: MixProgress) => number;
}

/**
 * What every mixer's config may add to its method's options: when it mixes.
 * @public
 */
export interface ScheduledConfig {
  /** When the mixer mixes, by epoch or step (see {@link MixSchedule}); default: always, at `prob`. */
  schedule?: MixSchedule;
}

const SCHEDULE_FIELDS = {
  offEpoch: numberOption({ min: 0, integer: true }),
  offStep: numberOption({ min: 0, integer: true }),
  prob: customOption('a function ({ epoch, step }) => a number in [0, 1]', (f): f is (progress: MixProgress) => number => typeof f === 'function'),
};

/** A schedule as checked. */
export type ResolvedSchedule = ResolvedOptions<typeof SCHEDULE_FIELDS>;

/** The `schedule` option: an object of {@link MixSchedule}'s fields, each checked, naming `options.schedule.<field>`. */
export const SCHEDULE_OPTION: OptionRule<ResolvedSchedule | undefined> = {
  default: undefined,
  expected: 'an object { offEpoch?, offStep?, prob? }',
  check: (op, arg, value) => resolveOptions(op, SCHEDULE_FIELDS, value, arg),
};

/** Whether the schedule needs the epoch: it ends at an epoch, or its factor may read it. */
export function dependsOnEpoch(schedule: ResolvedSchedule | undefined): boolean {
  return schedule !== undefined && (schedule.offEpoch !== undefined || schedule.prob !== undefined);
}

/**
 * The schedule's factor at `progress`: 0 from `offEpoch` or `offStep` on, else `prob(progress)`
 * (1 without one), which must be a number in [0, 1]; `op` and `arg` name the schedule in errors.
 */
export function scheduleFactor(op: string, arg: string, schedule: ResolvedSchedule, progress: MixProgress): number {
  const { offEpoch, offStep, prob } = schedule;
  if ((offEpoch !== undefined && progress.epoch >= offEpoch) || (offStep !== undefined && progress.step >= offStep)) return 0;
  if (!prob) return 1;
  const at = `at epoch ${progress.epoch}, step ${progress.step}`;
  let factor: unknown;
  try {
    factor = prob({ epoch: progress.epoch, step: progress.step });
  } catch (e) {
    throw new Error(`The function '${arg}.prob' passed to '${op}' threw ${at}: ${errorMessage(e)}`, { cause: e });
  }
  if (typeof factor !== 'number' || !(factor >= 0 && factor <= 1)) throw argumentError(op, `${arg}.prob`, 'a function returning a number in [0, 1]', `${describe(factor)} ${at}`);
  return factor;
}
