/**
 * Validates a layer tar and rewrites it into a tar GNU tar can extract safely.
 *
 * Everything that decides whether an entry is allowed happens here, in Node, before GNU tar
 * sees the entry: names are cleaned as Docker and GNU tar clean them, `..` that still climbs
 * out, hardlinks out of the root and any write through a symlink (one made earlier in the same
 * layer, or one already on disk) are refused with a {@link LayerFormatError} naming the entry.
 * Whiteouts are converted for the target format:
 *
 * - `overlay`: `.wh.NAME` becomes a character device 0/0 named NAME; `.wh..wh..opq` becomes a
 *   directory entry for its parent carrying the PAX record `SCHILY.xattr.trusted.overlay.opaque=y`,
 *   which GNU tar's `--xattrs` turns into the xattr overlayfs reads;
 * - `plain`: whiteouts and opaque markers are removed from the stream and reported in the
 *   {@link LayerPlan}, for the caller to delete lower entries once extraction has finished.
 *
 * @module
 */
import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { abortErrorFrom } from '../../core/errors.js';
import { LayerFormatError, type LayerFormatReason } from '../errors.js';
import { cleanEntryName, parentOf } from '../paths.js';
import { parseWhiteoutName } from '../whiteouts.js';
import {
  BLOCK,
  checksumValid,
  isZeroBlock,
  paddedSize,
  parseHeader,
  parsePax,
  paxHeaderBlocks,
  rewriteHeader,
  type HeaderPatch,
  type PaxRecord,
} from './tar-blocks.js';

/** Options of {@link LayerRewriter}. */
export interface LayerRewriterOptions {
  /** How whiteouts are represented in the output. */
  format: 'overlay' | 'plain';
  /**
   * The directory the output will be extracted into, when it already has content whose
   * symlinks must not be written through; omit for an empty staging directory.
   */
  existingRoot?: string;
  /** Stops the rewrite with `AbortError`. */
  signal?: AbortSignal;
}

/** What a plain-format apply must still do after extraction. */
export interface LayerPlan {
  /** Root-relative paths hidden by `.wh.NAME` entries. */
  whiteouts: string[];
  /** Root-relative directories marked opaque (`''` for the root). */
  opaqueDirs: string[];
  /** Every path the layer itself wrote, plus their ancestors: never deleted by a whiteout. */
  layerPaths: Set<string>;
}

type Kind = 'dir' | 'symlink' | 'other' | 'whiteout';

const OPAQUE_XATTR: PaxRecord = { key: 'SCHILY.xattr.trusted.overlay.opaque', value: Buffer.from('y') };
const ALLOWED_TYPES = new Set(['0', '1', '2', '3', '4', '5', '6', '7']);
const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);

/** The header blocks of one entry, with its effective (PAX/GNU long) name and link name. */
interface PendingEntry {
  block: Buffer;
  name: string;
  linkname: string;
  type: string;
  size: number;
  /** PAX records other than `path`, `linkpath` (re-added when needed). */
  pax: PaxRecord[];
  /** True when the entry came with PAX or GNU long-name headers (which are always rebuilt). */
  hadMeta: boolean;
}

/**
 * A one-shot streaming rewriter: call {@link LayerRewriter.rewrite} once, consume its output,
 * then read {@link LayerRewriter.plan}.
 */
export class LayerRewriter {
  readonly #format: 'overlay' | 'plain';
  readonly #existingRoot: string | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #kinds = new Map<string, Kind>();
  readonly #layerPaths = new Set<string>();
  readonly #diskSymlink = new Map<string, boolean>();
  readonly #dirHeaders = new Map<string, { block: Buffer; pax: PaxRecord[] }>();
  readonly #opaque = new Set<string>();
  readonly #whiteouts: string[] = [];
  // The parent directory of the previous entry, already checked: most entries share it.
  #checkedParent: string | undefined;

  /** @param options the output format, the directory already on disk (if any) and a signal */
  constructor(options: LayerRewriterOptions) {
    this.#format = options.format;
    this.#existingRoot = options.existingRoot;
    this.#signal = options.signal;
  }

