/**
 * Translation of Docker Engine answers and socket failures into Stowage's typed errors.
 *
 * The status code is the first guide, but the engine often says less with it than with its
 * message (a host port already taken is a 500, a missing executable a 400 or 500): where the
 * message is specific it decides, so every backend throws the same class for the same
 * situation. Only this module knows undici's and the engine's error vocabulary.
 *
 * @module
 */
import {
  AbortError,
  AuthenticationError,
  BackendUnavailableError,
  ConflictError,
  EngineError,
  InvalidArgumentError,
  NotFoundError,
  RateLimitError,
  RegistryError,
  StowageError,
  TimeoutError,
  UnsupportedError,
  abortErrorFrom,
} from '../../../core/errors.js';
import type { ErrorDetails, ErrorReason, StowageErrorCode } from '../../../core/errors.js';

/** Finer reasons the mapping layer acts on (e.g. exit code 127 for `exec-not-found`). */
export type EngineErrorReason = Extract<ErrorReason,
  | 'exec-not-found'
  | 'port-in-use'
  | 'host-ip-unavailable'
  | 'unknown-user'
  | 'name-too-long'
  | 'bad-archive'
  | 'bad-reference'
  | 'not-running'
  | 'paused'
  | 'name-in-use'
  | 'image-in-use'
  | 'no-such-image'
  | 'no-such-container'
  | 'ambiguous-prefix'
  | 'registry-auth'
  | 'rate-limited'
  | 'unreachable'>;

/** The outcome of {@link classifyEngineMessage}. */
export interface EngineErrorClassification {
  /** The Stowage error code to throw. */
  code: StowageErrorCode;
  /** A finer reason, when the message names one. */
  reason?: EngineErrorReason;
}

/** Where a failed request was going, copied into `details`. */
export interface EngineRequestContext {
  /** HTTP method. */
  method: string;
  /** Request path (with the version prefix when one was used). */
  path: string;
}

// Ordered: the first pattern that matches decides. Patterns are the engine's own wording
// (moby daemon/ and libnetwork), lower-cased; they have been stable since Engine 1.12.
const messageRules: ReadonlyArray<{ test: RegExp; code: StowageErrorCode; reason: EngineErrorReason }> = [
  { test: /port is already allocated|address already in use|bind: address in use/, code: 'CONFLICT', reason: 'port-in-use' },
  // `-p 10.255.255.1:8080:80` on a host without that address: docker-proxy cannot bind (a 500).
  { test: /error starting userland proxy: .*bind: cannot assign requested address/, code: 'INVALID_ARGUMENT', reason: 'host-ip-unavailable' },
  {
    // runc: `exec: "nope": executable file not found in $PATH` or `exec: "/nope": stat /nope:
    // no such file or directory`; a bare "no such file" (a bind source, say) is not this.
    test: /executable file not found|exec: "[^"]*": [^"]*no such file or directory/,
    code: 'INVALID_ARGUMENT',
    reason: 'exec-not-found',
  },
  // runc at start, for `--user nobody2` or `--user 0:nogroup2`: a 500, but the input is at fault.
  { test: /unable to find (user|group) .*: no matching entries in (passwd|group) file/, code: 'INVALID_ARGUMENT', reason: 'unknown-user' },
  // A volume name past NAME_MAX: the local driver's mkdir fails (a 500).
  { test: /error while creating volume root path .*: file name too long/, code: 'INVALID_ARGUMENT', reason: 'name-too-long' },
  // PUT /archive with bytes that are not a tar (`archive/tar: invalid tar header`, `unexpected
  // EOF`, `archive/tar: header field too long`): a 500 from the extractor.
  { test: /^error processing tar file/, code: 'INVALID_ARGUMENT', reason: 'bad-archive' },
  // `POST /images/{id}/tag` answers a malformed reference with a 500 (pull says 400).
  { test: /^invalid reference format/, code: 'INVALID_ARGUMENT', reason: 'bad-reference' },
  { test: /is paused/, code: 'CONFLICT', reason: 'paused' },
  { test: /is not running|is restarting/, code: 'CONFLICT', reason: 'not-running' },
  { test: /is already in use by container|name .* is already in use/, code: 'CONFLICT', reason: 'name-in-use' },
  { test: /image is being used|image .* is referenced in multiple repositories|unable to delete .* \(must be forced\)|unable to remove repository reference .* container .* is using/, code: 'CONFLICT', reason: 'image-in-use' },
  { test: /no such image|reference does not exist|manifest unknown|pull access denied|repository .* not found/, code: 'NOT_FOUND', reason: 'no-such-image' },
  { test: /no such container/, code: 'NOT_FOUND', reason: 'no-such-container' },
  // A registry's refusals, relayed by the engine during pull and push (after Hub's "pull access
  // denied", which Docker means as "no such repository").
  { test: /no basic auth credentials|unauthorized: |authentication required|incorrect username or password/, code: 'UNAUTHORIZED', reason: 'registry-auth' },
  { test: /toomanyrequests|too many requests/, code: 'RATE_LIMITED', reason: 'rate-limited' },
  // The engine could not reach a registry (`Get "https://127.0.0.1:1/v2/": dial tcp ...:
  // connection refused`, `... no such host`): the registry is unreachable, as the emulator's
  // own registry client reports it; the engine itself is fine.
  { test: /^get "[^"]*\/v2\/[^"]*": .*(connection refused|no such host|i\/o timeout|network is unreachable|no route to host|tls: |x509: |http: server gave http response)/, code: 'REGISTRY_ERROR', reason: 'unreachable' },
  // A short ID matching several objects is a 500 from Engine 20.10; API.md calls it a bad argument.
  { test: /multiple ids found with provided prefix|short identifier .* is ambiguous/, code: 'INVALID_ARGUMENT', reason: 'ambiguous-prefix' },
];

