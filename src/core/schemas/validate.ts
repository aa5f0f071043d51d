/**
 * Validation at the public edge: zod parses inputs once, and a failed parse becomes an
 * {@link InvalidArgumentError} naming the bad field.
 *
 * @module
 */
import { z } from 'zod';
import { InvalidArgumentError } from '../errors.js';
import { exactSchema } from './exact.js';

/**
 * Parses `value` with `schema`, or throws InvalidArgumentError whose message and
 * `details.path` name the first bad field (e.g. `spec.ports.0.containerPort`).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [what, ...issue.path.map(String)].join('.');
  throw new InvalidArgumentError(`invalid ${path}: ${issue.message}`, {
    details: { path, issues: result.error.issues },
    cause: result.error,
  });
}

/** The options every async method accepts. */
export interface SignalOptions {
  /** Cancels the operation; it then rejects with AbortError (`cause` = the signal's reason). */
  signal?: AbortSignal;
}

/** Validates {@link SignalOptions}: `{ signal?: AbortSignal }`, accepted by every async method. */
export const SignalOptionSchema = exactSchema<SignalOptions>()(z.object({
  signal: z.instanceof(AbortSignal).optional(),
}));

/** A non-empty string. */
export const NonEmpty = z.string().min(1);

/** A `Date` or milliseconds since the epoch. */
export const DateLike = z.union([z.date(), z.number()]);

/** A TCP/UDP port number. */
export const PortNumber = z.number().int().min(1).max(65535);
