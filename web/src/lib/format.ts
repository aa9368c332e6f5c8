/** Numbers as a person reads them: times, sizes, bitrates. */

/** 75 → "1:15", 3725 → "1:02:05"; unknown or negative → "0:00". */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return "0:00";
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Spoken form for screen readers: 75 → "1 minute 15 seconds". */
export function speakTime(seconds: number | null | undefined): string {
  const whole = seconds != null && Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  const parts = [];
  if (h) parts.push(part(h, "hour"));
  if (m) parts.push(part(m, "minute"));
  if (s || parts.length === 0) parts.push(part(s, "second"));
  return parts.join(" ");
}

const UNITS = ["bytes", "KB", "MB", "GB", "TB"];

/** 1536 → "1.5 KB" (powers of 1024, one decimal below 10). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} bytes`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

/** 128000 → "128 kbps". */
export function formatBitrate(bitsPerSecond: number | null | undefined): string {
  if (!bitsPerSecond || !Number.isFinite(bitsPerSecond)) return "";
  return `${Math.round(bitsPerSecond / 1000)} kbps`;
}

/** 0.4567 → "46%" (a fraction in 0..1, clamped). */
export function formatPercent(fraction: number): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  return `${Math.floor(f * 100)}%`;
}

const RELATIVE_STEPS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 30],
  ["month", 12],
  ["year", Infinity],
];

/** An ISO time from `now`: "just now", "5 minutes ago", "in 3 days". */
export function formatRelative(iso: string, now = Date.now(), locale = "en"): string {
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return "";
  let value = (then - now) / 1000;
  if (Math.abs(value) < 45) return "just now";
  const words = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(value) < size) return words.format(Math.round(value), unit);
    value /= size;
  }
  return words.format(Math.round(value), "year");
}

/** An ISO time as a date and time in the person's own locale. */
export function formatDateTime(iso: string): string {
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return "";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(then);
}

const GIB = 1024 ** 3;

/** A quota typed in GB ("2", "0.5"), in bytes; null for an empty field, NaN for nonsense. */
export function parseGigabytes(text: string): number | null {
  const trimmed = text.trim().replace(",", ".");
  if (trimmed === "") return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value < 0) return Number.NaN;
  return Math.round(value * GIB);
}

/** Bytes as GB for an input field: 1610612736 → "1.5". */
export function toGigabytes(bytes: number | null): string {
  if (bytes == null) return "";
  return String(Math.round((bytes / GIB) * 100) / 100);
}
