// The Mantine theme: berth's sea blue, contrast that passes WCAG AA for text
// on white (primary shade 7 ≈ 7:1; "dimmed" and error text darkened from
// Mantine's gray 6 and red 6, both near 3.3:1; orange and yellow light-variant
// text darkened likewise), a visible focus ring on keyboard focus, and the
// system font stack (no web fonts: nothing to download, works offline).
import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

const sea: MantineColorsTuple = [
  '#e8f1f8',
  '#d2e2ef',
  '#a6c5e0',
  '#76a6cf',
  '#4f8bc0',
  '#367ab7',
  '#2a6aa5',
  '#1f5a8d',
  '#124a73',
  '#0b3a5c',
];

export const theme = createTheme({
  primaryColor: 'sea',
  primaryShade: { light: 7, dark: 4 },
  colors: { sea },
  focusRing: 'auto',
  defaultRadius: 'md',
  cursorType: 'pointer',
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif',
  headings: { fontWeight: '650' },
});

export const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': t.colors.gray[7],
    // Error text (field errors, the red of invalid inputs): red 6 is 3.3:1.
    '--mantine-color-error': t.colors.red[9],
    // The text of orange and yellow "light" alerts, badges and buttons (their
    // titles): Mantine's orange 9 is 3.9:1 and yellow 9 2.8:1 on their own
    // tint; these dark shades are 6.2:1 and 6.5:1 on it over the page's body.
    '--mantine-color-orange-light-color': '#9a3412',
    '--mantine-color-yellow-light-color': '#7a4b00',
    // Filled red buttons (destructive confirmations): white on red 7 is
    // 3.9:1; on red 9 it is 5.5:1, and the hover goes darker still.
    '--mantine-color-red-filled': t.colors.red[9],
    '--mantine-color-red-filled-hover': '#a51d1d',
    '--mantine-color-body': '#f4f7fa',
  },
  dark: {},
});
