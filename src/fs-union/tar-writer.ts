/**
 * Deterministic tar output on tar-stream's packer.
 *
 * Every header field is derived from the entry alone (no current time, no user names), so the
 * same records always give the same bytes; content is pushed with the packer's backpressure.
 *
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { paxHeaderBlocks, type PaxRecord } from './host/tar-blocks.js';
import { encodeNameBytes, hasEscapedBytes } from './name-bytes.js';
import type { Header } from 'tar-stream';

/** The header argument `pack.entry` accepts. */
type HeaderArgument = Partial<Header> & Pick<Header, 'name'>;
import { throwIfAborted } from '../core/errors.js';

/** One tar record to write: a fully resolved name and the entry's fields. */
export interface TarRecord {
  /** The name as it goes into the tar (no leading `/`; directories get their `/` added). */
  readonly name: string;
  /** The record's type; `link` is a hard link to `linkname`. */
  readonly type: 'file' | 'directory' | 'symlink' | 'link' | 'char' | 'block' | 'fifo';
  /** Permission bits. */
  readonly mode: number;
  /** Owner user ID. */
  readonly uid: number;
  /** Owner group ID. */
  readonly gid: number;
  /** Modification time (written as whole seconds). */
  readonly mtime: Date;
  /** Extended attributes, written as sorted `SCHILY.xattr.*` PAX records. */
  readonly xattrs?: Readonly<Record<string, Buffer>>;
  /** Content of a `file` record. */
  readonly data?: Buffer;
  /** Target of a `symlink` or `link` record. */
  readonly linkname?: string;
  /** Device major number of `char`/`block` records. */
  readonly devMajor?: number;
  /** Device minor number of `char`/`block` records. */
  readonly devMinor?: number;
}

// File-type bits OR-ed into the mode: tar-stream replaces a falsy mode with its default, which
// would turn a legitimate mode 0 into 0644; the type bits keep it truthy and are masked on encode.
const typeBits: Record<TarRecord['type'], number> = {
  file: 0o100000,
  link: 0o100000,
  directory: 0o040000,
  symlink: 0o120000,
  char: 0o020000,
  block: 0o060000,
  fifo: 0o010000,
};

const tarTypes: Record<TarRecord['type'], Header['type']> = {
  file: 'file',
  link: 'link',
  directory: 'directory',
  symlink: 'symlink',
  char: 'character-device',
  block: 'block-device',
  fifo: 'fifo',
};

/** The tar-stream header of a record. */
function headerOf(record: TarRecord): HeaderArgument {
  const name = record.type === 'directory' ? (record.name === '' ? './' : `${record.name}/`) : record.name;
  const header: HeaderArgument = {
    name,
    type: tarTypes[record.type],
    mode: (record.mode & 0o7777) | typeBits[record.type],
    uid: record.uid,
    gid: record.gid,
    mtime: new Date(Math.floor(record.mtime.getTime() / 1000) * 1000),
    size: record.type === 'file' ? (record.data?.length ?? 0) : 0,
    uname: '',
    gname: '',
  };
  if (record.linkname !== undefined) header.linkname = record.linkname;
  if (record.type === 'char' || record.type === 'block') {
    header.devmajor = record.devMajor ?? 0;
    header.devminor = record.devMinor ?? 0;
  }
  const keys = record.xattrs === undefined ? [] : Object.keys(record.xattrs).sort();
  if (keys.length > 0) {
    const pax: Record<string, string> = {};
    for (const key of keys) pax[`SCHILY.xattr.${key}`] = record.xattrs![key]!.toString('utf8');
    header.pax = pax;
  }
  return header;
}

/**
 * The PAX extended header (blocks) of a record whose xattrs include a value that is not valid
 * UTF-8, or whose name or link target holds bytes that are not UTF-8 (see name-bytes.ts);
 * undefined when tar-stream can write the header itself. tar-stream takes names and PAX values
 * as strings and would replace such bytes (a binary `security.capability`, a name `a\xff`)
 * with U+FFFD, so this header is encoded here, as bytes, carrying the name and link target too
 * (the entry itself is then written under the placeholder name `PaxHeader`, as tar-stream does
 * in PAX mode). Other records keep tar-stream's encoding, so their bytes and digests are
 * unchanged.
 */
function binaryPax(record: TarRecord, header: HeaderArgument): Buffer | undefined {
  const xattrs = record.xattrs ?? {};
  const binaryXattrs = !Object.values(xattrs).every((value) => isUtf8(value));
  if (!binaryXattrs && !hasEscapedBytes(header.name) && !hasEscapedBytes(header.linkname ?? '')) return undefined;
  const records: PaxRecord[] = [{ key: 'path', value: encodeNameBytes(header.name) }];
  if (header.linkname) records.push({ key: 'linkpath', value: encodeNameBytes(header.linkname) });
  for (const key of Object.keys(xattrs).sort()) records.push({ key: `SCHILY.xattr.${key}`, value: xattrs[key]! });
  return paxHeaderBlocks(records);
}

/** Options of {@link packTar}. */
export interface PackTarOptions {
  /** Stops writing and errors the stream when aborted. */
  signal?: AbortSignal;
}

/**
 * Writes records, in the order given, as a tar stream. Records may be produced lazily (the
 * iterable is pulled only as fast as the consumer reads); an error thrown by the iterable
 * becomes the stream's `error`.
 */
export function packTar(records: Iterable<TarRecord> | AsyncIterable<TarRecord>, options: PackTarOptions = {}): Readable {
  const pack = tarStream.pack();
  const { signal } = options;
  const run = async (): Promise<void> => {
    for await (const record of records) {
      throwIfAborted(signal);
      let header = headerOf(record);
      const pax = binaryPax(record, header);
      if (pax !== undefined) {
        // Pushed between two entries (the previous one has been written completely), so the
        // extended header lands right before the entry it describes.
        pack.push(pax);
        header = { ...header, name: 'PaxHeader', ...(header.linkname ? { linkname: 'PaxHeader' } : {}) };
        delete header.pax;
      }
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error | null): void => (err ? reject(err) : resolve());
        if (record.type === 'file') pack.entry(header, record.data ?? Buffer.alloc(0), done);
        else pack.entry(header, done);
      });
    }
    pack.finalize();
  };
  run().catch((err: unknown) => pack.destroy(err as Error));
  return Readable.from(pack as unknown as AsyncIterable<Buffer>, { objectMode: false });
}

/** Collects a whole readable stream into one buffer (for tests and small archives). */
export async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
