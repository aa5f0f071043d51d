/**
 * Making the layer of a COPY or ADD without a container: Docker's destination rules (a
 * trailing `/` or an existing directory means "into", a directory source copies its contents,
 * several sources go into a directory), `--chown` and `--chmod`, heredoc sources, and ADD's
 * extraction of local tar archives (detected by content, compressed or not).
 *
 * @module
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { throwIfAborted } from '../core/errors.js';
import { decompressStream, detectCompression } from '../fs-union/compression.js';
import type { FileStats, FileSystemApi } from '../fs-union/fs-api.js';
import { Layer } from '../fs-union/layer.js';
import { LayerBuilder } from '../fs-union/layer-builder.js';
import type { CopySource, MatchedSource, SourceEntry } from './copy-sources.js';

/** An owner given by `--chown`, resolved to numbers. */
export interface Owner {
  /** User ID. */
  uid: number;
  /** Group ID. */
  gid: number;
}

/** Everything a COPY/ADD layer is made from. */
export interface CopyPlan {
  /** ADD extracts local archives. */
  add: boolean;
  /** Each matched source with its entries, and where it comes from. */
  items: { source: CopySource; match: MatchedSource; entries: SourceEntry[] }[];
  /** Heredoc sources (`COPY <<EOF /dst`): a file per heredoc. */
  inline: { name: string; content: string }[];
  /** Absolute destination; a trailing `/` when it must be a directory. */
  dest: string;
  /** The stage's filesystem as it stands (what exists at the destination). */
  rootfs: FileSystemApi;
  /** `--chown`. */
  owner?: Owner;
  /** `--chmod` bits. */
  mode?: number;
  /** Modification time of directories the copy creates or changes. */
  now: Date;
}

async function statOf(fs: FileSystemApi, path: string): Promise<FileStats | undefined> {
  try {
    return await fs.stat(path);
  } catch {
    return undefined;
  }
}

/** Tries to read a file as a (possibly compressed) tar archive; undefined when it is not one. */
async function asArchive(bytes: Buffer, signal?: AbortSignal): Promise<Layer | undefined> {
  const compressed = detectCompression(bytes.subarray(0, 6)) !== 'none';
  // An uncompressed tar has the ustar magic (or a valid old-style header checksum).
  if (!compressed && !isTarHeader(bytes)) return undefined;
  try {
    const stream = compressed ? decompressStream(Readable.from([bytes]), signal ? { signal } : {}) : bytes;
    return await Layer.fromTar(stream, signal ? { signal } : {});
  } catch {
    return undefined;
  }
}

function isTarHeader(bytes: Buffer): boolean {
  if (bytes.length < 512) return false;
  if (bytes.subarray(257, 262).toString('latin1') === 'ustar') return true;
  const stored = Number.parseInt(bytes.subarray(148, 156).toString('latin1').replace(/[\0 ]/g, ''), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (bytes[i] ?? 0);
  return stored === sum;
}

/** Builds the layer of one COPY or ADD. */
export async function buildCopyLayer(plan: CopyPlan, signal?: AbortSignal): Promise<Layer> {
  const builder = new LayerBuilder({ mtime: plan.now });
  const added = new Set<string>();
  const ownerOf = (s: FileStats, keep: boolean): Owner => plan.owner ?? (keep ? { uid: s.uid, gid: s.gid } : { uid: 0, gid: 0 });
  const modeOf = (s: FileStats): number => plan.mode ?? (s.mode & 0o7777);

  // A changed directory's parents are in the diff too, with what they are in the stage.
  const ensureDir = async (dir: string, created: Owner = plan.owner ?? { uid: 0, gid: 0 }): Promise<void> => {
    if (dir === '/' || added.has(dir)) return;
    await ensureDir(posix.dirname(dir));
    const existing = await statOf(plan.rootfs, dir);
    const meta = existing?.isDirectory()
      ? { mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid, mtime: plan.now }
      : { mode: 0o755, ...created, mtime: plan.now };
    builder.addDirectory(dir, meta);
    added.add(dir);
  };
  const put = async (target: string, add: () => void): Promise<void> => {
    await ensureDir(posix.dirname(target));
    add();
    added.add(target);
  };
  const destDir = plan.dest.replace(/\/+$/, '') || '/';
  const intoDir = plan.dest.endsWith('/') || plan.items.length + plan.inline.length > 1 || (await statOf(plan.rootfs, destDir))?.isDirectory() === true;
  const fileTarget = (name: string): string => (intoDir ? posix.join(destDir, name) : destDir);

  for (const { source, match, entries } of plan.items) {
    throwIfAborted(signal);
    if (!match.stats.isDirectory()) {
      const bytes = await source.fs.readFile(match.path);
      const archive = plan.add ? await asArchive(bytes, signal) : undefined;
      if (archive) {
        await extractArchive(archive, destDir, builder, ensureDir, added, plan);
        continue;
      }
      const s = match.stats;
      await put(fileTarget(posix.basename(match.path)), () => {
        builder.addFile(fileTarget(posix.basename(match.path)), bytes, { mode: modeOf(s), ...ownerOf(s, source.keepOwners), mtime: s.mtime });
      });
      continue;
    }
    await ensureDir(destDir);
    for (const e of entries) {
      if (e.rel === '') continue;
      const target = posix.join(destDir, e.rel);
      const meta = { mode: modeOf(e.stats), ...ownerOf(e.stats, source.keepOwners), mtime: e.stats.mtime };
      if (e.stats.isDirectory()) {
        builder.addDirectory(target, meta);
      } else if (e.stats.isSymbolicLink()) {
        builder.addSymlink(target, e.target ?? '', { ...meta, mode: e.stats.mode & 0o7777 });
      } else if (e.stats.isFile()) {
        builder.addFile(target, await source.fs.readFile(e.path), meta);
      } else {
        continue;
      }
      added.add(target);
    }
  }
  for (const doc of plan.inline) {
    const target = fileTarget(posix.basename(doc.name));
    await put(target, () => {
      builder.addFile(target, doc.content, { mode: plan.mode ?? 0o644, ...(plan.owner ?? { uid: 0, gid: 0 }), mtime: plan.now });
    });
  }
  return builder.build(signal ? { signal } : {});
}

/** Adds an archive's entries below `destDir` (ADD of a local tar): owners and modes as in the archive. */
async function extractArchive(
  archive: Layer,
  destDir: string,
  builder: LayerBuilder,
  ensureDir: (dir: string) => Promise<void>,
  added: Set<string>,
  plan: CopyPlan,
): Promise<void> {
  await ensureDir(destDir);
  for (const e of archive.entries()) {
    if (e.path === '') continue;
    const target = posix.join(destDir, e.path);
    const owner = plan.owner ?? { uid: e.uid, gid: e.gid };
    const meta = { mode: e.mode, ...owner, mtime: e.mtime };
    if (e.type === 'directory') builder.addDirectory(target, meta);
    else if (e.type === 'file') builder.addFile(target, e.content, meta);
    else if (e.type === 'symlink') builder.addSymlink(target, e.target, meta);
    else if (e.type === 'hardlink') builder.addHardlink(target, posix.join(destDir, e.target), meta);
    else continue;
    added.add(target);
  }
}