  /** What remains to be done after extraction (plain format); complete once the output ended. */
  get plan(): LayerPlan {
    return { whiteouts: [...this.#whiteouts], opaqueDirs: [...this.#opaque], layerPaths: this.#layerPaths };
  }

  /**
   * Reads a layer tar and yields the rewritten tar, one batch of buffers per input chunk (the
   * pieces are slices of the input where possible: batches are meant for one `writev`).
   *
   * @throws LayerFormatError for refused entries, bad checksums and truncated input
   */
  async *rewrite(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer[]> {
    let carry: Buffer | undefined; // an incomplete header or meta-data block between chunks
    let dataLeft = 0; // entry data (plus padding) still to pass or skip
    let keepData = false;
    let meta: { type: string; size: number; chunks: Buffer[]; have: number } | undefined;
    let pax: PaxRecord[] = [];
    let longName: string | undefined;
    let longLink: string | undefined;
    let ended = false;
    let lastName = '';

    for await (const input of source) {
      if (this.#signal?.aborted) throw abortErrorFrom(this.#signal);
      if (ended) continue; // drain what follows the end marker
      const whole = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
      // A header split across chunks: complete just that block, never copy the whole chunk.
      const segments = [whole];
      if (carry !== undefined) {
        const need = BLOCK - carry.length;
        if (whole.length < need) {
          carry = Buffer.concat([carry, whole]);
          continue;
        }
        segments.splice(0, 1, Buffer.concat([carry, whole.subarray(0, need)]), whole.subarray(need));
        carry = undefined;
      }
      const out: Buffer[] = [];
      for (const chunk of segments) {
        let off = 0;
        while (off < chunk.length && !ended) {
          if (dataLeft > 0) {
            const n = Math.min(dataLeft, chunk.length - off);
            if (keepData) out.push(chunk.subarray(off, off + n));
            off += n;
            dataLeft -= n;
            continue;
          }
          if (meta !== undefined) {
            const n = Math.min(paddedSize(meta.size) - meta.have, chunk.length - off);
            meta.chunks.push(chunk.subarray(off, off + n));
            meta.have += n;
            off += n;
            if (meta.have < paddedSize(meta.size)) continue;
            const data = Buffer.concat(meta.chunks).subarray(0, meta.size);
            if (meta.type === 'x') pax = parsePax(data);
            else if (meta.type === 'L') longName = cString(data);
            else if (meta.type === 'K') longLink = cString(data);
            meta = undefined;
            continue;
          }
          if (chunk.length - off < BLOCK) {
            carry = Buffer.from(chunk.subarray(off));
            break;
          }
          const block = chunk.subarray(off, off + BLOCK);
          off += BLOCK;
          if (isZeroBlock(block)) {
            ended = true;
            break;
          }
          const header = parseHeader(block);
          if (!checksumValid(block)) throw new LayerFormatError('bad-entry', header.name, 'tar header checksum mismatch');
          if (header.type === 'x' || header.type === 'L' || header.type === 'K' || header.type === 'g') {
            if (header.size > 1 << 20) throw new LayerFormatError('oversized-header', header.name, 'extended header too large');
            if (header.type === 'g') {
              // Global headers set defaults nobody relies on in layers; dropping keeps the output simple.
              dataLeft = paddedSize(header.size);
              keepData = false;
            } else if (header.size > 0) {
              meta = { type: header.type, size: header.size, chunks: [], have: 0 };
            }
            continue;
          }
          const paxPath = pax.find((r) => r.key === 'path');
          const paxLink = pax.find((r) => r.key === 'linkpath');
          const paxSize = pax.find((r) => r.key === 'size');
          const entry: PendingEntry = {
            block,
            name: longName ?? paxPath?.value.toString('utf8') ?? header.name,
            linkname: longLink ?? paxLink?.value.toString('utf8') ?? header.linkname,
            type: header.type,
            size: paxSize === undefined ? header.size : Number(paxSize.value.toString('latin1')),
            pax: pax.filter((r) => r.key !== 'path' && r.key !== 'linkpath'),
            hadMeta: pax.length > 0 || longName !== undefined || longLink !== undefined,
          };
          pax = [];
          longName = undefined;
          longLink = undefined;
          lastName = entry.name;
          keepData = await this.#entry(entry, out);
          dataLeft = paddedSize(entry.size);
        }
      }
      if (out.length > 0) yield out;
    }
    if (!ended && (dataLeft > 0 || meta !== undefined || carry !== undefined)) {
      throw new LayerFormatError('truncated', lastName, 'layer tar ends in the middle of an entry');
    }
    yield [END_OF_ARCHIVE];
  }

  /** Validates and converts one entry, pushing its output headers; returns whether its data is kept. */
  async #entry(entry: PendingEntry, out: Buffer[]): Promise<boolean> {
    const { name, type } = entry;
    if (!ALLOWED_TYPES.has(type)) throw new LayerFormatError('bad-entry', name, `unsupported tar entry type ${JSON.stringify(type)}`);
    const path = cleanEntryName(name);
    if (path === '') {
      if (type !== '5') throw new LayerFormatError('bad-entry', name, 'the layer root must be a directory');
      this.#emit(entry, out, { name: './' }, this.#opaque.has('') ? [OPAQUE_XATTR] : []);
      this.#dirHeaders.set('', { block: Buffer.from(entry.block), pax: entry.pax });
      return false;
    }
    const whiteout = parseWhiteoutName(path, name);
    await this.#checkParents(path, name, 'symlink-escape');
    if (whiteout !== null) {
      if (whiteout.kind === 'meta') return false;
      if (whiteout.kind === 'opaque') {
        this.#opaque.add(whiteout.dir);
        if (this.#format === 'overlay') this.#emitOpaqueDir(whiteout.dir, entry, out);
        return false;
      }
      this.#whiteouts.push(whiteout.target);
      // A whiteout never hides an entry of its own layer: if the layer already has the target
      // (or something under it), the whiteout is moot.
      if (this.#format === 'overlay' && !this.#layerPaths.has(whiteout.target)) {
        this.#kinds.set(whiteout.target, 'whiteout');
        this.#emit(entry, out, {
          name: whiteout.target,
          type: '3',
          size: 0,
          mode: 0,
          device: { major: 0, minor: 0 },
        });
      }
      return false;
    }

    let patch: HeaderPatch = {};
    const trailing = type === '5' ? '/' : '';
    if (name !== path && name !== `${path}/`) patch.name = path + trailing;
    if (type === '1') {
      const target = cleanLinkTarget(entry.linkname, name);
      await this.#checkParents(target, name, 'hardlink-escape');
      if (this.#kinds.get(target) === 'whiteout') throw new LayerFormatError('bad-entry', name, 'hardlink to a whiteout');
      if (target !== entry.linkname) patch = { ...patch, linkname: target };
    }
    const kind: Kind = type === '5' ? 'dir' : type === '2' ? 'symlink' : 'other';
    if (kind !== 'dir' && this.#existingRoot !== undefined && !this.#layerPaths.has(path)) await this.#removeLowerDirectory(path);
    this.#kinds.set(path, kind);
    this.#layerPaths.add(path);
    // A new symlink may sit on the path of later entries: check their parents afresh.
    if (kind === 'symlink') this.#checkedParent = undefined;
    if (kind === 'dir') {
      this.#dirHeaders.set(path, { block: Buffer.from(entry.block), pax: entry.pax });
      this.#emit(entry, out, patch, this.#opaque.has(path) && this.#format === 'overlay' ? [OPAQUE_XATTR] : []);
      return false;
    }
    this.#emit(entry, out, patch);
    return true;
  }

  /** Pushes an entry's headers: untouched when nothing changes, else rebuilt with PAX as needed. */
  #emit(entry: PendingEntry, out: Buffer[], patch: HeaderPatch, extra: PaxRecord[] = []): void {
    const changed = Object.keys(patch).length > 0;
    if (!changed && !entry.hadMeta && extra.length === 0) {
      out.push(entry.block);
      return;
    }
    const name = patch.name ?? entry.name;
    const linkname = patch.linkname ?? entry.linkname;
    const records = entry.pax.filter((r) => !extra.some((e) => e.key === r.key));
    if (patch.size !== undefined) {
      const i = records.findIndex((r) => r.key === 'size');
      if (i >= 0) records.splice(i, 1);
    }
    if (Buffer.byteLength(name) > 100) records.push({ key: 'path', value: Buffer.from(name) });
    if (Buffer.byteLength(linkname) > 100) records.push({ key: 'linkpath', value: Buffer.from(linkname) });
    records.push(...extra);
    if (records.length > 0) out.push(paxHeaderBlocks(records));
    out.push(rewriteHeader(entry.block, { ...patch, name, linkname }));
  }

  /** Emits a directory entry for `dir` that carries the opaque xattr (overlay format). */
  #emitOpaqueDir(dir: string, marker: PendingEntry, out: Buffer[]): void {
    const seen = this.#dirHeaders.get(dir);
    const name = dir === '' ? './' : `${dir}/`;
    if (seen !== undefined) {
      this.#emit({ ...marker, block: seen.block, pax: seen.pax, type: '5', size: 0, linkname: '' }, out, { name }, [OPAQUE_XATTR]);
      return;
    }
    // The directory has no entry of its own (yet): make one from the marker's owner and time.
    if (dir !== '') {
      this.#kinds.set(dir, 'dir');
      this.#layerPaths.add(dir);
    }
    this.#emit({ ...marker, pax: [], type: '5', size: 0, linkname: '' }, out, { name, type: '5', size: 0, mode: 0o755, linkname: '' }, [OPAQUE_XATTR]);
  }

  /**
   * Refuses `path` when one of its ancestors is a symlink, made by this layer or already on
   * disk; records the ancestors as paths of this layer.
   */
  async #checkParents(path: string, entry: string, reason: LayerFormatReason): Promise<void> {
    const parent = parentOf(path);
    if (parent === this.#checkedParent) return;
    for (let dir = parent; dir !== ''; dir = parentOf(dir)) {
      const kind = this.#kinds.get(dir);
      if (kind === 'symlink') throw new LayerFormatError(reason, entry, 'entry would be written through a symlink');
      if (kind === undefined && this.#existingRoot !== undefined && (await this.#isDiskSymlink(dir))) {
        throw new LayerFormatError(reason, entry, 'entry would be written through a symlink on disk');
      }
      this.#layerPaths.add(dir);
    }
    this.#checkedParent = parent;
  }

  /**
   * A non-directory replacing a lower directory: GNU tar only removes empty directories, Docker
   * removes the whole lower tree, so do that here. Nothing of this layer lies under `path` (it
   * is not in the layer's paths), so the removal cannot race GNU tar's work on earlier entries.
   */
  async #removeLowerDirectory(path: string): Promise<void> {
    const full = join(this.#existingRoot!, path);
    const stats = await lstat(full).catch(() => undefined);
    if (stats?.isDirectory()) await rm(full, { recursive: true, force: true });
  }

  async #isDiskSymlink(dir: string): Promise<boolean> {
    const known = this.#diskSymlink.get(dir);
    if (known !== undefined) return known;
    let symlink = false;
    try {
      symlink = (await lstat(join(this.#existingRoot!, dir))).isSymbolicLink();
    } catch {
      symlink = false; // missing: GNU tar will create it as a directory
    }
    this.#diskSymlink.set(dir, symlink);
    return symlink;
  }
}

function cString(data: Buffer): string {
  const nul = data.indexOf(0);
  return data.toString('utf8', 0, nul < 0 ? data.length : nul);
}

/** Cleans a hardlink target like an entry name, refusing targets outside the root. */
function cleanLinkTarget(linkname: string, entry: string): string {
  let target: string;
  try {
    target = cleanEntryName(linkname);
  } catch (error) {
    throw new LayerFormatError('hardlink-escape', entry, 'hardlink target climbs out of the layer root', { cause: error });
  }
  if (target === '') throw new LayerFormatError('hardlink-escape', entry, 'hardlink to the layer root');
  return target;
}
