/**
 * The `created_by` texts BuildKit writes into an image's history, so `docker history` of an
 * image built here reads like one built by the engine.
 *
 * @module
 */
import type { HealthcheckConfig } from '../core/dockerfile/changes.js';
import { goQuote } from '../core/dockerfile/go-text.js';

/** Go's `%q` of a string slice: `["a" "b"]`. */
export function goQuotedList(items: readonly string[]): string {
  return `[${items.map(goQuote).join(' ')}]`;
}

/** Go's `%v` of a string slice: `[a b]`. */
export function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/** Go's `time.Duration.String()` for nanoseconds (`1m30s`, `300ms`, `0s`). */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let n = Math.abs(ns);
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${trim(n / 1e3)}µs`;
  if (n < 1e9) return `${sign}${trim(n / 1e6)}ms`;
  let out = '';
  const h = Math.floor(n / 3600e9);
  n -= h * 3600e9;
  const m = Math.floor(n / 60e9);
  n -= m * 60e9;
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  return `${sign}${out}${trim(n / 1e9)}s`;
}

function trim(x: number): string {
  return String(Number(x.toFixed(9)));
}

/** `HEALTHCHECK {Test:[CMD-SHELL x] Interval:5s ...}` as BuildKit's `%+v` prints the config. */
export function healthcheckText(hc: HealthcheckConfig): string {
  if (hc.test[0] === 'NONE') return `HEALTHCHECK {Test:${goList(hc.test)} Interval:0s Timeout:0s StartPeriod:0s StartInterval:0s Retries:0}`;
  return `HEALTHCHECK {Test:${goList(hc.test)} Interval:${goDuration(hc.interval ?? 0)} Timeout:${goDuration(hc.timeout ?? 0)} ` +
    `StartPeriod:${goDuration(hc.startPeriod ?? 0)} StartInterval:${goDuration(hc.startInterval ?? 0)} Retries:${hc.retries ?? 0}}`;
}
