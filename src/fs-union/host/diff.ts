/**
 * Turning an overlayfs upper directory back into an OCI layer tar (the native backend's
 * `commit` and `diff`).
 *
 * overlayfs records a deletion as a character device 0/0 (or, on newer kernels, an empty file
 * with `trusted.overlay.whiteout`) and a replaced directory as `trusted.overlay.opaque=y`; OCI
 * layers say the same with `.wh.NAME` files and a `.wh..wh..opq` marker. The output is
 * deterministic: entries sorted by name, each directory before its children, its opaque
 * marker and whiteouts before its other children, owners numeric, no user/group names, times in
 * whole seconds. Other `trusted.overlay.*` xattrs are overlayfs bookkeeping and are dropped.
 * The upper directory must come from a mount without `redirect_dir`/`metacopy` (renamed
 * directories and metadata-only copies cannot be expressed in a layer tar).
 *
 * @module
 */
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { abortErrorFrom, InvalidArgumentError, NotFoundError } from '../../core/errors.js';
import { joinLayerPath } from '../paths.js';
import { OPAQUE_MARKER, WHITEOUT_PREFIX } from '../whiteouts.js';
import { BLOCK, entryHeaderBlocks, paddedSize, type PaxRecord, type TarHeaderSpec } from './tar-blocks.js';
import { readTreeXattrs, type XattrMap } from './xattrs.js';

/** Options of {@link diffDirectoryToLayerTar}. */
export interface DiffDirectoryOptions {
  /** Aborts the walk; the stream then fails with `AbortError`. */
  signal?: AbortSignal;
}

const OVERLAY_XATTR_PREFIX = 'trusted.overlay.';
const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);

/** Device numbers of a `stat.rdev`, as glibc's `major()`/`minor()` split them. */
function deviceNumbers(rdev: number): { major: number; minor: number } {
  return { major: ((rdev >> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff), minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00) };
}

function isWhiteout(stats: Stats, xattrs: XattrMap | undefined): boolean {
  if (stats.isCharacterDevice() && stats.rdev === 0) return true;
  return stats.isFile() && stats.size === 0 && xattrs?.has('trusted.overlay.whiteout') === true;
}

/** Xattrs that belong in the layer, as PAX records, sorted by name. */
function paxXattrs(xattrs: XattrMap | undefined): PaxRecord[] {
  if (xattrs === undefined) return [];
  return [...xattrs]
    .filter(([name]) => !name.startsWith(OVERLAY_XATTR_PREFIX))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ key: `SCHILY.xattr.${name}`, value }));
}

function baseSpec(name: string, stats: Stats): Omit<TarHeaderSpec, 'type'> {
  return { name, mode: stats.mode, uid: stats.uid, gid: stats.gid, mtime: Math.floor(stats.mtimeMs / 1000), size: 0 };
}

/**
 * Streams an overlay upper directory as an OCI layer tar: character devices 0/0 become
 * `.wh.NAME`, an opaque directory becomes the directory plus `.wh..wh..opq`; hardlinked files
 * are written once and linked after; xattrs travel as `SCHILY.xattr.*` PAX records. xattrs of
 * the whole tree are read with one `getfattr` process before the walk starts.
 *
 * Errors (missing directory: `NotFoundError`; abort: `AbortError`) are the stream's `error`.
 *
 * @example
 * ```ts
 * const tar = diffDirectoryToLayerTar('/var/lib/stowage/containers/abc/upper');
 * const layer = await store.putLayer(tar);
 * ```
 */
export function diffDirectoryToLayerTar(upperDir: string, options: DiffDirectoryOptions = {}): Readable {
  return Readable.from(generateLayerTar(upperDir, options.signal), { objectMode: false });
}

async function* generateLayerTar(root: string, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const rootStats = await lstat(root).catch(() => undefined);
  if (rootStats === undefined || !rootStats.isDirectory()) {
    throw new NotFoundError(`no such directory: ${root}`, { details: { path: root } });
  }
  const xattrs = await readTreeXattrs(root, signal);
  const hardlinks = new Map<string, string>();
  yield* walk(root, '', xattrs, hardlinks, signal);
  yield END_OF_ARCHIVE;
}

async function* walk(
  root: string,
  dir: string,
  xattrs: Map<string, XattrMap>,
  hardlinks: Map<string, string>,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  if (signal?.aborted) throw abortErrorFrom(signal);
  const dirXattrs = xattrs.get(dir);
  if (dirXattrs?.get('trusted.overlay.opaque')?.toString() === 'y') {
    const stats = await lstat(join(root, dir));
    yield entryHeaderBlocks({ ...baseSpec(joinLayerPath(dir, OPAQUE_MARKER), stats), type: '0', mode: 0o644 });
  }
  const names = (await readdir(join(root, dir))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const children = await Promise.all(names.map(async (name) => ({ name, path: joinLayerPath(dir, name), stats: await lstat(join(root, dir, name)) })));
  const whiteouts = children.filter((c) => isWhiteout(c.stats, xattrs.get(c.path)));
  for (const { name, stats } of whiteouts) {
    yield entryHeaderBlocks({ ...baseSpec(joinLayerPath(dir, WHITEOUT_PREFIX + name), stats), type: '0', mode: 0o644 });
  }
  const hidden = new Set(whiteouts.map((w) => w.path));
  for (const { path, stats } of children) {
    if (hidden.has(path)) continue;
    if (signal?.aborted) throw abortErrorFrom(signal);
    const pax = paxXattrs(xattrs.get(path));
    if (stats.isDirectory()) {
      yield entryHeaderBlocks({ ...baseSpec(`${path}/`, stats), type: '5', pax });
      yield* walk(root, path, xattrs, hardlinks, signal);
    } else if (stats.isSymbolicLink()) {
      yield entryHeaderBlocks({ ...baseSpec(path, stats), type: '2', linkname: await readlink(join(root, path)), pax });
    } else if (stats.isFile()) {
      const key = `${stats.dev}:${stats.ino}`;
      const first = stats.nlink > 1 ? hardlinks.get(key) : undefined;
      if (first !== undefined) {
        yield entryHeaderBlocks({ ...baseSpec(path, stats), type: '1', linkname: first, pax });
        continue;
      }
      if (stats.nlink > 1) hardlinks.set(key, path);
      yield entryHeaderBlocks({ ...baseSpec(path, stats), type: '0', size: stats.size, pax });
      yield* fileContent(join(root, path), stats.size, path);
    } else if (stats.isCharacterDevice() || stats.isBlockDevice()) {
      const type = stats.isCharacterDevice() ? '3' : '4';
      yield entryHeaderBlocks({ ...baseSpec(path, stats), type, device: deviceNumbers(stats.rdev), pax });
    } else if (stats.isFIFO()) {
      yield entryHeaderBlocks({ ...baseSpec(path, stats), type: '6', pax });
    }
    // Sockets are skipped, as tar skips them: they cannot be recreated from bytes.
  }
}

/** A file's bytes plus tar padding; a file that changes size while read is an error. */
async function* fileContent(file: string, size: number, entry: string): AsyncGenerator<Buffer> {
  let read = 0;
  if (size > 0) {
    for await (const chunk of createReadStream(file, { end: size - 1, highWaterMark: 256 * 1024 })) {
      read += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  if (read !== size) {
    throw new InvalidArgumentError(`file changed size while being archived: ${entry}`, { details: { path: entry } });
  }
  const padding = paddedSize(size) - size;
  if (padding > 0) yield Buffer.alloc(padding);
}
