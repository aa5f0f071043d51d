/**
 * Byte-level tar header reading and writing for the host-directory apply path.
 *
 * The apply path rewrites a layer tar on its way into GNU tar. Going through a full tar codec
 * would decode and re-encode every header and copy every data byte through object streams;
 * working on raw 512-byte blocks lets ordinary entries pass through untouched (their data as
 * zero-copy slices) and keeps PAX record values as bytes, so binary xattrs such as
 * `security.capability` survive unchanged.
 *
 * @module
 */
import { encodeNameBytes } from '../name-bytes.js';

/** Size of a tar block. */
export const BLOCK = 512;

/** One `key=value` record of a PAX extended header; the value is kept as raw bytes. */
export interface PaxRecord {
  /** The record key (`path`, `linkpath`, `SCHILY.xattr.user.x`, ...). */
  key: string;
  /** The raw value bytes. */
  value: Buffer;
}

/** The fields of a ustar/GNU header block that the rewriter looks at. */
export interface RawHeaderInfo {
  /** The name field joined with the ustar prefix (not PAX/GNU long names). */
  name: string;
  /** The linkname field. */
  linkname: string;
  /** The typeflag character (`'0'`, `'5'`, `'x'`, ...; NUL reads as `'0'`). */
  type: string;
  /** The size field. */
  size: number;
  /** Permission bits and the set-id/sticky bits. */
  mode: number;
}

/** Turns the bytes `block[start, end)` of a name field into a string. */
export type NameDecoder = (block: Buffer, start: number, end: number) => string;

/** Plain UTF-8 (a byte that is not UTF-8 becomes U+FFFD), what the host apply path uses. */
const utf8Name: NameDecoder = (block, start, end) => block.toString('utf8', start, end);

function readString(block: Buffer, offset: number, length: number, decode: NameDecoder = utf8Name): string {
  const end = block.indexOf(0, offset);
  return decode(block, offset, end < 0 || end > offset + length ? offset + length : end);
}

/** Reads a numeric field: octal text, or GNU base-256 when the top bit of the first byte is set. */
export function readNumber(block: Buffer, offset: number, length: number): number {
  const first = block[offset]!;
  if (first & 0x80) {
    let value = first & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + block[offset + i]!;
    return value;
  }
  // Octal digits, padded with spaces or NULs on either side (parsed by hand: this runs for
  // every header of every layer).
  let value = 0;
  let started = false;
  for (let i = offset; i < offset + length; i++) {
    const b = block[i]!;
    if (b >= 0x30 && b <= 0x37) {
      value = value * 8 + (b - 0x30);
      started = true;
    } else if (started) {
      break;
    }
  }
  return value;
}

/** True when a header block's checksum matches (unsigned or the historic signed sum). */
export function checksumValid(block: Buffer): boolean {
  const stored = readNumber(block, 148, 8);
  // The checksum field itself counts as eight spaces.
  let unsigned = 8 * 0x20;
  let high = 0; // bytes above 127, which the signed sum counts 256 lower
  for (let i = 0; i < 148; i++) {
    const b = block[i]!;
    unsigned += b;
    if (b > 127) high++;
  }
  for (let i = 156; i < BLOCK; i++) {
    const b = block[i]!;
    unsigned += b;
    if (b > 127) high++;
  }
  return stored === unsigned || stored === unsigned - 256 * high;
}

/** True for an all-zero block (the end-of-archive marker). */
export function isZeroBlock(block: Buffer): boolean {
  // A real header never starts with NUL (its name is non-empty), so most calls stop here.
  return block[0] === 0 && block.equals(ZERO_BLOCK);
}

const ZERO_BLOCK = Buffer.alloc(BLOCK);

/** True when the magic field reads `ustar\0` (compared as bytes: this runs for every header). */
function isUstar(block: Buffer): boolean {
  return block[257] === 0x75 && block[258] === 0x73 && block[259] === 0x74 && block[260] === 0x61 && block[261] === 0x72 && block[262] === 0;
}

