// `--stop-by TIME`: a session that must end at a known time stops the experiment at a run's end,
// not in the middle of one (a run cut off is lost: runs are the unit of resumption).

/**
 * The moment `text` names: `HH:MM` is that time today (local time), anything else is read as a
 * date and time (e.g. an ISO string). Throws on anything else.
 */
export function parseStopBy(text: string, now: Date): Date {
  const clock = /^(\d{1,2}):(\d{2})$/.exec(text);
  const when = clock ? new Date(now.getFullYear(), now.getMonth(), now.getDate(), Number(clock[1]), Number(clock[2])) : new Date(text);
  if (Number.isNaN(when.getTime()) || (clock && (Number(clock[1]) > 23 || Number(clock[2]) > 59))) {
    throw new Error(`--stop-by must be a time of today as HH:MM (e.g. 17:05) or a date and time (e.g. 2026-12-06T17:05), but got '${text}'.`);
  }
  return when;
}

/**
 * Whether a job expected to take `expectedSeconds` (unknown: undefined) ends by `stopBy`, started
 * at `now` (milliseconds since the epoch). With no `stopBy` every job starts; past it, none does.
 */
export function endsBy(stopBy: Date | undefined, now: number, expectedSeconds: number | undefined): boolean {
  if (stopBy === undefined) return true;
  return now + 1000 * (expectedSeconds ?? 0) <= stopBy.getTime();
}

/**
 * How long the next run is expected to take: as long as the longest of the last `2 × workers`
 * runs, which ran under today's load (a run that shared its cores with other work took twice as
 * long), or undefined before any run.
 */
export function expectedRunSeconds(runs: readonly { totalSeconds: number }[], workers: number): number | undefined {
  const recent = runs.slice(-2 * workers);
  return recent.length === 0 ? undefined : Math.max(...recent.map((r) => r.totalSeconds));
}
