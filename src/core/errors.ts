/**
 * The error classes every part of Stowage throws.
 *
 * One base class, literal codes, a literal `name` per class, and a brand per class registered
 * with `Symbol.for` so that `instanceof` works across two installed copies of the package (the
 * way undici brands its `UND_ERR_*` errors), subclasses included. `details.reason` is a typed
 * union ({@link ErrorReason}). Only backends translate transport errors into these classes; the
 * same situation throws the same class on every backend.
 *
 * @module
 */

/** Every literal error code Stowage uses. */
export type StowageErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED'
  | 'BACKEND_UNAVAILABLE'
  | 'ENGINE_ERROR'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'BUILD_FAILED'
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'DIGEST_MISMATCH'
  | 'REGISTRY_ERROR';

/**
 * The finer causes an error's `details.reason` names, for code that must tell apart two
 * failures of one class (a name in use from a running container, both `ConflictError`).
 * Compare against these literals; no cast is needed.
 */
export type ErrorReason =
  // Inputs (InvalidArgumentError).
  | 'unknown-key' // an option or spec field Stowage does not know (`details.hint`: the near miss)
  | 'dockerfile-syntax' // parseDockerfile and `changes`: `details.problem` is BuildKit's text
  | 'exec-not-found' // the command names no executable (exit 127)
  | 'host-ip-unavailable' // `-p 198.51.100.1:8080:80` on a host without that address
  | 'unknown-user' // `--user nobody2`
  | 'unknown-group' // `--user 0:nogroup2`
  | 'name-too-long' // a volume name past NAME_MAX
  | 'bad-archive' // bytes that are not a tar
  | 'bad-reference' // an image reference outside Docker's grammar
  | 'ambiguous-prefix' // an ID prefix that matches several objects
  | 'path-escape' // archive entries the layering core refuses (LayerFormatError)
  | 'hardlink-escape'
  | 'symlink-escape'
  | 'bad-whiteout'
  | 'truncated'
  | 'oversized-header'
  | 'bad-entry'
  // State (ConflictError).
  | 'port-in-use'
  | 'not-running'
  | 'paused'
  | 'name-in-use'
  | 'image-in-use'
  // Lookups (NotFoundError).
  | 'no-such-image'
  | 'no-such-container'
  // Registries and engines.
  | 'registry-auth'
  | 'rate-limited'
  | 'unreachable' // a registry that never answered
  | 'malformed-stream' // an engine's progress or output stream that does not parse
  | 'not-multiplexed'
  | 'malformed-response'; // an answer that does not parse, or backend data off the shared schemas

/** The machine-readable facts an error carries (`error.details`). */
export interface ErrorDetails {
  /** The finer cause, where code may want to act on it. */
  reason?: ErrorReason;
  /** The bad input field (`spec.volumes.0.readOnly`), for {@link InvalidArgumentError}. */
  path?: string;
  /** Any further facts: the resource, the engine's HTTP status and message, ... */
  [key: string]: unknown;
}

/** Options accepted by every Stowage error constructor. */
export interface StowageErrorOptions {
  /** Machine-readable facts about the failure (the resource, the field, the engine's status...). */
  details?: ErrorDetails;
  /** The lower-level error this one explains. */
  cause?: unknown;
}

/** The registry key of a class's brand: one per literal class name, shared by every copy. */
function brandOf(name: string): symbol {
  return Symbol.for(`stowage.error.${name}`);
}

/** The literal name a class declares with its own `name` getter, if it declares one. */
function ownName(prototype: object): string | undefined {
  const getter = Object.getOwnPropertyDescriptor(prototype, 'name')?.get;
  const name: unknown = getter?.call(prototype);
  return typeof name === 'string' ? name : undefined;
}

/**
 * Base class of every error Stowage throws on purpose.
 *
 * Each class declares a literal `name` (`NotFoundError`), which minifiers leave alone, and
 * stamps every instance with a brand per class of its chain, registered with `Symbol.for`
 * under that name. `instanceof` falls back to the brand, so an error thrown by one installed
 * copy of Stowage is recognised by another copy, for subclasses too (`LayerFormatError` is an
 * `InvalidArgumentError` in both). A subclass of your own gets a brand the same way: give it
 * a `name` getter returning a literal.
 *
 * @example
 * ```ts
 * try { await engine.containers.get('nope'); }
 * catch (e) { if (e instanceof NotFoundError) { ... } }
 * ```
 */
