/**
 * Uploading one blob: `HEAD` first (a registry that has it needs nothing), then a
 * cross-repository mount when the blob is known in another repository of the same registry,
 * then an upload session, either monolithic (one `PUT` with the whole stream) or chunked
 * (`PATCH` per chunk with `Content-Range`, then `PUT ?digest=`). The bytes are hashed on the
 * way; a source whose bytes do not match the digest fails the upload and the session is
 * cancelled.
 *
 * @module
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { DigestMismatchError, RegistryError } from '../core/errors.js';
import { digestOf, hashFor, mismatch } from './blob-download.js';
import type { BlobSource } from './blob-store.js';
import type { RegistryEndpoint } from './endpoint.js';
import { header, release, type RegistryResponse, type RegistryTransport } from './transport.js';

/** What {@link uploadBlob} did. */
export type UploadOutcome =
  | { kind: 'exists' }
  | { kind: 'mounted'; from: string }
  | { kind: 'pushed' };

/** One blob to upload. */
export interface UploadBlob {
  /** Its digest. */
  digest: string;
  /** Its size. */
  size: number;
}

/** Options of {@link uploadBlob}. */
export interface UploadOptions {
  /** The repository pushed to. */
  repository: string;
  /** Other repositories of this registry that hold the blob, most likely first. */
  mountFrom: readonly string[];
  /** Chunk size for a chunked upload; undefined: monolithic. */
  chunkSize?: number | undefined;
  /** Called with the size of every chunk sent. */
  onBytes?: (n: number) => void;
  /** Called when the upload actually starts (not for an existing or mounted blob). */
  onStart?: () => void;
  /** Cancels the upload (the session is deleted). */
  signal?: AbortSignal | undefined;
}

/** A pass-through that hashes and counts, failing at the end on a wrong digest or size. */
class VerifyingStream extends Transform {
  readonly #hash;
  readonly #blob: UploadBlob;
  readonly #onBytes: ((n: number) => void) | undefined;
  #size = 0;

