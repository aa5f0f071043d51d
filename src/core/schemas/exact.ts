/**
 * Ties a zod schema to the hand-written interface it validates.
 *
 * The public data types are written out as interfaces so every field carries its own
 * documentation; zod stays the validator. `exactSchema` makes the two unable to drift: the
 * schema must parse to exactly the interface (and accept exactly the given input type), or the
 * call does not type-check. Not re-exported from the package: it is a build-time guard.
 *
 * @module
 */
import type { z } from 'zod';

/**
 * True when A and B are the same type (not merely assignable both ways: an extra optional
 * field, or `string` against `string | undefined` in a required field, makes them differ).
 */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;

/**
 * Resolves to `unknown` (no constraint) when the schema's output and input match the
 * interfaces, else to a string literal type naming the mismatch, which the schema argument
 * cannot be assigned to: the compiler's error then says which side drifted.
 */
type ExactCheck<S extends z.ZodType, Out, In> =
  Same<z.output<S>, Out> extends true
    ? Same<z.input<S>, In> extends true ? unknown : 'schema input differs from its interface'
    : 'schema output differs from its interface';

/**
 * Returns a function that accepts a schema only if it parses to exactly `Out` and accepts
 * exactly `In`, and gives it back typed as `z.ZodType<Out, In>` (so the published type names
 * the interface instead of repeating its shape).
 *
 * @example
 * ```ts
 * export const PortRowSchema = exactSchema<PortRow>()(z.object({ ... }));
 * ```
 */
export function exactSchema<Out, In = Out>() {
  return <S extends z.ZodType<Out, In>>(schema: S & ExactCheck<S, Out, In>): z.ZodType<Out, In> => schema;
}
