// The experiment's plan: every configuration the issue asks for, at its seeds, each named so that
// a reader tells the controls apart, each run keyed once.
import { describe, expect, it } from 'vitest';

import { PLAN, configurationName, mainConfigurations, planRuns, runKey } from '../../scripts/experiment/plan.js';
import { sameAreaCells } from '../../examples/training/methods.js';

describe('the plan', () => {
  const runs = planRuns(PLAN);

  it('runs every main configuration at 5 seeds and the N ablation at 3, each run once', () => {
    const names = mainConfigurations(PLAN).map(configurationName);
    expect(names).toEqual([
      'none',
      'mixup α=0.2',
      'mixup α=1',
      'cutmix',
      'attentive-teacher N=6',
      'attentive-random N=6',
      'attentive-least N=6',
      'cutmix-same-area',
      'attentive-cam N=6',
      'attentive-saliency N=6',
      'attentive-teacher-beta (N ~ Beta(1))',
      'resizemix',
      'saliencymix',
      'fmix',
    ]);
    for (const name of names) expect(runs.filter((r) => r.part === 'main' && configurationName(r) === name).map((r) => r.seed)).toEqual([1, 2, 3, 4, 5]);
    const ablation = runs.filter((r) => r.part === 'ablation');
    expect(ablation.every((r) => r.method === 'attentive-teacher')).toBe(true);
    expect([...new Set(ablation.map((r) => r.topN))]).toEqual([1, 3, 9, 12, 15]);
    for (const n of [1, 3, 9, 12, 15]) expect(ablation.filter((r) => r.topN === n).map((r) => r.seed)).toEqual([1, 2, 3]);
    expect(runs.length).toBe(14 * 5 + 5 * 3);
    expect(new Set(runs.map(runKey)).size).toBe(runs.length);
  });

  it('pastes the same amount in the controls as in the paper\'s setting: N = 6 of 49 cells', () => {
    for (const method of ['attentive-teacher', 'attentive-random', 'attentive-least', 'cutmix-same-area', 'attentive-cam', 'attentive-saliency'] as const) {
      expect(runs.filter((r) => r.method === method && r.part === 'main').every((r) => r.topN === 6)).toBe(true);
    }
    expect(runs.filter((r) => r.method === 'attentive-teacher-beta').every((r) => typeof r.topN === 'object')).toBe(true);
  });

  it('seeds come first, so each finished seed completes a set of paired runs; the ablation comes last', () => {
    const firstAblation = runs.findIndex((r) => r.part === 'ablation');
    expect(runs.slice(firstAblation).every((r) => r.part === 'ablation')).toBe(true);
    expect(runs.slice(0, 11).every((r) => r.seed === 1)).toBe(true);
  });

  it('cutmix-same-area pastes a × b cells with a·b = N, as square as can be', () => {
    expect(sameAreaCells(6)).toEqual([2, 3]);
    expect(sameAreaCells(12)).toEqual([3, 4]);
    expect(sameAreaCells(9)).toEqual([3, 3]);
    expect(sameAreaCells(7)).toEqual([1, 7]);
    expect(sameAreaCells(1)).toEqual([1, 1]);
  });
});
