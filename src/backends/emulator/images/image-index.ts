/**
 * The emulator's image table: images by ID, tags by familiar reference, and Docker's lookup
 * order (full ID, then the reference, then an ID prefix).
 *
 * @module
 */
import type { ImageConfig } from '../../../core/schemas/image.js';
import { InvalidArgumentError, NotFoundError } from '../../../core/errors.js';
import { classifyImageLookup, type ImageRef } from '../../../core/image-ref.js';
import type { Layer } from '../../../fs-union/layer.js';
import type { ParsedImageConfigInfo } from './image-config.js';

/** An immutable stored image, as the container part of the emulator uses it. */
export interface EmulatorImage {
  /** `sha256:<hex>`: the sha256 of {@link EmulatorImage.configBytes}. */
  readonly id: string;
  /** The image config JSON, exactly as saved and hashed. */
  readonly configBytes: Buffer;
  /** Layers, bottom first. */
  readonly layers: readonly Layer[];
  /** The runnable config. */
  readonly config: ImageConfig;
  /** When the image was created. */
  readonly created: Date;
}

/** What the index keeps about each image besides the {@link EmulatorImage} itself. */
export interface ImageRecord {
  /** The image. */
  readonly image: EmulatorImage;
  /** Everything parsed from its config (history, author, comment, platform). */
  readonly meta: ParsedImageConfigInfo;
  /** The image this one was committed/built on, when it is known locally (Docker's `Parent`). */
  readonly parentId?: string;
  /** Manifest digests it was pulled by (`busybox@sha256:...`). */
  readonly repoDigests: string[];
}

/** The outcome of a lookup that can be ambiguous. */
export type ImageLookupResult =
  | { kind: 'found'; record: ImageRecord }
  | { kind: 'ambiguous'; prefix: string }
  | { kind: 'missing' };

/** Images and tags of one store. */
export class ImageIndex {
  readonly #records = new Map<string, ImageRecord>();
  /** Familiar tag (`centos:7`) -> image ID; insertion order is the order `repoTags` lists. */
  readonly #tags = new Map<string, string>();

  /** Adds an image (an existing ID keeps its first record: same bytes, same image). */
  add(record: ImageRecord): ImageRecord {
    const existing = this.#records.get(record.image.id);
    if (existing) {
      for (const d of record.repoDigests) if (!existing.repoDigests.includes(d)) existing.repoDigests.push(d);
      return existing;
    }
    this.#records.set(record.image.id, record);
    return record;
  }

  /** The record of an exact ID. */
  get(id: string): ImageRecord | undefined {
    return this.#records.get(id);
  }

  /** Every record, in insertion order. */
  all(): ImageRecord[] {
    return [...this.#records.values()];
  }

  /** Familiar tags of an image, in the order they were added. */
  tagsOf(id: string): string[] {
    const out: string[] = [];
    for (const [tag, target] of this.#tags) if (target === id) out.push(tag);
    return out;
  }

  /** The image a familiar tag points at. */
  tagTarget(familiar: string): string | undefined {
    return this.#tags.get(familiar);
  }

  /** Points a familiar tag at an image; returns the image it pointed at before, if another. */
  setTag(familiar: string, id: string): string | undefined {
    const before = this.#tags.get(familiar);
    if (before !== undefined) this.#tags.delete(familiar);
    this.#tags.set(familiar, id);
    return before === id ? undefined : before;
  }

  /** Removes a tag; true when it existed. */
  removeTag(familiar: string): boolean {
    return this.#tags.delete(familiar);
  }

  /** Forgets an image (its tags must be gone already). */
  delete(id: string): void {
    this.#records.delete(id);
  }

  /** IDs of the images whose parent is `id`. */
  childrenOf(id: string): string[] {
    return this.all().filter((r) => r.parentId === id).map((r) => r.image.id);
  }

  /** Finds what a tag or digest reference names. */
  byRef(ref: ImageRef): ImageRecord | undefined {
    if (ref.digest !== undefined) {
      const pinned = `${ref.name}@${ref.digest}`;
      return this.all().find((r) => r.repoDigests.includes(pinned));
    }
    const id = this.#tags.get(ref.familiar);
    return id === undefined ? undefined : this.#records.get(id);
  }

  /**
   * Docker's lookup: a full ID is only an ID; otherwise the reference first, then (for short
   * hex) an ID prefix, which must be unique.
   */
  lookup(input: string): ImageLookupResult {
    let how;
    try {
      how = classifyImageLookup(input);
    } catch {
      return { kind: 'missing' };
    }
    if (how.id !== undefined) {
      const record = this.#records.get(how.id);
      return record ? { kind: 'found', record } : { kind: 'missing' };
    }
    if (how.ref) {
      const record = this.byRef(how.ref);
      if (record) return { kind: 'found', record };
    }
    if (how.idPrefix !== undefined) {
      const prefix = `sha256:${how.idPrefix}`;
      const matches = this.all().filter((r) => r.image.id.startsWith(prefix));
      if (matches.length === 1) return { kind: 'found', record: matches[0]! };
      if (matches.length > 1) return { kind: 'ambiguous', prefix: how.idPrefix };
    }
    return { kind: 'missing' };
  }

  /**
   * {@link lookup} that throws.
   *
   * @throws NotFoundError `No such image: <ref>`; InvalidArgumentError for an ambiguous prefix
   */
  resolve(input: string): ImageRecord {
    const found = this.lookup(input);
    if (found.kind === 'found') return found.record;
    if (found.kind === 'ambiguous') throw ambiguousPrefixError(found.prefix);
    throw new NotFoundError(`No such image: ${input}`, { details: { ref: input } });
  }

  /** True when a string names an image by ID or ID prefix rather than by a reference. */
  isIdReference(input: string, record: ImageRecord): boolean {
    let how;
    try {
      how = classifyImageLookup(input);
    } catch {
      return false;
    }
    if (how.id !== undefined) return true;
    if (how.ref && this.byRef(how.ref) === record) return false;
    return how.idPrefix !== undefined && record.image.id.startsWith(`sha256:${how.idPrefix}`);
  }
}

/** The error for an ambiguous ID prefix. */
export function ambiguousPrefixError(prefix: string): InvalidArgumentError {
  return new InvalidArgumentError(`multiple images found with provided prefix: ${prefix}`, { details: { prefix } });
}
