// The statistics of the experiments' report: mean, sample standard deviation, and paired
// differences over seeds with a t confidence interval.
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The sample standard deviation (n − 1); 0 for fewer than two values. */
export const std = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

/** A paired difference `a − b` over the seeds both have. */
export interface PairedDifference {
  /** The seeds paired, ascending. */
  seeds: number[];
  mean: number;
  /** The 95 % confidence interval of the mean difference, Student's t with n − 1 degrees of freedom; null below 2 pairs. */
  low: number | null;
  high: number | null;
  /** The interval excludes 0. */
  real: boolean;
}

/**
 * The mean of `a[seed] − b[seed]` over the seeds in both, with its 95 % t interval
 * `mean ± t(0.975, n − 1) · sd / √n`.
 */
export function pairedDifference(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): PairedDifference {
  const seeds = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
  const d = seeds.map((s) => a.get(s)! - b.get(s)!);
  if (d.length < 2) return { seeds, mean: d.length ? d[0]! : NaN, low: null, high: null, real: false };
  const m = mean(d);
  const half = (tQuantile(0.975, d.length - 1) * std(d)) / Math.sqrt(d.length);
  return { seeds, mean: m, low: m - half, high: m + half, real: m - half > 0 || m + half < 0 };
}
