/**
 * Signal names as `docker kill` and `STOPSIGNAL` accept them (`SIGKILL`, `KILL`, `kill`, `9`),
 * normalised to what runc accepts.
 *
 * (The shared signal table of src/local-engine replaces this when it lands.)
 *
 * @module
 */
import { InvalidArgumentError } from '../../../core/errors.js';
import { isValidSignal } from '../../../core/dockerfile/changes.js';

/** `SIGTERM`, `term`, `15` -> `TERM` / `15` for runc. @throws InvalidArgumentError for an unknown one */
export function normalizeSignal(signal: string): string {
  if (!isValidSignal(signal)) throw new InvalidArgumentError(`Invalid signal: ${signal}`, { details: { signal } });
  if (/^\d+$/.test(signal)) return signal;
  return signal.toUpperCase().replace(/^SIG/, '');
}
