/**
 * Content-addressed storage for file bytes held by layers and union views.
 *
 * Layers never own bytes directly: a file entry points at a {@link ContentRef}, and the store
 * hands out one `ContentRef` per distinct sha256, so the same content imported twice, stacked
 * in many layers, or seen by a thousand containers of one image is held once.
 *
 * @module
 */
import { createHash, hash } from 'node:crypto';

/** Immutable file content, shared by every entry that holds the same bytes. */
export interface ContentRef {
  /** `sha256:<hex>` of the bytes. */
  readonly digest: string;
  /** Length in bytes. */
  readonly size: number;
  /** The bytes. Shared: never write into this buffer. */
  readonly data: Buffer;
}

/**
 * Interns file content by sha256.
 *
 * Entries are held weakly: content that no layer or view references any more is reclaimed by
 * the garbage collector, so a long-running engine does not keep every file it ever saw.
 *
 * @example
 * ```ts
 * const store = new ContentStore();
 * store.put(Buffer.from('x')) === store.put(Buffer.from('x')); // true
 * ```
 */
export class ContentStore {
  readonly #refs = new Map<string, WeakRef<ContentRef>>();
  readonly #registry = new FinalizationRegistry<string>((digest) => {
    // Only drop the slot if it still points at a dead ref (it may have been re-filled).
    const ref = this.#refs.get(digest);
    if (ref !== undefined && ref.deref() === undefined) this.#refs.delete(digest);
  });

  /**
   * Interns `data` and returns the shared reference for its bytes. The store keeps `data`
   * itself when the content is new, so the caller must not modify it afterwards.
   */
  put(data: Uint8Array): ContentRef {
    // The one-shot hash skips a Hash object per file: it matters for tens of thousands of files.
    const digest = `sha256:${typeof hash === 'function' ? hash('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex')}`;
    return this.putHashed(digest, data);
  }

  /** Interns `data` whose digest the caller already computed (trusted, not re-hashed). */
  putHashed(digest: string, data: Uint8Array): ContentRef {
    const existing = this.#refs.get(digest)?.deref();
    if (existing !== undefined) return existing;
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const ref: ContentRef = Object.freeze({ digest, size: buf.length, data: buf });
    this.#refs.set(digest, new WeakRef(ref));
    this.#registry.register(ref, digest);
    return ref;
  }

  /** The live reference for a digest, if any entry still holds that content. */
  get(digest: string): ContentRef | undefined {
    return this.#refs.get(digest)?.deref();
  }

  /** Number of distinct contents currently interned (live or not yet collected). */
  get count(): number {
    return this.#refs.size;
  }
}

/** The process-wide store used when no store is passed explicitly. */
export const defaultContentStore: ContentStore = new ContentStore();

/** The reference for empty content, shared by every empty file. */
export const EMPTY_CONTENT: ContentRef = defaultContentStore.put(Buffer.alloc(0));
