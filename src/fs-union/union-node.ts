/**
 * Nodes of a union view: the read-write layer's mutable inodes, and the stats built from any
 * node (upper or lower).
 *
 * @module
 */
import type { ContentRef, ContentStore } from './content-store.js';
import { EMPTY_CONTENT, defaultContentStore } from './content-store.js';
import type { EntryType, FileStats } from './fs-api.js';
import type { ViewEntry } from './lower-index.js';

/** The fields an {@link UpperNode} starts with (defaults fill the rest). */
export interface UpperNodeFields {
  /** Permission bits. */
  mode?: number;
  /** Owner user ID. */
  uid?: number;
  /** Owner group ID. */
  gid?: number;
  /** Modification time. */
  mtime?: Date;
  /** Extended attributes. */
  xattrs?: Record<string, Buffer>;
  /** Interned content (files). */
  content?: ContentRef;
  /** Symlink target. */
  target?: string;
  /** Device major number. */
  devMajor?: number;
  /** Device minor number. */
  devMinor?: number;
}

/**
 * An inode of the read-write layer. Hard links are several paths holding the same object, so
 * a write through one name is seen through the others.
 *
 * Written bytes are interned (hashed into the content store) only when a layer needs them
 * (commit); until then writes and appends just keep buffers, so a program appending a line at
 * a time does not rehash the whole file on every write.
 */
export class UpperNode {
  /** The node's kind. */
  type: EntryType;
  /** Permission bits. */
  mode: number;
  /** Owner user ID. */
  uid: number;
  /** Owner group ID. */
  gid: number;
  /** Modification time. */
  mtime: Date;
  /** Extended attributes. */
  xattrs: Record<string, Buffer>;
  #content: ContentRef;
  #pending: Buffer[] | undefined;
  #store: ContentStore = defaultContentStore;
  /** Symlink target (symlinks only). */
  target: string;
  /** Device numbers (char/block only). */
  devMajor: number;
  /** Device minor number (char/block only). */
  devMinor: number;
  /** Paths of the read-write layer holding this node (kept by the union state). */
  nlink = 0;

  constructor(type: EntryType, fields: UpperNodeFields = {}) {
    this.type = type;
    this.mode = fields.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644);
    this.uid = fields.uid ?? 0;
    this.gid = fields.gid ?? 0;
    this.mtime = fields.mtime ?? new Date();
    this.xattrs = fields.xattrs ?? {};
    this.#content = fields.content ?? EMPTY_CONTENT;
    this.target = fields.target ?? '';
    this.devMajor = fields.devMajor ?? 0;
    this.devMinor = fields.devMinor ?? 0;
  }

  /** The file's content, interned on first use after a write. */
  get content(): ContentRef {
    if (this.#pending !== undefined) {
      this.#content = this.#store.put(this.bytes());
      this.#pending = undefined;
    }
    return this.#content;
  }

  /** Replaces the content with interned content. */
  set content(ref: ContentRef) {
    this.#content = ref;
    this.#pending = undefined;
  }

  /** The current bytes, without interning them. Shared: never write into the result. */
  bytes(): Buffer {
    if (this.#pending === undefined) return this.#content.data;
    if (this.#pending.length !== 1) this.#pending = [Buffer.concat(this.#pending)];
    return this.#pending[0]!;
  }

  /** The current content length. */
  get size(): number {
    if (this.#pending === undefined) return this.#content.size;
    let n = 0;
    for (const chunk of this.#pending) n += chunk.length;
    return n;
  }

  /** Replaces the content with bytes the node now owns (interned later, into `store`). */
  write(data: Buffer, store: ContentStore): void {
    this.#store = store;
    this.#pending = [data];
  }

  /** Appends bytes the node now owns. */
  append(data: Buffer, store: ContentStore): void {
    this.#store = store;
    this.#pending ??= this.#content.size > 0 ? [this.#content.data] : [];
    this.#pending.push(data);
  }

  /** A copy-up of a lower (or upper) node: same metadata, same content reference, no bytes copied. */
  static copyOf(node: ViewNode): UpperNode {
    return new UpperNode(node.type, {
      mode: node.mode,
      uid: node.uid,
      gid: node.gid,
      mtime: new Date(node.mtime.getTime()),
      xattrs: { ...node.xattrs },
      content: node.type === 'file' ? contentOf(node) : EMPTY_CONTENT,
      target: node.type === 'symlink' ? targetOf(node) : '',
      devMajor: deviceOf(node)[0],
      devMinor: deviceOf(node)[1],
    });
  }
}

/** Any node a union view can show. */
export type ViewNode = UpperNode | ViewEntry;

/** A file node's content, interned. */
export function contentOf(node: ViewNode): ContentRef {
  if (node instanceof UpperNode) return node.content;
  return node.type === 'file' ? node.content : EMPTY_CONTENT;
}

/** A file node's bytes, without interning pending writes. Shared: never write into them. */
export function bytesOf(node: ViewNode): Buffer {
  if (node instanceof UpperNode) return node.bytes();
  return node.type === 'file' ? node.content.data : EMPTY_CONTENT.data;
}

/** A symlink node's target. */
export function targetOf(node: ViewNode): string {
  if (node instanceof UpperNode) return node.target;
  return node.type === 'symlink' ? node.target : '';
}

/** A device node's major and minor numbers. */
export function deviceOf(node: ViewNode): [number, number] {
  if (node instanceof UpperNode) return [node.devMajor, node.devMinor];
  return node.type === 'char' || node.type === 'block' ? [node.devMajor, node.devMinor] : [0, 0];
}

/** Builds the `stat` result of a node. */
export function statsOf(node: ViewNode, nlink: number): FileStats {
  const type = node.type;
  const [devMajor, devMinor] = deviceOf(node);
  const size = type === 'file' ? (node instanceof UpperNode ? node.size : contentOf(node).size) : type === 'symlink' ? Buffer.byteLength(targetOf(node)) : 0;
  const stats: FileStats = {
    type,
    mode: node.mode,
    uid: node.uid,
    gid: node.gid,
    size,
    mtime: new Date(node.mtime.getTime()),
    nlink,
    ...(type === 'char' || type === 'block' ? { devMajor, devMinor } : {}),
    isFile: () => type === 'file',
    isDirectory: () => type === 'directory',
    isSymbolicLink: () => type === 'symlink',
  };
  return stats;
}
