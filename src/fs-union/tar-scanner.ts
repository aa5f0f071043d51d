/**
 * A push parser for tar streams working on raw 512-byte blocks, used by the in-memory layer
 * reader.
 *
 * It decodes headers with the block helpers the host apply path already uses
 * (`host/tar-blocks.ts`), so there is one tar header decoder in the project, and it avoids what
 * made a general-purpose codec slow for layers of tens of thousands of small files: no stream
 * object per entry, no event per chunk, and a file body that lies whole inside the chunk being
 * parsed is handed over as a view of that chunk instead of being copied into a queue first.
 * PAX record values stay bytes, so binary xattrs (`security.capability`) survive exactly.
 *
 * Reading rules, matching what the project read with tar-stream before (and Docker's Go reader
 * where tar-stream was stricter than needed):
 * - all-zero blocks are skipped wherever they stand, so the end-of-archive marker and record
 *   padding need no special case; the archive ends where the bytes end;
 * - ending in the middle of a header, a long header, a body or its padding is `truncated`;
 * - a header with a bad checksum is `bad-entry`; the ustar magic is not required (v7 tars);
 * - `x` PAX headers override path, linkpath, size, uid, gid and mtime of the next entry and
 *   carry `SCHILY.xattr.*`; GNU `L`/`N` and `K` carry long names and link targets (a PAX path
 *   wins over a GNU long name); `g` global headers are skipped, as Docker's reader does;
 * - typeflag `0` with a name ending in `/` is an old-style directory.
 *
 * @module
 */
import { LayerFormatError } from './errors.js';
import { decodeNameBytes } from './name-bytes.js';
import { BLOCK, checksumValid, isZeroBlock, paddedSize, parseHeader, parsePax, readNumber } from './host/tar-blocks.js';

/** One entry of a tar, after its PAX and GNU long headers were applied. */
export interface ScannedEntry {
  /** The entry name as stored (not cleaned). */
  name: string;
  /** Link target of hard and symbolic links (`''` otherwise). */
  linkname: string;
  /**
   * The typeflag character, normalised: `'0'` regular file (also NUL and `'7'`), `'1'` hard
   * link, `'2'` symlink, `'3'` char device, `'4'` block device, `'5'` directory, `'6'` fifo;
   * anything else is passed through for the caller to ignore.
   */
  type: string;
  /** Permission bits with set-id and sticky bits. */
  mode: number;
  /** Owner user ID. */
  uid: number;
  /** Owner group ID. */
  gid: number;
  /** Modification time in whole seconds since the epoch. */
  mtime: number;
  /** Device major number. */
  devMajor: number;
  /** Device minor number. */
  devMinor: number;
  /** Body size in bytes. */
  size: number;
  /** Extended attributes from `SCHILY.xattr.*` PAX records, values as raw bytes. */
  xattrs: Record<string, Buffer> | undefined;
}

/**
 * Receives each entry once its body is complete. For regular files the body is
 * `data[start, end)`: when `owned` is false, `data` is the caller's chunk, valid during the call
 * only (copy what must be kept); when true, `data` is exactly the body, in a buffer the scanner
 * allocated and gives away. Other entries get an empty range. Passing a range rather than a
 * view saves an object per file, which counts over tens of thousands of files.
 */
export type ScannedEntryHandler = (entry: ScannedEntry, data: Buffer, start: number, end: number, owned: boolean) => void;

/** Options of {@link TarScanner}. */
export interface TarScannerOptions {
  /**
   * Allocates the buffer a body split across chunks is assembled in (default
   * `Buffer.allocUnsafe`); lets the layer reader put bodies where it keeps file content.
   */
  allocate?: (size: number) => Buffer;
}

/** Largest PAX or GNU long header accepted: xattr values are at most 64 KiB on Linux. */
const MAX_META_SIZE = 1 << 20;
const EMPTY = Buffer.alloc(0);

/** What the bytes being collected belong to. */
interface Pending {
  /** The entry whose body is collected, or the typeflag of a long header. */
  entry: ScannedEntry | 'x' | 'L' | 'K';
  /** The body's size. */
  size: number;
  /**
   * The destination buffer, exactly the body size; absent for a large body, whose bytes are
   * kept as they arrive in `parts` and only put into one buffer once all of them came.
   */
  data: Buffer | undefined;
  /** Bytes of a large body received so far (copies: the caller's chunks are not kept). */
  parts: Buffer[];
  /** Bytes filled so far. */
  filled: number;
}

/**
 * Bodies larger than this are not allocated from the size their header claims: a header can
 * claim terabytes and be followed by nothing, so memory follows the bytes that really came.
 */
