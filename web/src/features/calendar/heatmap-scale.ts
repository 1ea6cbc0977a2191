// The heatmap's colour scale: an occupancy ratio → one of six steps, each a
// background and the colour of the text printed on it (the day's number and
// percentage). One hue (berth's sea blue) from white to deep navy, so the
// order reads without telling hues apart, and every text colour meets WCAG
// AA (4.5:1) on its background (heatmap-scale.test.ts checks it). The
// percentage is always printed: colour is never the only signal.
//
// Steps follow the *printed* percentage, so the legend's ranges match what a
// cell says: 0 %, 1–24 %, 25–49 %, 50–74 %, 75–99 %, 100 % and over. The
// printed percentage never rounds a partly booked day to 0 % or a day with
// room left to 100 %.

/** A step of the scale; `closed` is a day without capacity (ratio null). */
export type HeatStep = 0 | 1 | 2 | 3 | 4 | 5 | 'closed';

/** The steps with a ratio, emptiest first. */
export const heatSteps = [0, 1, 2, 3, 4, 5] as const;

/** The lowest printed percentage of each step (the legend's ranges). */
export const stepFloors: Record<Exclude<HeatStep, 'closed'>, number> = {
  0: 0,
  1: 1,
  2: 25,
  3: 50,
  4: 75,
  5: 100,
};

/** A step's colours: the cell's background and its text. */
export interface HeatColors {
  background: string;
  text: string;
}

export const heatColors: Record<HeatStep, HeatColors> = {
  0: { background: '#ffffff', text: '#1b2733' },
  1: { background: '#e1edf7', text: '#0b3a5c' },
  2: { background: '#b5d3ec', text: '#0b3a5c' },
  3: { background: '#6aa2d3', text: '#061f33' },
  4: { background: '#2a6aa5', text: '#ffffff' },
  5: { background: '#0b3a5c', text: '#ffffff' },
  closed: { background: '#eceff2', text: '#495057' },
};

/**
 * A ratio as the whole percentage printed (0.6 → 60): rounded, except that a
 * day with anything booked is at least 1 and a day with room left at most 99.
 * Over 100 when the capacity is overbooked (1.25 → 125). Null stays null.
 */
export function percentOf(ratio: number | null | undefined): number | null {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return null;
  if (ratio <= 0) return 0;
  const rounded = Math.round(ratio * 100);
  if (rounded === 0) return 1;
  if (rounded >= 100 && ratio < 1) return 99;
  return rounded;
}

/** The step of a printed percentage. */
export function stepOfPercent(percent: number): Exclude<HeatStep, 'closed'> {
  if (percent >= 100) return 5;
  if (percent >= 75) return 4;
  if (percent >= 50) return 3;
  if (percent >= 25) return 2;
  if (percent >= 1) return 1;
  return 0;
}

/** The step of an occupancy ratio (null: the day has no capacity). */
export function heatStep(ratio: number | null | undefined): HeatStep {
  const percent = percentOf(ratio);
  return percent === null ? 'closed' : stepOfPercent(percent);
}

/** The percentages a step covers, for the legend: [from, to] (to null: and over). */
export function stepRange(step: Exclude<HeatStep, 'closed'>): [number, number | null] {
  const next = heatSteps[step + 1];
  return [stepFloors[step], step === 0 ? 0 : next === undefined ? null : stepFloors[next] - 1];
}

/** WCAG 2 relative luminance of a `#rrggbb` colour. */
export function relativeLuminance(hex: string): number {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new RangeError(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [match[1], match[2], match[3]].map((h) => {
    const c = parseInt(h ?? '0', 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
