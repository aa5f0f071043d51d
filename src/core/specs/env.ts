/**
 * Environment variables and labels in their two accepted forms (a record or `K=V` strings).
 *
 * @module
 */
import { invalidSpec } from './invalid.js';

/**
 * Normalises env input to `K=V` strings in input order.
 *
 * A string without `=` (`'HOME'`) is kept as given: like `docker run -e HOME`, it asks for the
 * caller's own value, which only the caller can look up (the SDK never reads its host's
 * environment behind the caller's back). Backends treat such an entry as unset.
 *
 * @throws InvalidArgumentError `invalid environment variable: =x` for an empty name.
 * @example
 * ```ts
 * normalizeEnv({ A: '1' });        // ['A=1']
 * normalizeEnv(['A=1', 'B']);      // ['A=1', 'B']
 * ```
 */
export function normalizeEnv(env: Record<string, string> | readonly string[] | undefined, path = 'env'): string[] {
  if (env === undefined) return [];
  if (Array.isArray(env)) {
    return (env as readonly string[]).map((entry, i) => {
      const eq = entry.indexOf('=');
      const key = eq < 0 ? entry : entry.slice(0, eq);
      if (key === '') throw invalidSpec(`invalid environment variable: ${entry}`, `${path}[${i}]`, entry);
      return entry;
    });
  }
  return Object.entries(env as Record<string, string>).map(([key, value]) => {
    if (key === '' || key.includes('=')) {
      throw invalidSpec(`invalid environment variable: ${key}=${value}`, `${path}.${key}`, key);
    }
    return `${key}=${value}`;
  });
}

/** Turns `K=V` strings into a record; a later entry wins, a bare `K` maps to `''`. */
export function envToRecord(env: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of env) {
    const eq = entry.indexOf('=');
    if (eq < 0) out[entry] = '';
    else out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/**
 * Normalises labels to a record. Strings are `k=v` (a bare `k` is the empty value, as
 * `docker run --label k` gives).
 *
 * @throws InvalidArgumentError `invalid label '=v': empty name` for an empty key.
 */
export function normalizeLabels(labels: Record<string, string> | readonly string[] | undefined,
  path = 'labels'): Record<string, string> {
  const out: Record<string, string> = {};
  if (labels === undefined) return out;
  if (Array.isArray(labels)) {
    (labels as readonly string[]).forEach((entry, i) => {
      const eq = entry.indexOf('=');
      const key = eq < 0 ? entry : entry.slice(0, eq);
      if (key.trim() === '') throw invalidSpec(`invalid label '${entry}': empty name`, `${path}[${i}]`, entry);
      out[key] = eq < 0 ? '' : entry.slice(eq + 1);
    });
    return out;
  }
  for (const [key, value] of Object.entries(labels as Record<string, string>)) {
    if (key.trim() === '') throw invalidSpec(`invalid label '${key}=${value}': empty name`, `${path}.${key}`, key);
    if (typeof value !== 'string') {
      throw invalidSpec(`invalid label '${key}': value must be a string`, `${path}.${key}`, value);
    }
    out[key] = value;
  }
  return out;
}
