/**
 * The image table on disk: one record per image (`images/<id hex>.json`) and the tag index
 * (`repositories.json`, familiar tag -> image ID, in the order tags were added). Lookups follow
 * Docker's order: a full ID, then the reference, then a unique ID prefix.
 *
 * Reads come from an in-memory snapshot that is reloaded when the directory or the index
 * changed (their mtimes, in nanoseconds); every mutation runs under the engine lock and
 * rewrites files atomically, so another process sees either the old or the new table.
 *
 * @module
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InvalidArgumentError, NotFoundError } from '../../../core/errors.js';
import { classifyImageLookup } from '../../../core/image-ref.js';
import { digestHex } from '../../../fs-union/index.js';
import { readJsonFile, writeJsonAtomic } from '../state/atomic-file.js';
import type { NativePaths } from '../paths.js';

/** What `images/<id hex>.json` holds. */
export const ImageRecordSchema = z.object({
  /** `sha256:<hex>` of the config blob. */
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** The image this one was committed on, when it is local (Docker's `Parent`). */
  parentId: z.string().optional(),
  /** Manifest digests it was pulled by (`busybox@sha256:...`). */
  repoDigests: z.array(z.string()),
  /** When the image entered this store (ISO). */
  added: z.string(),
});

/** One image record. */
export type ImageRecord = z.infer<typeof ImageRecordSchema>;

const RepositoriesSchema = z.object({ generation: z.number().int().min(0), tags: z.array(z.tuple([z.string(), z.string()])) });

/** A consistent view of the table. */
export interface CatalogSnapshot {
  /** Records by ID. */
  readonly records: ReadonlyMap<string, ImageRecord>;
  /** Familiar tag -> ID, in insertion order. */
  readonly tags: ReadonlyMap<string, string>;
}

/** Tags of `id` in a snapshot, in the order they were added. */
export function tagsOf(snapshot: CatalogSnapshot, id: string): string[] {
  const out: string[] = [];
  for (const [tag, target] of snapshot.tags) if (target === id) out.push(tag);
  return out;
}

/**
 * Finds an image as Docker does; undefined when nothing matches.
 * @throws InvalidArgumentError for an ID prefix that matches several images
 */
export function lookupImage(snapshot: CatalogSnapshot, input: string): ImageRecord | undefined {
  const how = classifyImageLookup(input);
  if (how.id !== undefined) return snapshot.records.get(how.id);
  if (how.ref !== undefined && how.ref.tag !== undefined && how.ref.digest === undefined) {
    const id = snapshot.tags.get(how.ref.familiar);
    if (id !== undefined) return snapshot.records.get(id);
  }
  if (how.ref?.digest !== undefined) {
    const wanted = `${how.ref.name}@${how.ref.digest}`;
    for (const record of snapshot.records.values()) if (record.repoDigests.includes(wanted)) return record;
  }
  if (how.idPrefix !== undefined) {
    const matches = [...snapshot.records.keys()].filter((id) => id.startsWith(`sha256:${how.idPrefix}`));
    if (matches.length > 1) {
      throw new InvalidArgumentError(`multiple IDs found with provided prefix: ${how.idPrefix}`, { details: { prefix: how.idPrefix } });
    }
    if (matches.length === 1) return snapshot.records.get(matches[0]!);
  }
  return undefined;
}

/** {@link lookupImage} that throws NotFoundError (`No such image: <ref>`). */
export function requireImage(snapshot: CatalogSnapshot, input: string): ImageRecord {
  const found = lookupImage(snapshot, input);
  if (!found) throw new NotFoundError(`No such image: ${input}`, { details: { ref: input } });
  return found;
}

/** A mutable copy of the table, handed to {@link ImageCatalog.update}. */
export interface CatalogDraft {
  /** Records by ID. */
  records: Map<string, ImageRecord>;
  /** Familiar tag -> ID, in insertion order. */
  tags: Map<string, string>;
}

/** The image table of one state root. */
export class ImageCatalog {
  readonly #paths: NativePaths;
  #cache: { index: string; snapshot: CatalogSnapshot } | undefined;

  constructor(paths: NativePaths) {
    this.#paths = paths;
  }

  /** Creates the directories. */
  async init(): Promise<void> {
    await mkdir(this.#paths.images, { recursive: true });
  }

  /**
   * The current table. The tag index carries a generation that every mutation bumps, so an
   * unchanged index text means an unchanged table (file times are too coarse to tell two
   * writes within a clock tick apart).
   */
  async snapshot(): Promise<CatalogSnapshot> {
    const text = await readFile(this.#paths.repositories, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    if (this.#cache?.index === text) return this.#cache.snapshot;
    const records = new Map<string, ImageRecord>();
    for (const name of await readdir(this.#paths.images)) {
      if (!/^[0-9a-f]{64}\.json$/.test(name)) continue;
      const record = await readJsonFile(join(this.#paths.images, name), ImageRecordSchema).catch(() => undefined);
      if (record) records.set(record.id, record);
    }
    const index = text ? await readJsonFile(this.#paths.repositories, RepositoriesSchema) : undefined;
    const tags = new Map<string, string>();
    for (const [tag, id] of index?.tags ?? []) if (records.has(id)) tags.set(tag, id);
    const snapshot: CatalogSnapshot = { records, tags };
    this.#cache = { index: text, snapshot };
    return snapshot;
  }

  /**
   * Changes the table: `fn` edits a fresh copy (replacing a record object, never mutating
   * one); changed records and the index (with a new generation) are written after it returns.
   * The caller holds the engine lock.
   */
  async update<T>(fn: (draft: CatalogDraft) => T | Promise<T>): Promise<T> {
    const before = await this.snapshot();
    // snapshot() just left the index text it read in the cache.
    const generation = this.#cache?.index ? RepositoriesSchema.parse(JSON.parse(this.#cache.index)).generation : 0;
    const draft: CatalogDraft = { records: new Map(before.records), tags: new Map(before.tags) };
    const result = await fn(draft);
    for (const [id, record] of draft.records) {
      if (before.records.get(id) !== record) await writeJsonAtomic(this.#paths.image(digestHex(id)), record);
    }
    for (const id of before.records.keys()) {
      if (!draft.records.has(id)) await rm(this.#paths.image(digestHex(id)), { force: true });
    }
    for (const [tag, id] of draft.tags) if (!draft.records.has(id)) draft.tags.delete(tag);
    await writeJsonAtomic(this.#paths.repositories, { generation: generation + 1, tags: [...draft.tags] });
    return result;
  }
}
