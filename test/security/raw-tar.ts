/**
 * Tars as raw bytes, for tests about names that are not UTF-8: a writer that puts name bytes
 * exactly as given (a PAX `path` record when they do not fit ustar), and a reader that hands
 * them back as bytes. Neither shares code with what is under test.
 *
 * @module
 */

const BLOCK = 512;

/** One entry to write or one entry read. */
export interface RawTarEntry {
  /** Name bytes. */
  name: Buffer;
  /** Typeflag: `0` file, `2` symlink, `5` directory. */
  type: '0' | '2' | '5';
  /** Link target bytes (symlinks). */
  linkname?: Buffer;
  /** Body (files). */
  data?: Buffer;
}

function octal(value: number, length: number): Buffer {
  return Buffer.from(`${value.toString(8).padStart(length - 1, '0')}\0`, 'latin1');
}

function header(name: Buffer, type: string, size: number, linkname: Buffer): Buffer {
  const h = Buffer.alloc(BLOCK);
  name.copy(h, 0, 0, Math.min(name.length, 100));
  octal(type === '5' ? 0o755 : 0o644, 8).copy(h, 100);
  octal(0, 8).copy(h, 108);
  octal(0, 8).copy(h, 116);
  octal(size, 12).copy(h, 124);
  octal(1_700_000_000, 12).copy(h, 136);
  h.write(type, 156, 'latin1');
  linkname.copy(h, 157, 0, Math.min(linkname.length, 100));
  h.write('ustar\x0000', 257, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)]);
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

/** Writes entries as a tar with their name bytes untouched. */
export function writeRawTar(entries: RawTarEntry[]): Buffer {
  const out: Buffer[] = [];
  for (const e of entries) {
    const linkname = e.linkname ?? Buffer.alloc(0);
    const data = e.data ?? Buffer.alloc(0);
    if (e.name.length > 100 || linkname.length > 100) {
      const records = Buffer.concat([paxRecord('path', e.name), ...(linkname.length > 0 ? [paxRecord('linkpath', linkname)] : [])]);
      out.push(header(Buffer.from('PaxHeader'), 'x', records.length, Buffer.alloc(0)), padded(records));
    }
    out.push(header(e.name, e.type, data.length, linkname), padded(data));
  }
  out.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(out);
}

function field(block: Buffer, start: number, length: number): Buffer {
  const end = block.indexOf(0, start);
  return Buffer.from(block.subarray(start, end < 0 || end > start + length ? start + length : end));
}

/** An entry as read back: any typeflag. */
export type ReadTarEntry = Omit<RawTarEntry, 'type'> & { type: string; linkname: Buffer; data: Buffer };

/** Reads a tar's entries with their name bytes (PAX `path`/`linkpath`, GNU `L`/`K`, ustar prefix). */
export function readRawTar(tar: Buffer): ReadTarEntry[] {
  const out: ReadTarEntry[] = [];
  let pax: Map<string, Buffer> | undefined;
  let longName: Buffer | undefined;
  let longLink: Buffer | undefined;
  for (let off = 0; off + BLOCK <= tar.length;) {
    const block = tar.subarray(off, off + BLOCK);
    off += BLOCK;
    if (block.every((b) => b === 0)) continue;
    const size = parseInt(block.toString('latin1', 124, 136).replace(/\0.*$/, '').trim() || '0', 8);
    const data = Buffer.from(tar.subarray(off, off + size));
    off += Math.ceil(size / BLOCK) * BLOCK;
    const type = String.fromCharCode(block[156] || 0x30);
    if (type === 'x') {
      pax = new Map();
      for (let i = 0; i < data.length;) {
        const space = data.indexOf(0x20, i);
        const length = Number(data.toString('latin1', i, space));
        const record = data.subarray(space + 1, i + length - 1);
        const eq = record.indexOf(0x3d);
        pax.set(record.toString('latin1', 0, eq), Buffer.from(record.subarray(eq + 1)));
        i += length;
      }
      continue;
    }
    if (type === 'L' || type === 'K') {
      const value = field(data, 0, data.length);
      if (type === 'L') longName = value;
      else longLink = value;
      continue;
    }
    if (type === 'g') continue;
    let name = field(block, 0, 100);
    if (block.toString('latin1', 257, 263) === 'ustar\0') {
      const prefix = field(block, 345, 155);
      if (prefix.length > 0) name = Buffer.concat([prefix, Buffer.from('/'), name]);
    }
    name = pax?.get('path') ?? longName ?? name;
    const linkname = pax?.get('linkpath') ?? longLink ?? field(block, 157, 100);
    out.push({ name, type, linkname, data });
    pax = undefined;
    longName = undefined;
    longLink = undefined;
  }
  return out;
}
