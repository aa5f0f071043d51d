/**
 * Downloading one blob as a stream that is checked on the way: the size may not exceed the
 * descriptor's, and the stream ends only when the bytes hash to the digest (otherwise it fails
 * with DigestMismatchError, so a sink that commits on a clean end stores nothing).
 *
 * A connection lost half-way is resumed with a `Range` request (a registry that ignores it
 * sends everything again and the bytes already passed on are skipped), up to `retries` times;
 * the hash runs across the pieces, so the check covers the whole blob.
 *
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { DigestMismatchError, RegistryError, StowageError, abortErrorFrom } from '../core/errors.js';
import type { RegistryEndpoint } from './endpoint.js';
import type { Descriptor } from './manifest.js';
import { transportError } from './registry-errors.js';
import { header, release, type RegistryTransport } from './transport.js';

/** Options of {@link downloadBlob}. */
export interface DownloadOptions {
  /** The repository the blob is read from (`library/busybox`). */
  repository: string;
  /** Scopes for the request (`repository:library/busybox:pull`). */
  scope: readonly string[];
  /** Further attempts after a lost connection or a server error (default 2). */
  retries?: number;
  /** Called with the size of every chunk passed on. */
  onBytes?: (n: number) => void;
  /** Called once the bytes have been verified, just before the stream ends. */
  onVerified?: () => void;
  /** Cancels the download. */
  signal?: AbortSignal | undefined;
}

/** A hash for a digest's algorithm (`sha256`, `sha512`). */
export function hashFor(digest: string): Hash {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw new RegistryError(`unsupported digest algorithm in ${digest}`, { details: { digest } });
  }
  return createHash(algorithm);
}

/** `sha256:<hex>` from a finished hash of `digest`'s algorithm. */
export function digestOf(hash: Hash, like: string): string {
  return `${like.slice(0, like.indexOf(':'))}:${hash.digest('hex')}`;
}

/** A blob whose bytes do not match its digest or size. */
export function mismatch(what: string, expected: string, actual: string, extra: Record<string, unknown> = {}): DigestMismatchError {
  return new DigestMismatchError(`${what}: digest mismatch (expected ${expected}, got ${actual})`, { details: { expected, actual, ...extra } });
}

/** Errors worth another attempt: lost connections and server errors. */
function retryable(error: unknown): boolean {
  if (!(error instanceof StowageError)) return true;
  if (error.code !== 'REGISTRY_ERROR') return false;
  const status = error.details.status;
  return status === undefined || (typeof status === 'number' && status >= 500);
}

/**
 * Yields a blob's bytes, verified. Consume it to the end (or `return()` it) so its connection
 * is released.
 *
 * @throws (as the iterator's rejection) DigestMismatchError, NotFoundError,
 *   AuthenticationError, RateLimitError, RegistryError, AbortError
 */
export async function* downloadBlob(transport: RegistryTransport, endpoint: RegistryEndpoint, blob: Descriptor, options: DownloadOptions): AsyncGenerator<Buffer> {
  const { signal } = options;
  const retries = options.retries ?? 2;
  const hash = hashFor(blob.digest);
  const what = `blob ${blob.digest} of ${endpoint.name}/${options.repository}`;
  let received = 0;
  for (let attempt = 0; ; attempt++) {
    let skip = 0;
    let res;
    try {
      res = await transport.send(endpoint, {
        method: 'GET',
        url: `/v2/${options.repository}/blobs/${blob.digest}`,
        headers: received > 0 ? { range: `bytes=${received}-` } : {},
        scope: options.scope,
        expect: received > 0 ? [200, 206] : [200],
        notFound: () => `${what}: blob unknown`,
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw abortErrorFrom(signal);
      if (attempt < retries && retryable(error)) {
        await backoff(attempt, signal);
        continue;
      }
      throw error;
    }
    if (res.status === 206) {
      const start = /^bytes (\d+)-/.exec(header(res.headers, 'content-range') ?? '')?.[1];
      if (start !== undefined && Number(start) !== received) {
        release(res.body);
        throw new RegistryError(`${what}: the registry resumed at byte ${start}, not ${received}`, { details: { registry: endpoint.name, digest: blob.digest } });
      }
    } else {
      skip = received;
    }
    let failed: unknown;
    try {
      for await (const raw of res.body) {
        let chunk = raw as Buffer;
        if (skip > 0) {
          const drop = Math.min(skip, chunk.length);
          skip -= drop;
          chunk = chunk.subarray(drop);
          if (chunk.length === 0) continue;
        }
        received += chunk.length;
        if (received > blob.size) {
          throw new DigestMismatchError(`${what}: more than the ${blob.size} bytes the manifest says`, { details: { expected: blob.digest, size: blob.size } });
        }
        hash.update(chunk);
        options.onBytes?.(chunk.length);
        yield chunk;
      }
    } catch (error) {
      failed = error;
    } finally {
      release(res.body);
    }
    if (failed === undefined) break;
    if (signal?.aborted) throw abortErrorFrom(signal);
    if (failed instanceof DigestMismatchError) throw failed;
    const error = transportError(failed, { registry: endpoint.name, method: 'GET', url: res.url.href }, signal);
    if (attempt < retries && retryable(error)) {
      await backoff(attempt, signal);
      continue;
    }
    throw error;
  }
  if (received !== blob.size) {
    throw new DigestMismatchError(`${what}: ${received} bytes instead of the ${blob.size} the manifest says`, { details: { expected: blob.digest, size: blob.size, received } });
  }
  const actual = digestOf(hash, blob.digest);
  if (actual !== blob.digest) throw mismatch(what, blob.digest, actual, { registry: endpoint.name });
  options.onVerified?.();
}

/** Reads a small blob (an image config) into memory, verified. */
export async function fetchSmallBlob(transport: RegistryTransport, endpoint: RegistryEndpoint, blob: Descriptor, options: DownloadOptions & { limit: number }): Promise<Buffer> {
  if (blob.size > options.limit) {
    throw new RegistryError(`blob ${blob.digest} is ${blob.size} bytes, more than the ${options.limit} allowed for it`, { details: { registry: endpoint.name, digest: blob.digest } });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of downloadBlob(transport, endpoint, blob, options)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** 100 ms, 200 ms, 400 ms...: enough for a restarted registry or a dropped proxy connection. */
async function backoff(attempt: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(100 * 2 ** attempt, undefined, signal ? { signal } : {});
  } catch {
    throw abortErrorFrom(signal!);
  }
}
