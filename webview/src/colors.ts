// Colours from the VS Code theme: run colours from the chart palette (--vscode-charts-*), the heatmap scales
// between the editor background and a chart colour, and the diverging scale for differences (blue = student
// below teacher, background = equal, red = student above). Read again whenever the theme changes, so light, dark
// and high-contrast themes all get legible charts.

export type Rgb = [number, number, number];

/** Parses #rgb, #rrggbb(aa) and rgb()/rgba() as computed styles give them; undefined otherwise. */
export function parseCssColor(text: string): Rgb | undefined {
  const s = text.trim();
  let m = /^#([0-9a-f]{3})$/i.exec(s);
  if (m?.[1] !== undefined) {
    const [r, g, b] = [...m[1]].map((c) => parseInt(c + c, 16));
    return [r ?? 0, g ?? 0, b ?? 0];
  }
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(s);
  if (m?.[1] !== undefined) {
    const v = parseInt(m[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(s);
  if (m !== null) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return undefined;
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const u = Math.max(0, Math.min(1, t));
  return [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u];
}

/** v in [0, 1] from `low` (background) to `high`. */
export function sequential(v: number, low: Rgb, high: Rgb): Rgb {
  // sqrt brightens small probabilities, which carry most of the structure in attention maps.
  return mix(low, high, Math.sqrt(Math.max(0, Math.min(1, v))));
}

/** v in [-1, 1]: `negative` at -1, `middle` at 0, `positive` at 1. */
export function diverging(v: number, negative: Rgb, middle: Rgb, positive: Rgb): Rgb {
  return v < 0 ? mix(middle, negative, -v) : mix(middle, positive, v);
}

export function cssRgb(c: Rgb, alpha = 1): string {
  const [r, g, b] = c.map((x) => Math.round(x));
  return alpha >= 1 ? `rgb(${r}, ${g}, ${b})` : `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

export interface ThemeColors {
  foreground: Rgb;
  background: Rgb;
  grid: Rgb;
  runs: Rgb[];
  negative: Rgb;
  positive: Rgb;
  heat: Rgb;
  highContrast: boolean;
}

const FALLBACK_RUNS: Rgb[] = [
  [55, 148, 255],
  [241, 76, 76],
  [204, 167, 0],
  [137, 209, 133],
  [179, 128, 255],
  [209, 134, 22],
];

/** The current theme's colours (reads CSS variables from the body). */
export function readThemeColors(): ThemeColors {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: Rgb): Rgb => parseCssColor(style.getPropertyValue(name)) ?? fallback;
  const background = v('--vscode-editor-background', [30, 30, 30]);
  const foreground = v('--vscode-editor-foreground', [204, 204, 204]);
  const names = ['blue', 'red', 'yellow', 'green', 'purple', 'orange'];
  const runs = names.map((n, i) => v(`--vscode-charts-${n}`, FALLBACK_RUNS[i] ?? [128, 128, 128]));
  return {
    foreground,
    background,
    grid: mix(background, foreground, 0.15),
    runs,
    negative: v('--vscode-charts-blue', [55, 148, 255]),
    positive: v('--vscode-charts-red', [241, 76, 76]),
    heat: v('--vscode-charts-orange', [209, 134, 22]),
    highContrast: document.body.classList.contains('vscode-high-contrast'),
  };
}

/** Colour of the i-th run; past the palette, the palette again at a lighter/darker shade. */
export function runColor(theme: ThemeColors, i: number): Rgb {
  const base = theme.runs[i % theme.runs.length] ?? [128, 128, 128];
  const round = Math.floor(i / theme.runs.length);
  return round === 0 ? base : mix(base, round % 2 === 1 ? theme.foreground : theme.background, 0.35);
}
