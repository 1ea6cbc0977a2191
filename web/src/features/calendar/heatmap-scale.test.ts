import { describe, expect, it } from 'vitest';
import {
  contrastRatio,
  heatColors,
  heatStep,
  heatSteps,
  percentOf,
  relativeLuminance,
  stepRange,
  type HeatStep,
} from './heatmap-scale';

describe('percentOf', () => {
  it('rounds a ratio to a whole percentage', () => {
    expect(percentOf(0.6)).toBe(60);
    expect(percentOf(0.3125)).toBe(31);
    expect(percentOf(0.315)).toBe(32);
    expect(percentOf(1)).toBe(100);
    expect(percentOf(0)).toBe(0);
  });

  it('never prints 0% for a day with something booked, nor 100% for a day with room left', () => {
    expect(percentOf(0.001)).toBe(1);
    expect(percentOf(0.004)).toBe(1);
    expect(percentOf(0.996)).toBe(99);
    expect(percentOf(0.9999)).toBe(99);
  });

  it('goes over 100 when overbooked', () => {
    expect(percentOf(1.25)).toBe(125);
    expect(percentOf(1.0001)).toBe(100);
  });

  it('keeps null (no capacity) null', () => {
    expect(percentOf(null)).toBeNull();
    expect(percentOf(undefined)).toBeNull();
    expect(percentOf(Number.NaN)).toBeNull();
  });
});

describe('heatStep', () => {
  it('puts each printed percentage in its step, at the boundaries too', () => {
    const cases: [number, HeatStep][] = [
      [0, 0],
      [0.001, 1],
      [0.01, 1],
      [0.244, 1],
      [0.245, 2],
      [0.25, 2],
      [0.49, 2],
      [0.494, 2],
      [0.495, 3],
      [0.5, 3],
      [0.74, 3],
      [0.75, 4],
      [0.99, 4],
      [0.999, 4],
      [1, 5],
      [1.5, 5],
    ];
    for (const [ratio, step] of cases) {
      expect(heatStep(ratio), `ratio ${ratio}`).toBe(step);
    }
  });

  it('gives a day without capacity its own step', () => {
    expect(heatStep(null)).toBe('closed');
    expect(heatStep(undefined)).toBe('closed');
  });

  it('matches the legend: every percentage falls in the range of its step', () => {
    for (let percent = 0; percent <= 130; percent++) {
      const step = heatStep(percent / 100);
      if (step === 'closed') throw new Error('unexpected');
      const [from, to] = stepRange(step);
      expect(percent, `${percent}% in step ${step}`).toBeGreaterThanOrEqual(from);
      if (to !== null) expect(percent).toBeLessThanOrEqual(to);
    }
    expect(heatSteps.map(stepRange)).toEqual([
      [0, 0],
      [1, 24],
      [25, 49],
      [50, 74],
      [75, 99],
      [100, null],
    ]);
  });
});

describe('colours', () => {
  it('computes WCAG contrast like the reference values', () => {
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 5);
    expect(relativeLuminance('#000000')).toBe(0);
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  it('prints every step’s text with at least AA contrast (4.5:1) on its cell', () => {
    for (const [step, { background, text }] of Object.entries(heatColors)) {
      expect(contrastRatio(background, text), `step ${step}`).toBeGreaterThanOrEqual(4.5);
      // Today's marker inverts the two colours: the same contrast.
      expect(contrastRatio(text, background)).toBeCloseTo(contrastRatio(background, text), 10);
    }
  });

  it('darkens step by step, so the order reads without telling hues apart', () => {
    const luminances = heatSteps.map((step) => relativeLuminance(heatColors[step].background));
    for (let i = 1; i < luminances.length; i++) {
      expect(luminances[i]).toBeLessThan(luminances[i - 1] ?? 0);
    }
  });
});