/**
 * Decodes the fields the rewriter needs from a header block. Names are UTF-8 unless `decode`
 * says otherwise (the in-memory reader keeps their bytes with `decodeNameBytes`).
 */
export function parseHeader(block: Buffer, decode: NameDecoder = utf8Name): RawHeaderInfo {
  let name = readString(block, 0, 100, decode);
  // POSIX ustar keeps a path prefix at 345; old GNU uses that area for times, so only "ustar\0".
  if (isUstar(block)) {
    const prefix = readString(block, 345, 155, decode);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const flag = block[156]!;
  return {
    name,
    linkname: readString(block, 157, 100, decode),
    type: flag === 0 ? '0' : String.fromCharCode(flag),
    size: readNumber(block, 124, 12),
    mode: readNumber(block, 100, 8) & 0o7777,
  };
}

/** Parses PAX extended header data into records, keeping values as bytes. */
export function parsePax(data: Buffer): PaxRecord[] {
  const records: PaxRecord[] = [];
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = parseInt(data.toString('latin1', offset, space), 10);
    if (!Number.isFinite(length) || length <= 0 || offset + length > data.length) break;
    const record = data.subarray(space + 1, offset + length - 1); // drop the trailing '\n'
    const eq = record.indexOf(0x3d);
    if (eq > 0) records.push({ key: record.toString('utf8', 0, eq), value: Buffer.from(record.subarray(eq + 1)) });
    offset += length;
  }
  return records;
}

/** Encodes PAX records as extended header data (`"<len> key=value\n"` with a self-counting length). */
export function encodePax(records: readonly PaxRecord[]): Buffer {
  const parts: Buffer[] = [];
  for (const { key, value } of records) {
    const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
    let length = body.length + 1;
    while (String(length).length + body.length !== length) length = String(length).length + body.length;
    parts.push(Buffer.from(String(length)), body);
  }
  return Buffer.concat(parts);
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}

/** Writes the checksum of a header block in place. */
export function writeChecksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
}

/** Changes applied by {@link rewriteHeader} to a copy of a header block. */
export interface HeaderPatch {
  /** New name; longer than 100 bytes it must also travel in a PAX `path` record. */
  name?: string;
  /** New linkname; longer than 100 bytes it must also travel in a PAX `linkpath` record. */
  linkname?: string;
  /** New typeflag character. */
  type?: string;
  /** New size (written in octal). */
  size?: number;
  /** New mode bits. */
  mode?: number;
  /** Device numbers for character and block devices. */
  device?: { major: number; minor: number };
}

/** A patched copy of a header block with a fresh checksum; the source block is not modified. */
export function rewriteHeader(source: Buffer, patch: HeaderPatch): Buffer {
  const block = Buffer.from(source);
  if (patch.name !== undefined) {
    block.fill(0, 0, 100);
    Buffer.from(patch.name).copy(block, 0, 0, 100);
    // The prefix would be joined back onto the new name; PAX carries long names instead.
    if (block.toString('latin1', 257, 263) === 'ustar\0') block.fill(0, 345, 500);
  }
  if (patch.linkname !== undefined) {
    block.fill(0, 157, 257);
    Buffer.from(patch.linkname).copy(block, 157, 0, 100);
  }
  if (patch.type !== undefined) block.write(patch.type, 156, 1, 'latin1');
  if (patch.size !== undefined) writeOctal(block, 124, 12, patch.size);
  if (patch.mode !== undefined) writeOctal(block, 100, 8, patch.mode);
  if (patch.device !== undefined) {
    writeOctal(block, 329, 8, patch.device.major);
    writeOctal(block, 337, 8, patch.device.minor);
  }
  writeChecksum(block);
  return block;
}

