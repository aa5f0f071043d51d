/**
 * Checking a backend factory's options like every other input: a strict schema whose keys
 * must be exactly those of the options interface (else the call does not type-check), the key
 * list `Engine.open({ backend: 'auto' })` uses to hand each backend only its own options, and
 * a check that throws InvalidArgumentError naming the bad field.
 *
 * @module
 */
import type { z } from 'zod';
import { parseInput } from './validate.js';

/** `unknown` when the two key sets are the same, else a message type the schema cannot match. */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? unknown : 'the schema lacks an option of the interface') : 'the schema has a key the interface lacks';

/** What {@link backendOptions} returns. */
export interface BackendOptionsCheck<T> {
  /** The option names, in schema order. */
  keys: readonly (keyof T)[];
  /** Throws InvalidArgumentError (`options.<field>`) unless `value` is valid options. */
  check(value: unknown): void;
}

/**
 * Ties a strict options schema to the options interface `T` of a backend.
 *
 * @example
 * ```ts
 * const emulator = backendOptions<EmulatorOptions>()(strictObject({ logBytes: z.number().optional(), ... }));
 * emulator.check(options);
 * ```
 */
export function backendOptions<T>() {
  return <S extends z.ZodRawShape>(schema: z.ZodObject<S> & SameKeys<keyof S, keyof T>): BackendOptionsCheck<T> => ({
    keys: Object.keys(schema.shape) as (keyof T)[],
    check: (value) => {
      parseInput(schema, value, 'options');
    },
  });
}