const UPFRONT_LIMIT = 64 * 1024 * 1024;

/**
 * Parses tar bytes pushed in chunks of any size, calling the handler for each entry.
 *
 * @example
 * ```ts
 * const scanner = new TarScanner((entry, data, start, end) => console.log(entry.name, end - start));
 * for await (const chunk of stream) scanner.push(chunk);
 * scanner.end();
 * ```
 */
export class TarScanner {
  readonly #onEntry: ScannedEntryHandler;
  readonly #allocate: (size: number) => Buffer;
  /** A header block split across chunks. */
  readonly #carry = Buffer.allocUnsafe(BLOCK);
  #carried = 0;
  /** Bytes to pass over: padding, or the body of an entry nobody keeps. */
  #skip = 0;
  #pending: Pending | undefined;
  #pax: Map<string, Buffer> | undefined;
  #longName: string | undefined;
  #longLink: string | undefined;
  #lastName = '<archive start>';

  constructor(onEntry: ScannedEntryHandler, options: TarScannerOptions = {}) {
    this.#onEntry = onEntry;
    this.#allocate = options.allocate ?? Buffer.allocUnsafe;
  }

  /** Name of the last entry seen, for error messages. */
  get lastEntry(): string {
    return this.#lastName;
  }

  /**
   * Parses one chunk. The chunk is only read during the call (views of it handed to the
   * handler are not kept by the scanner).
   *
   * @throws LayerFormatError (`bad-entry`) for a bad header; whatever the handler throws
   */
  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const length = buf.length;
    let off = 0;
    while (off < length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, length - off);
        this.#skip -= n;
        off += n;
        continue;
      }
      const pending = this.#pending;
      if (pending !== undefined) {
        const n = Math.min(pending.size - pending.filled, length - off);
        if (pending.data) buf.copy(pending.data, pending.filled, off, off + n);
        else pending.parts.push(Buffer.from(buf.subarray(off, off + n)));
        pending.filled += n;
        off += n;
        if (pending.filled === pending.size) {
          this.#pending = undefined;
          this.#skip = paddedSize(pending.size) - pending.size;
          const data = pending.data ?? this.#assemble(pending);
          this.#complete(pending.entry, data, 0, pending.size, true);
        }
        continue;
      }
      let block: Buffer;
      if (this.#carried > 0 || length - off < BLOCK) {
        const n = Math.min(BLOCK - this.#carried, length - off);
        buf.copy(this.#carry, this.#carried, off, off + n);
        this.#carried += n;
        off += n;
        if (this.#carried < BLOCK) continue;
        this.#carried = 0;
        block = this.#carry;
      } else {
        block = buf.subarray(off, off + BLOCK);
        off += BLOCK;
      }
      const next = this.#header(block);
      if (next === undefined) continue;
      const size = next === 'x' || next === 'L' || next === 'K' ? this.#metaSize : (next as ScannedEntry).size;
      if (length - off >= size) {
        // The whole body is in this chunk: hand over a view, no copy here.
        this.#skip = paddedSize(size) - size;
        off += size;
        this.#complete(next, buf, off - size, off, false);
      } else {
        const data = size > UPFRONT_LIMIT ? undefined : this.#allocBody(size, this.#allocatorFor(next));
        this.#pending = { entry: next, size, data, parts: [], filled: 0 };
      }
    }
  }

  /**
   * Declares the end of the input.
   *
   * @throws LayerFormatError (`truncated`) when the bytes stop inside an entry
   */
  end(): void {
    if (this.#skip > 0 || this.#pending !== undefined || this.#carried > 0) {
      throw new LayerFormatError('truncated', this.#lastName, 'archive is truncated after entry');
    }
  }

  #metaSize = 0;

  /**
   * Decodes a header block. Returns what needs a body (an entry whose body is delivered, or a
   * long-header type), or undefined when the entry is complete or nothing follows.
   */
  #header(block: Buffer): ScannedEntry | 'x' | 'L' | 'K' | undefined {
    if (isZeroBlock(block)) return undefined;
    const raw = parseHeader(block, decodeNameBytes);
    if (!checksumValid(block)) {
      throw new LayerFormatError('bad-entry', this.#lastName, 'unreadable archive after entry (invalid tar header checksum)');
    }
    let type = raw.type;
    if (type === 'x' || type === 'L' || type === 'N' || type === 'K' || type === 'g') {
      if (raw.size > MAX_META_SIZE) throw new LayerFormatError('oversized-header', raw.name, 'extended header too large');
      if (type === 'g' || raw.size === 0) {
        this.#skip = paddedSize(raw.size);
        return undefined;
      }
      this.#metaSize = raw.size;
      return type === 'N' ? 'L' : (type as 'x' | 'L' | 'K');
    }
    if (type === '7' || (type === '0' && raw.name.endsWith('/'))) type = type === '7' ? '0' : '5';
    const pax = this.#pax;
    const entry: ScannedEntry = {
      name: this.#longName ?? raw.name,
      linkname: this.#longLink ?? raw.linkname,
      type,
      mode: raw.mode,
      uid: readNumber(block, 108, 8),
      gid: readNumber(block, 116, 8),
      mtime: readNumber(block, 136, 12),
      devMajor: readNumber(block, 329, 8),
      devMinor: readNumber(block, 337, 8),
      size: raw.size,
      xattrs: undefined,
    };
    this.#pax = undefined;
    this.#longName = undefined;
    this.#longLink = undefined;
    if (pax !== undefined) applyPax(entry, pax);
    this.#lastName = entry.name;
    if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw new LayerFormatError('bad-entry', entry.name, 'invalid entry size');
    if (entry.type !== '0') {
      // Links, directories and devices keep no data; whatever the size field says is passed over.
      this.#skip = paddedSize(entry.size);
      this.#onEntry(entry, EMPTY, 0, 0, false);
      return undefined;
    }
    if (entry.size === 0) {
      this.#onEntry(entry, EMPTY, 0, 0, false);
      return undefined;
    }
    return entry;
  }

  /** Long headers are scanner-internal; entry bodies go where the caller keeps content. */
  #allocatorFor(target: ScannedEntry | 'x' | 'L' | 'K'): (size: number) => Buffer {
    return typeof target === 'string' ? Buffer.allocUnsafe : this.#allocate;
  }

  /** Joins a large body's parts into one buffer from the caller's allocator. */
  #assemble(pending: Pending): Buffer {
    const data = this.#allocBody(pending.size, this.#allocatorFor(pending.entry));
    let at = 0;
    for (const part of pending.parts) at += part.copy(data, at);
    pending.parts.length = 0;
    return data;
  }

  /** A buffer for a body split across chunks; a size no buffer can hold is a bad entry. */
  #allocBody(size: number, allocate: (size: number) => Buffer): Buffer {
    try {
      return allocate(size);
    } catch (err) {
      throw new LayerFormatError('bad-entry', this.#lastName, 'entry too large to hold in memory', { cause: err });
    }
  }

  /** A body (of an entry or a long header) is complete. */
  #complete(target: ScannedEntry | 'x' | 'L' | 'K', data: Buffer, start: number, end: number, owned: boolean): void {
    if (typeof target !== 'string') {
      this.#onEntry(target, data, start, end, owned);
      return;
    }
    const body = data.subarray(start, end);
    if (target === 'x') {
      // parsePax copies each value, so nothing keeps a view of the caller's chunk.
      const records = new Map<string, Buffer>();
      for (const { key, value } of parsePax(body)) records.set(key, value);
      this.#pax = records;
    } else if (target === 'L') this.#longName = cString(body);
    else this.#longLink = cString(body);
  }
}