/** A PAX extended header (header block plus padded data) carrying `records`. */
export function paxHeaderBlocks(records: readonly PaxRecord[]): Buffer {
  const data = encodePax(records);
  const header = Buffer.alloc(BLOCK);
  header.write('PaxHeader', 0, 'latin1');
  writeOctal(header, 100, 8, 0o644);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, data.length);
  writeOctal(header, 136, 12, 0);
  header.write('x', 156, 1, 'latin1');
  header.write('ustar\x0000', 257, 8, 'latin1');
  writeChecksum(header);
  const padded = Buffer.alloc(paddedSize(data.length));
  data.copy(padded);
  return Buffer.concat([header, padded]);
}

/** `size` rounded up to whole blocks. */
export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

/** A tar entry to encode with {@link entryHeaderBlocks}. */
export interface TarHeaderSpec {
  /** Root-relative name (directories end with `/`). */
  name: string;
  /** Typeflag character: `'0'` file, `'1'` hardlink, `'2'` symlink, `'3'`/`'4'` devices, `'5'` dir, `'6'` fifo. */
  type: string;
  /** Permission bits with set-id and sticky bits. */
  mode: number;
  /** Numeric owner. */
  uid: number;
  /** Numeric group. */
  gid: number;
  /** Modification time in whole seconds since the epoch. */
  mtime: number;
  /** Data size (files only). */
  size: number;
  /** Link target for hardlinks and symlinks. */
  linkname?: string;
  /** Device numbers for `'3'` and `'4'`. */
  device?: { major: number; minor: number };
  /** Extra PAX records (xattrs), values as bytes. */
  pax?: PaxRecord[];
}

/** Largest value an 8-byte octal field holds; beyond it the value goes to a PAX record. */
const MAX_OCTAL_8 = 0o7777777;
/** Largest value the 12-byte octal size field holds. */
const MAX_OCTAL_12 = 0o77777777777;

/**
 * Encodes the header of one entry (a PAX header first when a name, link, owner or size does
 * not fit ustar, or when xattrs are given). PAX values stay bytes, so binary xattrs survive;
 * names are written as their bytes (`encodeNameBytes`).
 */
export function entryHeaderBlocks(spec: TarHeaderSpec): Buffer {
  const records: PaxRecord[] = [];
  const name = encodeNameBytes(spec.name);
  const linkname = encodeNameBytes(spec.linkname ?? '');
  if (name.length > 100) records.push({ key: 'path', value: name });
  if (linkname.length > 100) records.push({ key: 'linkpath', value: linkname });
  if (spec.uid > MAX_OCTAL_8) records.push({ key: 'uid', value: Buffer.from(String(spec.uid)) });
  if (spec.gid > MAX_OCTAL_8) records.push({ key: 'gid', value: Buffer.from(String(spec.gid)) });
  if (spec.size > MAX_OCTAL_12) records.push({ key: 'size', value: Buffer.from(String(spec.size)) });
  records.push(...(spec.pax ?? []));
  const block = Buffer.alloc(BLOCK);
  name.copy(block, 0, 0, 100);
  writeOctal(block, 100, 8, spec.mode & 0o7777);
  writeOctal(block, 108, 8, Math.min(spec.uid, MAX_OCTAL_8));
  writeOctal(block, 116, 8, Math.min(spec.gid, MAX_OCTAL_8));
  writeOctal(block, 124, 12, Math.min(spec.size, MAX_OCTAL_12));
  writeOctal(block, 136, 12, Math.max(0, Math.floor(spec.mtime)));
  block.write(spec.type, 156, 1, 'latin1');
  linkname.copy(block, 157, 0, 100);
  block.write('ustar\x0000', 257, 8, 'latin1');
  if (spec.device !== undefined) {
    writeOctal(block, 329, 8, spec.device.major);
    writeOctal(block, 337, 8, spec.device.minor);
  }
  writeChecksum(block);
  return records.length > 0 ? Buffer.concat([paxHeaderBlocks(records), block]) : block;
}