  constructor(blob: UploadBlob, onBytes: ((n: number) => void) | undefined) {
    super();
    this.#blob = blob;
    this.#hash = hashFor(blob.digest);
    this.#onBytes = onBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#size += chunk.length;
    if (this.#size > this.#blob.size) {
      callback(new DigestMismatchError(`blob ${this.#blob.digest}: the source has more than ${this.#blob.size} bytes`, { details: { expected: this.#blob.digest } }));
      return;
    }
    this.#hash.update(chunk);
    this.#onBytes?.(chunk.length);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = digestOf(this.#hash, this.#blob.digest);
    if (this.#size !== this.#blob.size || actual !== this.#blob.digest) {
      callback(mismatch(`blob ${this.#blob.digest} from the source`, this.#blob.digest, actual, { size: this.#size }));
      return;
    }
    callback();
  }
}

/** Resolves an upload `Location` (relative or absolute) and adds query parameters. */
function locationOf(res: RegistryResponse, endpoint: RegistryEndpoint, params: Record<string, string> = {}): URL {
  const location = header(res.headers, 'location');
  if (location === undefined) {
    throw new RegistryError(`${endpoint.name}: the upload answer has no Location`, { details: { registry: endpoint.name, status: res.status } });
  }
  const url = new URL(location, res.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

/**
 * Makes sure the registry has a blob, uploading it from `source` when it must.
 *
 * @throws DigestMismatchError (source bytes, or the registry's `DIGEST_INVALID`),
 *   AuthenticationError, RateLimitError, RegistryError, AbortError
 */
export async function uploadBlob(transport: RegistryTransport, endpoint: RegistryEndpoint, blob: UploadBlob, source: BlobSource, options: UploadOptions): Promise<UploadOutcome> {
  const { repository, signal } = options;
  const push = `repository:${repository}:pull,push`;
  const head = await transport.send(endpoint, {
    method: 'HEAD', url: `/v2/${repository}/blobs/${blob.digest}`, scope: [push], expect: [200, 404], signal,
  });
  release(head.body);
  if (head.status === 200) return { kind: 'exists' };

  let session: RegistryResponse | undefined;
  for (const from of options.mountFrom) {
    const res = await transport.send(endpoint, {
      method: 'POST',
      url: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(from)}`,
      scope: [push, `repository:${from}:pull`],
      expect: [201, 202],
      signal,
    });
    release(res.body);
    if (res.status === 201) return { kind: 'mounted', from };
    // 202: the registry would not mount (no such blob there, or no right to read it) and
    // opened an ordinary upload session instead.
    session = res;
    break;
  }
  if (!session) {
    session = await transport.send(endpoint, { method: 'POST', url: `/v2/${repository}/blobs/uploads/`, scope: [push], expect: [202], signal });
    release(session.body);
  }
  let location = locationOf(session, endpoint);
  options.onStart?.();
  const verified = new VerifyingStream(blob, options.onBytes);
  let input: Readable | undefined;
  try {
    input = await source.read(blob.digest, { signal });
    input.on('error', (e) => verified.destroy(e));
    input.pipe(verified);
    if (options.chunkSize === undefined) {
      const res = await transport.send(endpoint, {
        method: 'PUT',
        url: locationOf(session, endpoint, { digest: blob.digest }),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
        body: verified,
        scope: [push],
        expect: [201],
        signal,
      });
      release(res.body);
    } else {
      location = await sendChunks(transport, endpoint, location, verified, options.chunkSize, push, signal);
      const done = await transport.send(endpoint, {
        method: 'PUT',
        url: withDigest(location, blob.digest),
        headers: { 'content-length': '0' },
        scope: [push],
        expect: [201],
        signal,
      });
      release(done.body);
    }
    // A monolithic PUT may end before the stream's last check has run: wait for it.
    if (verified.errored) throw verified.errored;
    return { kind: 'pushed' };
  } catch (error) {
    input?.destroy();
    verified.destroy();
    await cancel(transport, endpoint, location, push);
    throw digestInvalid(error, blob);
  }
}

function withDigest(location: URL, digest: string): URL {
  const url = new URL(location.href);
  url.searchParams.set('digest', digest);
  return url;
}

/** PATCHes the stream in chunks of `size` bytes; resolves with the last `Location`. */
async function sendChunks(transport: RegistryTransport, endpoint: RegistryEndpoint, start: URL, body: Readable, size: number, scope: string, signal: AbortSignal | undefined): Promise<URL> {
  let location = start;
  let offset = 0;
  let pending: Buffer[] = [];
  let pendingSize = 0;
  const flush = async (): Promise<void> => {
    if (pendingSize === 0) return;
    const chunk = Buffer.concat(pending, pendingSize);
    pending = [];
    pendingSize = 0;
    const res = await transport.send(endpoint, {
      method: 'PATCH',
      url: location,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(chunk.length),
        'content-range': `${offset}-${offset + chunk.length - 1}`,
      },
      body: chunk,
      scope: [scope],
      expect: [202],
      signal,
    });
    release(res.body);
    offset += chunk.length;
    location = locationOf(res, endpoint);
  };
  for await (const data of body) {
    let rest = data as Buffer;
    while (rest.length > 0) {
      const take = Math.min(size - pendingSize, rest.length);
      pending.push(rest.subarray(0, take));
      pendingSize += take;
      rest = rest.subarray(take);
      if (pendingSize === size) await flush();
    }
  }
  await flush();
  return location;
}

/** Cancels an upload session (best effort: the registry expires it anyway). */
async function cancel(transport: RegistryTransport, endpoint: RegistryEndpoint, location: URL, scope: string): Promise<void> {
  try {
    const res = await transport.send(endpoint, { method: 'DELETE', url: location, scope: [scope], expect: [200, 202, 204, 404] });
    release(res.body);
  } catch {
    // The upload has failed already; this is tidying.
  }
}

/** The registry's own digest check failing is a digest mismatch too. */
function digestInvalid(error: unknown, blob: UploadBlob): unknown {
  if (error instanceof RegistryError && Array.isArray(error.details.errors)
    && (error.details.errors as { code: string }[]).some((e) => e.code === 'DIGEST_INVALID' || e.code === 'SIZE_INVALID')) {
    return new DigestMismatchError(`the registry found that blob ${blob.digest} does not match its digest`, { details: { ...error.details, expected: blob.digest }, cause: error });
  }
  return error;
}
