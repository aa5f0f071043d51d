/**
 * Objects that refuse keys they do not know.
 *
 * zod's plain objects drop unknown keys silently, so a typo is lost without a word: a mount
 * given `readonly: true` comes out writable. Every input object of the public API is built
 * with {@link strictObject} instead, and {@link parseInput} turns an unknown key into an
 * `InvalidArgumentError` that names the key's path and, for a near miss, the key that was
 * probably meant (`readonly` -> `readOnly`).
 *
 * @module
 */
import { z } from 'zod';

/** What an unknown-key issue carries in its `params`, for {@link parseInput} to explain. */
export interface UnknownKeyParams {
  /** Marks the issue. */
  reason: 'unknown-key';
  /** The keys the object knows, to suggest the one that was meant. */
  known: readonly string[];
}

/** Recognises the `params` of an unknown-key issue. */
export function isUnknownKeyParams(params: unknown): params is UnknownKeyParams {
  return typeof params === 'object' && params !== null && (params as { reason?: unknown }).reason === 'unknown-key';
}

/**
 * An object schema that accepts exactly the keys of `shape`. Typed as zod's own strict object
 * (so `z.infer` and `exactSchema` see the same shape); every other key fails as an issue at
 * that key's path, whose `params` list the known keys.
 *
 * @example
 * ```ts
 * const MountSpecSchema = strictObject({ target: z.string(), readOnly: z.boolean().optional() });
 * ```
 */
export function strictObject<S extends z.ZodRawShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  const params: UnknownKeyParams = { reason: 'unknown-key', known: Object.keys(shape) };
  // A catchall that fails every value reports each unknown key at its own path (zod's strict
  // mode reports them all at the object's path, with no room to say what was meant).
  const unknownKey = z.custom<never>(() => false, { params, error: 'unknown key' });
  return z.object(shape).catchall(unknownKey) as unknown as z.ZodObject<S, z.core.$strict>;
}

/**
 * The known key `key` was most likely meant as: the same letters in another case, else the
 * nearest by edit distance (adjacent swaps count as one edit) when it is close enough to be a
 * typo rather than another word.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameLetters = known.find((k) => k.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // Two edits for words of five letters or more, one below that: `tiemout`, `volume`, `tag`.
  const allowed = Math.min(key.length, best?.length ?? 0) >= 5 ? 2 : 1;
  return bestDistance <= allowed ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  // Bounded work: keys are short, and a huge unknown key is no typo of a known one.
  if (Math.abs(a.length - b.length) > 2 || a.length > 64) return Infinity;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]![j] = j;
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
