/**
 * A small helper shared by the spec parsers: every bad input becomes an
 * {@link InvalidArgumentError} carrying Docker's own message and the field it came from.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';

/**
 * Builds the {@link InvalidArgumentError} for a bad spec string.
 *
 * @param message - Docker's message for the same input, so users can search for it.
 * @param path - The field the value came from (`ports`, `volumes[2]`...), when known.
 * @param value - The offending input, kept in `details.value` for tooling.
 */
export function invalidSpec(message: string, path: string | undefined, value: unknown): InvalidArgumentError {
  const details: Record<string, unknown> = { value };
  if (path !== undefined) details.path = path;
  return new InvalidArgumentError(message, { details });
}
