/**
 * Building the wire form of a request: query strings and bodies.
 *
 * @module
 */
import { Readable } from 'node:stream';

/** A query parameter value; objects (Docker's `filters`) are sent as JSON, arrays as repeats. */
export type DockerQueryValue = string | number | boolean | null | undefined | readonly string[] | Record<string, unknown>;

/** Query parameters of a request; `undefined` and `null` values are left out. */
export type DockerQuery = Record<string, DockerQueryValue>;

/** Appends `query` to `path` as Docker expects it (`filters` as JSON, repeated keys for arrays). */
export function withQuery(path: string, query: DockerQuery | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly string[]) params.append(key, item);
    } else if (typeof value === 'object') {
      params.append(key, JSON.stringify(value));
    } else {
      params.append(key, String(value));
    }
  }
  const text = params.toString();
  if (text === '') return path;
  return `${path}${path.includes('?') ? '&' : '?'}${text}`;
}

/** A body ready for undici plus the content type it implies. */
export interface PreparedBody {
  /** What undici sends. */
  body: string | Uint8Array | Readable | undefined;
  /** The implied content type, when the caller gave none. */
  contentType: string | undefined;
}

/**
 * Raw bodies (streams, bytes, strings) go as they are, typed `application/octet-stream`
 * unless the caller says otherwise (`application/x-tar` for build contexts and archives);
 * anything else is serialised as JSON.
 */
export function prepareBody(body: unknown): PreparedBody {
  if (body === undefined) return { body: undefined, contentType: undefined };
  if (body instanceof Readable) return { body, contentType: 'application/octet-stream' };
  if (body instanceof Uint8Array || typeof body === 'string') return { body, contentType: 'application/octet-stream' };
  if (isAsyncIterable(body)) return { body: Readable.from(body), contentType: 'application/octet-stream' };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * Reads at most `limit` bytes of a stream as UTF-8 and discards the rest, so an error body of
 * unexpected size cannot exhaust memory.
 */
export async function readBounded(stream: AsyncIterable<Uint8Array | string>, limit = 64 * 1024): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (size >= limit) continue;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const take = buf.subarray(0, limit - size);
    parts.push(take);
    size += take.length;
  }
  return Buffer.concat(parts).toString('utf8');
}
