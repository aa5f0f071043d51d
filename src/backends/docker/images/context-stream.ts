/**
 * A build context given as a tar stream, passed on to the engine entry by entry with its
 * Dockerfile replaced by a rewritten text (stages the target does not need cut out, see
 * prune-stages.ts). Only the Dockerfile is held in memory, and only up to a bound; every other
 * entry streams through as it comes, so a large context costs no more memory than a small one.
 *
 * @module
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract, pack, type Header, type Pack } from 'tar-stream';

/** An entry's body as the extractor hands it over. */
type EntryBody = AsyncIterable<unknown> & { resume(): unknown; pipe(dest: ReturnType<Pack['entry']>): unknown };

/** A Dockerfile larger than this is passed on as it is (streamed, not rewritten). */
export const MAX_DOCKERFILE_BYTES = 8 * 1024 * 1024;

/** Options of {@link rewriteContextDockerfile}. */
export interface RewriteContextOptions {
  /** The Dockerfile's path in the context (`Dockerfile`, `docker/Dockerfile.dev`). */
  dockerfile: string;
  /**
   * Gives the text to send instead of the Dockerfile's own, or undefined to send it unchanged.
   * What it throws fails the stream (and so the build) with that error.
   */
  rewrite: (text: string) => string | undefined;
  /** Stops the copy; the stream fails. */
  signal?: AbortSignal;
}

/** A context entry's path as the engine resolves it (`./a/../b` is `b`). */
function contextPath(name: string): string {
  return posix.normalize(`/${name}`).slice(1).replace(/\/$/, '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

async function readAll(body: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The compression of a tar stream by its first bytes, as the engine detects it. */
function compressionOf(head: Buffer): 'gzip' | 'other' | 'none' {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  const bzip2 = head.subarray(0, 3).toString('latin1') === 'BZh';
  const xz = head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  return bzip2 || xz ? 'other' : 'none';
}

/**
 * Copies the tar stream `source` with its Dockerfile entry rewritten by `options.rewrite`. The
 * first entry of that path that is a regular file is the Dockerfile; a context without one is
 * passed on unchanged (the engine reports the missing file in its own words). A gzip stream is
 * sent on uncompressed; a bzip2 or xz one (Node has no decoder for them) as it is, not rewritten.
 */
export function rewriteContextDockerfile(source: Readable, options: RewriteContextOptions): Readable {
  return Readable.from(rewritten(source, options), { objectMode: false });
}

async function* rewritten(source: Readable, options: RewriteContextOptions): AsyncGenerator<Buffer> {
  const reader = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let size = 0;
  for (let r = await reader.next(); !r.done; r = size < 6 ? await reader.next() : { done: true, value: undefined }) {
    head.push(r.value);
    size += r.value.length;
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield* head;
    for (let r = await reader.next(); !r.done; r = await reader.next()) yield r.value;
  }
  const kind = compressionOf(Buffer.concat(head));
  if (kind === 'other') {
    yield* all();
    return;
  }
  const tar = kind === 'gzip' ? Readable.from(all()).pipe(createGunzip()) : Readable.from(all());
  yield* copyTar(tar, options) as AsyncIterable<Buffer>;
}

/** The entry-by-entry copy (the tar already uncompressed). */
function copyTar(source: Readable, options: RewriteContextOptions): Pack {
  const wanted = contextPath(options.dockerfile);
  const input = extract();
  const output = pack();
  let seen = false;
  const fail = (error: unknown): void => {
    output.destroy(error as Error);
    input.destroy();
    source.destroy();
  };
  const onAbort = (): void => fail(options.signal?.reason ?? new Error('aborted'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  output.once('close', () => options.signal?.removeEventListener('abort', onAbort));

  const copyEntry = (header: Header, body: EntryBody, next: () => void): void => {
    const done = (error?: Error | null): void => (error ? fail(error) : next());
    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      body.resume();
      output.entry(header, done);
      return;
    }
    body.pipe(output.entry(header, done));
  };
  const rewriteEntry = async (header: Header, body: EntryBody): Promise<{ header: Header; data: Buffer }> => {
    const original = await readAll(body);
    const text = options.rewrite(original.toString('utf8'));
    const data = text === undefined ? original : Buffer.from(text);
    // A pax record of the old size would contradict the new body.
    const pax = isRecord(header.pax) ? Object.fromEntries(Object.entries(header.pax).filter(([k]) => k !== 'size')) : undefined;
    return { header: { ...header, size: data.length, pax }, data };
  };

  input.on('entry', (header, body, next) => {
    const isDockerfile = !seen && header.type === 'file' && contextPath(header.name) === wanted && (header.size ?? 0) <= MAX_DOCKERFILE_BYTES;
    if (!isDockerfile) {
      copyEntry(header, body, next);
      return;
    }
    seen = true;
    rewriteEntry(header, body).then(({ header: h, data }) => {
      output.entry(h, data, (error) => (error ? fail(error) : next()));
    }, fail);
  });
  input.on('finish', () => output.finalize());
  input.on('error', fail);
  source.on('error', fail);
  source.pipe(input as unknown as NodeJS.WritableStream);
  return output;
}