/**
 * Chooses the error class for an engine answer from its status and message.
 *
 * @example
 * ```ts
 * classifyEngineMessage(500, 'driver failed ...: Bind for 0.0.0.0:8080 failed: port is already allocated');
 * // { code: 'CONFLICT', reason: 'port-in-use' }
 * ```
 */
export function classifyEngineMessage(status: number, message: string): EngineErrorClassification {
  const text = message.toLowerCase();
  for (const rule of messageRules) {
    if (rule.test.test(text)) return { code: rule.code, reason: rule.reason };
  }
  return { code: codeForStatus(status) };
}

function codeForStatus(status: number): StowageErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 501) return 'UNSUPPORTED';
  // 400, 401, 403, 406, 413...: the engine refused the request as given.
  if (status >= 400 && status < 500) return 'INVALID_ARGUMENT';
  // Any other server error: the engine is there and answered, but failed the request. That is
  // not "unavailable" (retrying the connection will not help); details.status says which.
  return 'ENGINE_ERROR';
}

/** Builds the error instance for a code (the one place codes become classes). */
export function errorForCode(code: StowageErrorCode, message: string, details: ErrorDetails, cause?: unknown): StowageError {
  const options = cause === undefined ? { details } : { details, cause };
  switch (code) {
    case 'NOT_FOUND':
      return new NotFoundError(message, options);
    case 'CONFLICT':
      return new ConflictError(message, options);
    case 'INVALID_ARGUMENT':
      return new InvalidArgumentError(message, options);
    case 'UNSUPPORTED':
      return new UnsupportedError(message, options);
    case 'TIMEOUT':
      return new TimeoutError(message, options);
    case 'ABORTED':
      return new AbortError(message, options);
    case 'UNAUTHORIZED':
      return new AuthenticationError(message, options);
    case 'RATE_LIMITED':
      return new RateLimitError(message, options);
    case 'REGISTRY_ERROR':
      return new RegistryError(message, options);
    case 'BACKEND_UNAVAILABLE':
      return new BackendUnavailableError(message, options);
    default:
      return new EngineError(message, options);
  }
}

/**
 * Extracts the engine's message from an error body: `{"message": "..."}` JSON, else the text.
 */
export function engineMessageOf(body: string): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string') {
        return (parsed as { message: string }).message;
      }
    } catch {
      // Not JSON after all: the raw text is the best message there is.
    }
  }
  return trimmed;
}

/**
 * The typed error for an unexpected HTTP status; `details` carries `status`, `method`, `path`,
 * the engine's `message` and, when the message names one, `reason`.
 */
export function engineErrorFromResponse(status: number, body: string, request: EngineRequestContext): StowageError {
  const engineMessage = engineMessageOf(body) || `HTTP ${status}`;
  const { code, reason } = classifyEngineMessage(status, engineMessage);
  const details: ErrorDetails = { status, method: request.method, path: request.path, message: engineMessage };
  if (reason !== undefined) details.reason = reason;
  return errorForCode(code, engineMessage, details);
}

// Error codes of node sockets and undici that mean "the engine is not there (any more)".
const unavailableCodes = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EACCES',
  'EPERM',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTSOCK',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * Translates a failure below HTTP (socket, TLS, undici) or an abort into a typed error.
 * Stowage errors pass through unchanged; the original error is always kept as `cause`.
 */
export function transportError(error: unknown, request: EngineRequestContext, signal?: AbortSignal): StowageError {
  if (error instanceof StowageError) return error;
  if (signal?.aborted) return abortErrorFrom(signal);
  const code = errorCodeOf(error);
  const details = { method: request.method, path: request.path, ...(code ? { errno: code } : {}) };
  const text = error instanceof Error ? error.message : String(error);
  if (code === 'UND_ERR_ABORTED' || (error instanceof Error && error.name === 'AbortError')) {
    return new AbortError('The operation was aborted', { details, cause: error });
  }
  if (code !== undefined && timeoutCodes.has(code)) {
    return new TimeoutError(`Docker Engine did not answer in time: ${text}`, { details, cause: error });
  }
  if (code !== undefined && unavailableCodes.has(code)) {
    return new BackendUnavailableError(`Docker Engine unavailable: ${text}`, { details, cause: error });
  }
  if (code !== undefined && /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)) {
    return new BackendUnavailableError(`TLS connection to Docker Engine failed: ${text}`, { details, cause: error });
  }
  return new BackendUnavailableError(`Docker Engine request failed: ${text}`, { details, cause: error });
}

function errorCodeOf(error: unknown): string | undefined {
  // undici wraps connection failures; the socket's own code can sit one level down in `cause`.
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') {
      if (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CONNECT_TIMEOUT') {
        const inner = (e as { cause?: { code?: unknown } }).cause?.code;
        return typeof inner === 'string' ? inner : code;
      }
      return code;
    }
  }
  return undefined;
}
