// Formatting helpers shared by the pages: sizes, durations, times.
import type { Lang } from "./i18n";

const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** 1536 -> "1.5 KB" (binary multiples, at most one decimal). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  let value = Math.max(0, n);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = unit === 0 || value >= 100 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, "");
  return `${text} ${UNITS[unit]}`;
}

/** The units a byte-valued setting is entered in: binary multiples, as the server counts
 * (`limits.max_message_size` is "1 KiB to 2 GiB"). */
export const SIZE_UNITS = ["B", "KB", "MB", "GB"] as const;
export type SizeUnit = (typeof SIZE_UNITS)[number];
const UNIT_BYTES: Record<SizeUnit, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** Bytes in the largest unit that divides them exactly: 26214400 -> 25 MB, 4096 -> 4 KB,
 * 1500 -> 1500 B. */
export function splitBytes(n: number): { amount: number; unit: SizeUnit } {
  if (!Number.isInteger(n) || n <= 0) return { amount: n, unit: "B" };
  const unit = [...SIZE_UNITS].reverse().find((u) => n % UNIT_BYTES[u] === 0) ?? "B";
  return { amount: n / UNIT_BYTES[unit], unit };
}

/** `amount` of `unit` in whole bytes (2.5 MB -> 2621440); null when no amount is given. */
export function joinBytes(amount: number | null | undefined, unit: SizeUnit): number | null {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return null;
  return Math.round(amount * UNIT_BYTES[unit]);
}

/** Seconds as the two largest units: 93784 -> "1d 2h" ("1天 2小时" in Chinese). */
export function formatDuration(secs: number, lang: Lang = "en"): string {
  const s = Math.max(0, Math.floor(secs));
  const parts: [number, string, string][] = [
    [Math.floor(s / 86400), "d", "天"],
    [Math.floor((s % 86400) / 3600), "h", "小时"],
    [Math.floor((s % 3600) / 60), "m", "分钟"],
    [s % 60, "s", "秒"],
  ];
  const first = parts.findIndex(([v]) => v > 0);
  if (first === -1) return lang === "zh" ? "0秒" : "0s";
  return parts
    .slice(first, first + 2)
    .filter(([v]) => v > 0)
    .map(([v, en, zh]) => `${v}${lang === "zh" ? zh : en}`)
    .join(" ");
}

/** Unix seconds (or milliseconds with `ms`) as a local date and time. */
export function formatTime(t: number, lang: Lang = "en", ms = false): string {
  const d = new Date(ms ? t : t * 1000);
  return d.toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  });
}

/** Unix seconds relative to `now` (seconds): "in 5m", "3h ago". */
export function formatRelative(t: number, now: number, lang: Lang = "en"): string {
  const diff = t - now;
  if (Math.abs(diff) < 5) return lang === "zh" ? "现在" : "now";
  const span = formatDuration(Math.abs(diff), lang);
  if (lang === "zh") return diff > 0 ? `${span}后` : `${span}前`;
  return diff > 0 ? `in ${span}` : `${span} ago`;
}

/** The share of a quota used, 0–100, or null when unlimited. */
export function quotaPercent(used: number, quota: number | null | undefined): number | null {
  if (quota === null || quota === undefined || quota <= 0) return null;
  return Math.min(100, Math.round((used / quota) * 100));
}

/** The service a log entry belongs to, from its target: `smtp::op::data` -> `smtp`. */
export function logService(target: string): string {
  return target.split("::")[0] || target;
}

/** A server error's `field` as a form field's path: `route[0].relay` -> ["route", 0, "relay"];
 * a trailing list index names the list (`listen.smtp[1]` -> ["listen", "smtp"]). */
export function fieldPath(field: string): (string | number)[] {
  const path = field
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== "")
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  while (path.length > 1 && typeof path[path.length - 1] === "number") path.pop();
  return path;
}

/** Whether `values` (a form's values) has something at `path`. */
export function hasPath(values: unknown, path: (string | number)[]): boolean {
  let at: unknown = values;
  for (const part of path) {
    if (at === null || typeof at !== "object" || !(part in (at as object))) return false;
    at = (at as Record<string | number, unknown>)[part];
  }
  return true;
}
