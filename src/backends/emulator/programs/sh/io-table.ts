/**
 * The shell's file descriptor table and the streams redirections open.
 *
 * The filesystem API writes whole files, so a redirected output is a Writable that appends
 * each chunk in order; the shell ends it and waits for `finish` before the next command runs,
 * which keeps `echo hi > f && cat f` ordered. `/dev/null`, `/dev/stdout` and `/dev/stderr`
 * work even when the container's filesystem has no `/dev`.
 *
 * @module
 */
import { PassThrough, Readable, Writable } from 'node:stream';
import type { FileSystemApi } from '../../../../fs-union/fs-api.js';

/** A file descriptor table: 0, 1, 2 and any `N>file` the script opened. */
export type FdTable = Map<number, Readable | Writable>;

/** A Writable that appends every chunk to a file of the container's filesystem. */
export class FileSink extends Writable {
  #fs: FileSystemApi;
  #path: string;

  constructor(fs: FileSystemApi, path: string) {
    super({ highWaterMark: 64 * 1024 });
    this.#fs = fs;
    this.#path = path;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#fs.appendFile(this.#path, chunk).then(() => callback(), callback);
  }

  // Chunks that queue up while an append is in flight land in one append, not one each.
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.#fs.appendFile(this.#path, Buffer.concat(chunks.map((c) => c.chunk))).then(() => callback(), callback);
  }
}

/** A Writable that discards everything (`/dev/null`). */
export function nullSink(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}

/** A Readable with nothing in it (`< /dev/null`, or stdin when none is attached). */
export function emptySource(): Readable {
  const s = new PassThrough();
  s.end();
  return s;
}

/** A Readable of fixed content (here-documents, files read for `<`). */
export function bufferSource(data: string | Buffer): Readable {
  return Readable.from([typeof data === 'string' ? Buffer.from(data) : data], { objectMode: false });
}

/** Ends a Writable the shell opened and waits until every chunk has landed. */
export async function closeSink(stream: Writable): Promise<void> {
  if (stream.writableFinished || stream.destroyed) return;
  await new Promise<void>((resolve) => {
    stream.once('finish', resolve);
    stream.once('error', () => resolve());
    stream.once('close', () => resolve());
    stream.end();
  });
}

/** A pipe between two commands of a pipeline; never crashes on writes after the reader left. */
export function createPipe(): PassThrough {
  const pipe = new PassThrough({ highWaterMark: 16 * 1024 });
  // A write after destroy emits 'error'; the writer already sees EPIPE through write().
  pipe.on('error', () => undefined);
  return pipe;
}

/** fd 0 as a Readable (an empty one when closed or not readable). */
export function readableOf(io: FdTable): Readable {
  const s = io.get(0);
  return s && 'read' in s && typeof s.read === 'function' ? (s as Readable) : emptySource();
}

/** fd `n` as a Writable (a discarding one when closed). */
export function writableOf(io: FdTable, n: number): Writable {
  const s = io.get(n);
  return s && 'write' in s && typeof (s as Writable).write === 'function' ? (s as Writable) : nullSink();
}
