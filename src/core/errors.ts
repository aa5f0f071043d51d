/**
 * The error classes every part of Stowage throws.
 *
 * One base class, literal codes, and a brand registered with `Symbol.for` so that
 * `instanceof` works across two installed copies of the package (the way undici brands its
 * `UND_ERR_*` errors). Only backends translate transport errors into these classes; the same
 * situation throws the same class on every backend.
 *
 * @module
 */

const brand = Symbol.for('stowage.error');

/** Every literal error code Stowage uses. */
export type StowageErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED'
  | 'BACKEND_UNAVAILABLE'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'BUILD_FAILED'
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'DIGEST_MISMATCH'
  | 'REGISTRY_ERROR';

/** Options accepted by every Stowage error constructor. */
export interface StowageErrorOptions {
  /** Machine-readable facts about the failure (the resource, the field, the engine's status...). */
  details?: Record<string, unknown>;
  /** The lower-level error this one explains. */
  cause?: unknown;
}

/**
 * Base class of every error Stowage throws on purpose.
 *
 * @example
 * ```ts
 * try { await engine.containers.get('nope'); }
 * catch (e) { if (e instanceof StowageError && e.code === 'NOT_FOUND') { ... } }
 * ```
 */
export class StowageError extends Error {
  /** The literal code of this error's class. */
  readonly code: StowageErrorCode;
  /** Machine-readable facts about the failure. */
  readonly details: Record<string, unknown>;

  constructor(code: StowageErrorCode, message: string, options: StowageErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, brand, { value: code });
  }

  /**
   * The class's name (`NotFoundError`), so stack traces and `String(error)` say which error it
   * is; read from the constructor so subclasses need not set it.
   */
  override get name(): string {
    return this.constructor.name;
  }

  /**
   * Recognises Stowage errors from any installed copy of the package. An ordinary prototype
   * match comes first; the brand (a code) only stands in for it on Stowage's own classes, so a
   * further subclass (`class LayerFormatError extends InvalidArgumentError`) matches only its
   * own instances.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null) return false;
    const code = (value as Record<symbol, unknown>)[brand];
    if (typeof code !== 'string') return false;
    if (this === StowageError) return true;
    return codes.get(this) === code;
  }
}

/** A resource (container, image, volume, network, exec, path) does not exist. */
export class NotFoundError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

/**
 * The request clashes with the current state: a name in use, a running container removed
 * without `force`, exec into a paused or stopped container, an image in use, a host port in use.
 */
export class ConflictError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('CONFLICT', message, options);
  }
}

/** An input failed validation; `details.path` names the bad field where there is one. */
export class InvalidArgumentError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/** The backend cannot do this (see its `capabilities`). */
export class UnsupportedError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('UNSUPPORTED', message, options);
  }
}

/** The engine could not be reached (socket missing or refused, runtime absent). */
export class BackendUnavailableError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('BACKEND_UNAVAILABLE', message, options);
  }
}

/** One of the SDK's own time limits ran out (never used for a caller's AbortSignal). */
export class TimeoutError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('TIMEOUT', message, options);
  }
}

/** The caller's AbortSignal fired; `cause` is `signal.reason`. */
export class AbortError extends StowageError {
  constructor(message = 'The operation was aborted', options?: StowageErrorOptions) {
    super('ABORTED', message, options);
  }
}

/** A build failed; `details.step` is the failing step's index and `details.instruction` its text. */
export class BuildError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('BUILD_FAILED', message, options);
  }
}

/**
 * A registry refused the request for want of credentials or rights (HTTP 401 or 403).
 * `details.registry` names the registry, `details.scope` what was asked for
 * (`repository:app:pull`), `details.status` the HTTP status.
 */
export class AuthenticationError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('UNAUTHORIZED', message, options);
  }
}

/**
 * A registry asked the client to slow down (HTTP 429). {@link RateLimitError.retryAfter} is its
 * hint in seconds (`Retry-After`), when it gave one; `details.registry` names it.
 */
export class RateLimitError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('RATE_LIMITED', message, options);
  }

  /** Seconds the registry asked to wait before trying again, when it said. */
  get retryAfter(): number | undefined {
    const value = this.details.retryAfter;
    return typeof value === 'number' ? value : undefined;
  }
}

/**
 * Content did not match the digest that names it (a blob, a manifest, a layer's diffID);
 * nothing of it was stored. `details.expected` and `details.actual` are the two digests.
 */
export class DigestMismatchError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('DIGEST_MISMATCH', message, options);
  }
}

/**
 * A registry failed in a way no other class describes: unreachable, an unexpected status, a
 * malformed answer. `details.registry`, and `details.status` / `details.errors` (the
 * registry's own error list) where it answered.
 */
export class RegistryError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('REGISTRY_ERROR', message, options);
  }
}

const codes = new Map<Function, StowageErrorCode>([
  [NotFoundError, 'NOT_FOUND'],
  [ConflictError, 'CONFLICT'],
  [InvalidArgumentError, 'INVALID_ARGUMENT'],
  [UnsupportedError, 'UNSUPPORTED'],
  [BackendUnavailableError, 'BACKEND_UNAVAILABLE'],
  [TimeoutError, 'TIMEOUT'],
  [AbortError, 'ABORTED'],
  [BuildError, 'BUILD_FAILED'],
  [AuthenticationError, 'UNAUTHORIZED'],
  [RateLimitError, 'RATE_LIMITED'],
  [DigestMismatchError, 'DIGEST_MISMATCH'],
  [RegistryError, 'REGISTRY_ERROR'],
]);

/** Throws an {@link AbortError} carrying `signal.reason` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortErrorFrom(signal);
}

/** Builds the {@link AbortError} for a fired signal. */
export function abortErrorFrom(signal: AbortSignal): AbortError {
  return new AbortError('The operation was aborted', { cause: signal.reason });
}
