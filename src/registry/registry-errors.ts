/**
 * Registry answers turned into Stowage's typed errors: 401/403 -> AuthenticationError,
 * 404 -> NotFoundError, 429 -> RateLimitError with the `Retry-After` hint, anything else ->
 * RegistryError; transport failures -> RegistryError (or AbortError when the caller aborted).
 * Only this module knows undici's error vocabulary.
 *
 * @module
 */
import {
  AuthenticationError,
  NotFoundError,
  RateLimitError,
  RegistryError,
  StowageError,
  abortErrorFrom,
} from '../core/errors.js';

/** One entry of a registry's error body (`{"errors":[{"code":"MANIFEST_UNKNOWN",...}]}`). */
export interface RegistryErrorEntry {
  /** `MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, `BLOB_UNKNOWN`, `UNAUTHORIZED`, `DENIED`, `TOOMANYREQUESTS`... */
  code: string;
  /** The registry's message. */
  message: string;
}

/** Parses a registry's error body; an empty list when it is not one. */
export function parseErrorBody(text: string): RegistryErrorEntry[] {
  try {
    const doc = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors.flatMap((e: unknown) => {
      if (typeof e !== 'object' || e === null) return [];
      const { code, message } = e as { code?: unknown; message?: unknown };
      return [{ code: typeof code === 'string' ? code : 'UNKNOWN', message: typeof message === 'string' ? message : '' }];
    });
  } catch {
    return [];
  }
}

/** `manifest unknown: manifest unknown`, as Docker prints a registry's error list. */
export function describeErrors(errors: readonly RegistryErrorEntry[]): string {
  return errors.map((e) => `${e.code.toLowerCase().replace(/_/g, ' ')}: ${e.message}`).join('; ');
}

/** Seconds from a `Retry-After` header (delta seconds or an HTTP date). */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** What a failed request was about, for messages and details. */
export interface ErrorContext {
  /** The registry's name (`127.0.0.1:5000`). */
  registry: string;
  /** What was asked for (`repository:app:pull`), when it is known. */
  scope?: readonly string[];
  /** The method and URL. */
  method: string;
  /** Full URL of the request. */
  url: string;
  /** Message for a 404 (the caller knows best what was missing). */
  notFound?: (errors: readonly RegistryErrorEntry[]) => string;
}

/** The typed error for a status the caller did not expect. */
export function statusError(status: number, errors: RegistryErrorEntry[], headers: Record<string, string | string[] | undefined>, ctx: ErrorContext, now: number): StowageError {
  const details: Record<string, unknown> = { registry: ctx.registry, status, method: ctx.method, url: ctx.url };
  if (errors.length > 0) details.errors = errors;
  if (ctx.scope && ctx.scope.length > 0) details.scope = ctx.scope.join(' ');
  const said = errors.length > 0 ? `: ${describeErrors(errors)}` : '';
  if (status === 401 || status === 403) {
    const what = ctx.scope && ctx.scope.length > 0 ? ` for ${ctx.scope.join(' ')}` : '';
    const verb = status === 401 ? 'authentication required' : 'access denied';
    return new AuthenticationError(`${ctx.registry}: ${verb}${what}${said}`, { details });
  }
  if (status === 404) {
    const message = ctx.notFound ? ctx.notFound(errors) : `${ctx.method} ${ctx.url}: not found${said}`;
    return new NotFoundError(message, { details });
  }
  if (status === 429) {
    const retryAfter = parseRetryAfter(headers['retry-after'], now);
    if (retryAfter !== undefined) details.retryAfter = retryAfter;
    const hint = retryAfter === undefined ? '' : ` (retry after ${retryAfter} s)`;
    return new RateLimitError(`${ctx.registry}: too many requests${hint}${said}`, { details });
  }
  return new RegistryError(`${ctx.registry}: ${ctx.method} ${ctx.url} answered ${status}${said}`, { details });
}

/** The typed error for a request that never got an answer (or lost it half-way). */
export function transportError(error: unknown, ctx: Pick<ErrorContext, 'registry' | 'method' | 'url'>, signal: AbortSignal | undefined): StowageError {
  if (signal?.aborted) return abortErrorFrom(signal);
  if (error instanceof StowageError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const text = error instanceof Error ? error.message : String(error);
  return new RegistryError(`${ctx.registry} could not be reached (${ctx.method} ${ctx.url}): ${text}`, {
    details: { registry: ctx.registry, method: ctx.method, url: ctx.url, reason: 'unreachable', ...(typeof code === 'string' ? { transport: code } : {}) },
    cause: error,
  });
}
