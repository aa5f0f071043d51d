/**
 * Extracted layers: each layer of a stack is applied once, in overlay format, into
 * `layers/<chainID hex>/diff`, and given a short link `l/<short>` so an overlay mount of many
 * layers fits its options in one page (the kernel's limit for mount data): 100 layers x
 * `l/XXXXXXXXXXXX:` (15 bytes) is 1.5 KiB, where absolute paths would be ~8 KiB.
 *
 * A layer is complete when its `layer.json` exists; it is written last, after the diff dir
 * and the link. Extraction holds a per-layer lock, so two processes wanting one layer extract
 * it once; recovery deletes a layer dir without `layer.json` when nobody holds its lock.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { applyLayerToDirectory, digestHex, sha256Digest } from '../../../fs-union/index.js';
import { readJsonFile, syncDirectory, writeJsonAtomic } from '../state/atomic-file.js';
import { abstractLockName, tryAcquireLock, withLock } from '../state/engine-lock.js';
import type { NativePaths } from '../paths.js';
import { crashPoint } from '../state/crash-point.js';

/** What `layer.json` records. */
export const LayerRecordSchema = z.object({
  chainId: z.string(),
  diffId: z.string(),
  parent: z.string().optional(),
  short: z.string().regex(/^[A-Z2-7]{12}$/),
  size: z.number().int().min(0),
});

/** A complete layer. */
export type LayerRecord = z.infer<typeof LayerRecordSchema>;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function shortName(): string {
  const bytes = randomBytes(12);
  let out = '';
  for (const b of bytes) out += BASE32[b & 31];
  return out;
}

/** The chainID of `diffId` on top of the stack whose chainID is `parent`. */
export function childChainId(parent: string | undefined, diffId: string): string {
  return parent === undefined ? diffId : sha256Digest(`${parent} ${diffId}`);
}

/** The extracted layers of one state root. */
export class LayerStore {
  readonly #paths: NativePaths;

  constructor(paths: NativePaths) {
    this.#paths = paths;
  }

  /** Creates the directories. */
  async init(): Promise<void> {
    await mkdir(this.#paths.layers, { recursive: true });
    await mkdir(this.#paths.links, { recursive: true });
  }

  /** The record of a complete layer, or undefined. */
  async get(chainId: string): Promise<LayerRecord | undefined> {
    return readJsonFile(join(this.#paths.layer(digestHex(chainId)), 'layer.json'), LayerRecordSchema);
  }

  /**
   * Makes sure the layer `diffId` on top of `parent` is extracted; `open` gives its
   * uncompressed tar (called only when the layer is not there yet).
   */
  async ensure(
    parent: string | undefined,
    diffId: string,
    size: number,
    open: () => Promise<Readable> | Readable,
    signal?: AbortSignal,
  ): Promise<LayerRecord> {
    const chainId = childChainId(parent, diffId);
    const existing = await this.get(chainId);
    if (existing) return existing;
    return withLock(await this.#lockName(chainId), async () => {
      const again = await this.get(chainId);
      if (again) return again;
      const dir = this.#paths.layer(digestHex(chainId));
      // A dead extraction's leftovers (we hold the lock, so nobody is extracting now).
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await applyLayerToDirectory(await open(), join(dir, 'diff'), { format: 'overlay', ...(signal ? { signal } : {}) });
      crashPoint('layer:after-extract');
      const short = await this.#link(dir);
      await writeFile(join(dir, 'link'), short);
      const record: LayerRecord = { chainId, diffId, ...(parent ? { parent } : {}), short, size };
      await writeJsonAtomic(join(dir, 'layer.json'), record);
      return record;
    }, signal);
  }

  /** Creates `l/<short>` -> the layer's diff dir, retrying on the (unlikely) name clash. */
  async #link(dir: string): Promise<string> {
    for (;;) {
      const short = shortName();
      try {
        await symlink(join('..', 'layers', dir.slice(this.#paths.layers.length + 1), 'diff'), join(this.#paths.links, short));
        await syncDirectory(this.#paths.links);
        return short;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  async #lockName(chainId: string): Promise<string> {
    return abstractLockName(this.#paths.root, `layer-${digestHex(chainId).slice(0, 32)}`);
  }

  /**
   * The layer records of an image's diffIDs, bottom first, or undefined when one is missing.
   */
  async stack(diffIds: readonly string[]): Promise<LayerRecord[] | undefined> {
    const out: LayerRecord[] = [];
    let parent: string | undefined;
    for (const diffId of diffIds) {
      const record = await this.get(childChainId(parent, diffId));
      if (!record) return undefined;
      out.push(record);
      parent = record.chainId;
    }
    return out;
  }

  /**
   * The overlay `lowerdir` value for a stack, top layer first, relative to the root (mount
   * with the root as working directory).
   */
  lowerDirs(stack: readonly LayerRecord[]): string[] {
    return stack.map((layer) => join('l', layer.short)).reverse();
  }

  /** Deletes a layer and its link (the caller knows no image uses it). */
  async remove(chainId: string): Promise<void> {
    const dir = this.#paths.layer(digestHex(chainId));
    const record = await this.get(chainId).catch(() => undefined);
    if (record) await rm(join(this.#paths.links, record.short), { force: true });
    await rm(dir, { recursive: true, force: true });
  }

  /** Every complete layer's chainID. */
  async list(): Promise<LayerRecord[]> {
    const out: LayerRecord[] = [];
    for (const name of await readdir(this.#paths.layers).catch(() => [] as string[])) {
      const record = await this.get(`sha256:${name}`).catch(() => undefined);
      if (record) out.push(record);
    }
    return out;
  }

  /**
   * Deletes half-extracted layers (no `layer.json`) that no process is extracting, and short
   * links that lead nowhere. Resolves with what was deleted.
   */
  async recover(): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await readdir(this.#paths.layers).catch(() => [] as string[])) {
      const chainId = `sha256:${name}`;
      if (await this.get(chainId).catch(() => undefined)) continue;
      const lock = await tryAcquireLock(await this.#lockName(chainId));
      if (!lock) continue;
      try {
        if (await this.get(chainId).catch(() => undefined)) continue;
        await rm(this.#paths.layer(name), { recursive: true, force: true });
        removed.push(this.#paths.layer(name));
      } finally {
        await lock.release();
      }
    }
    for (const short of await readdir(this.#paths.links).catch(() => [] as string[])) {
      const link = join(this.#paths.links, short);
      const target = await readlink(link).catch(() => undefined);
      const hex = target?.split('/')[2];
      if (hex !== undefined && (await this.get(`sha256:${hex}`).catch(() => undefined))?.short === short) continue;
      // A link made just now by a live extraction has no layer.json yet: its lock is held.
      if (hex !== undefined) {
        const lock = await tryAcquireLock(await this.#lockName(`sha256:${hex}`));
        if (!lock) continue;
        await lock.release();
      }
      await rm(link, { force: true });
      removed.push(link);
    }
    return removed;
  }
}

/** The chainIDs of a stack of diffIDs, bottom first. */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) out.push(childChainId(out.at(-1), diffId));
  return out;
}
