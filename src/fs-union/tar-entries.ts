/**
 * Reading a tar entry by entry, for unpacking into a filesystem (`docker cp` into a
 * container). It is the layer reader's parser ({@link TarScanner}) with the whole body of each
 * entry handed over, so an archive is judged by one set of rules everywhere:
 * - names keep their bytes (see name-bytes.ts), so two names that differ in a non-UTF-8 byte
 *   stay two names;
 * - a bad header is `bad-entry`, bytes that stop inside an entry are `truncated`, a PAX or GNU
 *   long header over 1 MiB is `oversized-header`: each a {@link LayerFormatError}, an
 *   InvalidArgumentError, as Go's archive/tar refuses them (`invalid tar header`, `unexpected
 *   EOF`, `header field too long`);
 * - a compressed archive (gzip, bzip2, xz, zstd) is decoded first, as Docker's extractor does.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { abortErrorFrom, StowageError, throwIfAborted } from '../core/errors.js';
import { decompressStream } from './compression.js';
import { LayerFormatError } from './errors.js';
import { TarScanner, type ScannedEntry } from './tar-scanner.js';

/** The kind of a tar entry, named as tar-stream names them. */
export type TarEntryType = 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo' | 'other';

/** One entry: its header fields and, for a regular file, its whole body. */
export interface TarEntry {
  /** The header, PAX and GNU long names applied. */
  header: {
    /** Entry name as stored (not cleaned), bytes kept. */
    name: string;
    /** Entry kind. */
    type: TarEntryType;
    /** Target of a link (`''` otherwise), bytes kept. */
    linkname: string;
    /** Permission bits with set-id and sticky bits. */
    mode: number;
    /** Owner user ID. */
    uid: number;
    /** Owner group ID. */
    gid: number;
    /** Modification time (whole seconds). */
    mtime: Date;
    /** Device numbers of character and block devices. */
    devmajor: number;
    /** Device minor number. */
    devminor: number;
  };
  /** The body of a regular file (empty for every other kind). */
  data: Buffer;
}

const types: Record<string, TarEntryType> = {
  '0': 'file',
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

function entryOf(scanned: ScannedEntry, data: Buffer): TarEntry {
  return {
    header: {
      name: scanned.name,
      type: types[scanned.type] ?? 'other',
      linkname: scanned.linkname,
      mode: scanned.mode & 0o7777,
      uid: scanned.uid,
      gid: scanned.gid,
      mtime: new Date(scanned.mtime * 1000),
      devmajor: scanned.devMajor,
      devminor: scanned.devMinor,
    },
    data,
  };
}

/**
 * Yields the entries of a tar (plain or compressed) as they complete; the source is read only
 * as fast as the entries are taken.
 *
 * @throws LayerFormatError (`bad-entry`, `truncated`, `oversized-header`) for a malformed tar;
 *   AbortError on `signal`; a StowageError from the source (a decoder's) as it is
 * @example
 * ```ts
 * for await (const { header, data } of readTarEntries(stream)) console.log(header.name, data.length);
 * ```
 */
export async function* readTarEntries(source: Readable | AsyncIterable<Uint8Array>, options: { signal?: AbortSignal } = {}): AsyncGenerator<TarEntry> {
  const { signal } = options;
  throwIfAborted(signal);
  const ready: TarEntry[] = [];
  const scanner = new TarScanner((entry, data, start, end, owned) => {
    // A view of the caller's chunk is only valid during this call: keep a copy.
    ready.push(entryOf(entry, owned ? data : Buffer.from(data.subarray(start, end))));
  });
  const input = decompressStream(source, signal ? { signal } : {});
  try {
    for await (const chunk of input) {
      throwIfAborted(signal);
      scanner.push(chunk as Buffer);
      while (ready.length > 0) yield ready.shift()!;
    }
    scanner.end();
    while (ready.length > 0) yield ready.shift()!;
  } catch (err) {
    if (signal?.aborted) throw abortErrorFrom(signal);
    if (err instanceof StowageError) throw err;
    // A source that failed mid-way (a reset connection, a corrupt compressed stream).
    const message = err instanceof Error ? err.message : String(err);
    throw new LayerFormatError('bad-entry', scanner.lastEntry, `unreadable archive after entry (${message})`, { cause: err });
  } finally {
    input.destroy();
  }
}
