// Strings and number formats of the dashboard, from the host's snapshot (the VS Code UI language).
import { format, type DashboardStringKey, type DashboardStrings } from '../../src/protocol/dashboardStrings';

let strings: DashboardStrings | undefined;
let locale = 'en';

export function setStrings(value: DashboardStrings, language: string): void {
  strings = value;
  locale = language;
}

/** The string for `key` with `{0}` placeholders filled; the key itself before the first snapshot. */
export function t(key: DashboardStringKey, ...args: (string | number)[]): string {
  return format(strings?.[key] ?? key, ...args);
}

export function currentLocale(): string {
  return locale;
}

const formats = new Map<string, Intl.NumberFormat>();
function nf(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}:${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (f === undefined) {
    f = new Intl.NumberFormat(locale, options);
    formats.set(key, f);
  }
  return f;
}

/** A measurement with 4 significant digits (losses, rates), scientific when tiny or huge. */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(3);
  return nf({ maximumSignificantDigits: 4 }).format(x);
}

export function formatInteger(x: number): string {
  return Number.isFinite(x) ? nf({ maximumFractionDigits: 0 }).format(x) : '–';
}

export function formatFixed(x: number, digits: number): string {
  return Number.isFinite(x)
    ? nf({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x)
    : '–';
}

export function formatPercent(rate: number, digits = 1): string {
  return Number.isFinite(rate)
    ? nf({ style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(rate)
    : '–';
}

export function formatMiB(bytes: number): string {
  return `${formatFixed(bytes / 2 ** 20, bytes < 2 ** 20 ? 3 : 1)} MiB`;
}

/** Seconds as 1h02m03s / 2m05s / 12.3s. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.max(0, seconds);
  if (s < 60) return `${formatFixed(s, s < 10 ? 1 : 0)}s`;
  const whole = Math.round(s);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  return hours > 0
    ? `${hours}h${String(minutes).padStart(2, '0')}m${String(rest).padStart(2, '0')}s`
    : `${minutes}m${String(rest).padStart(2, '0')}s`;
}

export function formatClock(ms: number): string {
  return new Date(ms).toLocaleString(locale, { hour12: false });
}