/** Applies the PAX records the layer reader honours to an entry. */
function applyPax(entry: ScannedEntry, pax: Map<string, Buffer>): void {
  for (const [key, value] of pax) {
    if (key.startsWith('SCHILY.xattr.')) {
      (entry.xattrs ??= {})[key.slice('SCHILY.xattr.'.length)] = value;
      continue;
    }
    switch (key) {
      case 'path':
        entry.name = decodeNameBytes(value);
        break;
      case 'linkpath':
        entry.linkname = decodeNameBytes(value);
        break;
      case 'size':
        entry.size = paxNumber(value, entry.name, key);
        break;
      case 'uid':
        entry.uid = paxNumber(value, entry.name, key);
        break;
      case 'gid':
        entry.gid = paxNumber(value, entry.name, key);
        break;
      case 'mtime':
        // Fractional seconds are allowed; layers keep whole seconds.
        entry.mtime = Math.floor(Number(value.toString('latin1')) || 0);
        break;
    }
  }
}

function paxNumber(value: Buffer, name: string, key: string): number {
  const text = value.toString('latin1');
  if (!/^\d+$/.test(text)) throw new LayerFormatError('bad-entry', name, `invalid PAX ${key} record`);
  return Number(text);
}

/** A GNU long name: the data up to the first NUL, its bytes kept. */
function cString(data: Buffer): string {
  const end = data.indexOf(0);
  return decodeNameBytes(data, 0, end < 0 ? data.length : end);
}