export class StowageError extends Error {
  /** The literal code of this error's class. */
  readonly code: StowageErrorCode;
  /** Machine-readable facts about the failure. */
  readonly details: ErrorDetails;

  constructor(code: StowageErrorCode, message: string, options: StowageErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    for (let p: object | null = Object.getPrototypeOf(this) as object; p !== null && p !== Error.prototype; p = Object.getPrototypeOf(p) as object | null) {
      const name = ownName(p);
      if (name !== undefined) Object.defineProperty(this, brandOf(name), { value: true });
    }
  }

  /** Always `StowageError` for this class; each subclass returns its own literal name. */
  override get name(): string {
    return 'StowageError';
  }

  /**
   * Recognises instances from any installed copy of the package: an ordinary prototype match
   * first, then the class's brand. A subclass without a literal `name` of its own has no
   * brand, so it matches only by prototype (never every instance of its parent).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null) return false;
    const name = ownName(this.prototype as object);
    return name !== undefined && (value as Record<symbol, unknown>)[brandOf(name)] === true;
  }
}

/** A resource (container, image, volume, network, exec, path) does not exist. */
export class NotFoundError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('NOT_FOUND', message, options);
  }

  /** Always `NotFoundError`. */
  override get name(): string {
    return 'NotFoundError';
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

  /** Always `ConflictError`. */
  override get name(): string {
    return 'ConflictError';
  }
}

/**
 * An input failed validation; `details.path` names the bad field where there is one
 * (`spec.volumes.0.readonly`), and an unknown key has `details.reason` `unknown-key` and,
 * for a near miss, `details.hint` (`readOnly`).
 */
export class InvalidArgumentError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('INVALID_ARGUMENT', message, options);
  }

  /** Always `InvalidArgumentError`. */
  override get name(): string {
    return 'InvalidArgumentError';
  }
}

/** The backend cannot do this (see its `capabilities`). */
export class UnsupportedError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('UNSUPPORTED', message, options);
  }

  /** Always `UnsupportedError`. */
  override get name(): string {
    return 'UnsupportedError';
  }
}

/**
 * The engine could not be reached: its socket is missing or refuses connections, the
 * connection broke, the runtime is absent. Retrying later may help. An engine that answered
 * with a failure is an {@link EngineError} instead.
 */
export class BackendUnavailableError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('BACKEND_UNAVAILABLE', message, options);
  }

  /** Always `BackendUnavailableError`. */
  override get name(): string {
    return 'BackendUnavailableError';
  }
}

/**
 * The engine answered but failed the request in a way no other class describes: an HTTP 5xx
 * from Docker whose message names no known situation, a malformed answer or stream, a backend
 * returning data that does not match the shared schemas. `details.status` and
 * `details.message` carry the engine's own status and words where it gave them.
 */
export class EngineError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('ENGINE_ERROR', message, options);
  }

  /** Always `EngineError`. */
  override get name(): string {
    return 'EngineError';
  }
}

/** One of the SDK's own time limits ran out (never used for a caller's AbortSignal). */
export class TimeoutError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('TIMEOUT', message, options);
  }

  /** Always `TimeoutError`. */
  override get name(): string {
    return 'TimeoutError';
  }
}

/** The caller's AbortSignal fired; `cause` is `signal.reason`. */
export class AbortError extends StowageError {
  constructor(message = 'The operation was aborted', options?: StowageErrorOptions) {
    super('ABORTED', message, options);
  }

  /** Always `AbortError`. */
  override get name(): string {
    return 'AbortError';
  }
}

/** A build failed; `details.step` is the failing step's index and `details.instruction` its text. */
export class BuildError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('BUILD_FAILED', message, options);
  }

  /** Always `BuildError`. */
  override get name(): string {
    return 'BuildError';
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

  /** Always `AuthenticationError`. */
  override get name(): string {
    return 'AuthenticationError';
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

  /** Always `RateLimitError`. */
  override get name(): string {
    return 'RateLimitError';
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

  /** Always `DigestMismatchError`. */
  override get name(): string {
    return 'DigestMismatchError';
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

  /** Always `RegistryError`. */
  override get name(): string {
    return 'RegistryError';
  }
}

/** Throws an {@link AbortError} carrying `signal.reason` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortErrorFrom(signal);
}

/** Builds the {@link AbortError} for a fired signal. */
export function abortErrorFrom(signal: AbortSignal): AbortError {
  return new AbortError('The operation was aborted', { cause: signal.reason });
}
