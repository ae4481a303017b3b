import { describe, expect, it } from 'vitest';

import { endsBy, expectedRunSeconds, parseStopBy } from '../../scripts/experiment/stop_by.js';

describe('--stop-by', () => {
  const now = new Date(2026, 11, 6, 14, 30);

  it('reads HH:MM as that time today, and a date and time as given', () => {
    expect(parseStopBy('17:05', now)).toEqual(new Date(2026, 11, 6, 17, 5));
    expect(parseStopBy('9:00', now)).toEqual(new Date(2026, 11, 6, 9, 0));
    expect(parseStopBy('2026-12-07T01:15:00Z', now)).toEqual(new Date(Date.UTC(2026, 11, 7, 1, 15)));
  });

  it.each(['17', '25:00', '17:60', 'tonight', ''])("refuses '%s', saying what it takes", (text) => {
    expect(() => parseStopBy(text, now)).toThrow(`--stop-by must be a time of today as HH:MM (e.g. 17:05) or a date and time (e.g. 2026-12-06T17:05), but got '${text}'.`);
  });

  it('starts a run only if it is expected to end by then; past it, nothing starts; without it, everything does', () => {
    const stopBy = new Date(2026, 11, 6, 15, 0);
    expect(endsBy(stopBy, now.getTime(), 29 * 60)).toBe(true);
    expect(endsBy(stopBy, now.getTime(), 30 * 60)).toBe(true);
    expect(endsBy(stopBy, now.getTime(), 31 * 60)).toBe(false);
    expect(endsBy(stopBy, stopBy.getTime() + 1, undefined)).toBe(false);
    expect(endsBy(stopBy, now.getTime(), undefined)).toBe(true);
    expect(endsBy(undefined, now.getTime(), 1e9)).toBe(true);
  });

  it("expects a run to take as long as the longest of the last two per worker, not an old one's time under other load", () => {
    const runs = [1876, 1848, 969, 979, 828, 832, 674].map((totalSeconds) => ({ totalSeconds }));
    expect(expectedRunSeconds(runs, 2)).toBe(979);
    expect(expectedRunSeconds(runs, 1)).toBe(832);
    expect(expectedRunSeconds(runs, 4)).toBe(1876);
    expect(expectedRunSeconds([], 2)).toBeUndefined();
  });
});
