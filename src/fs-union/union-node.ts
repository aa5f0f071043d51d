/**
 * Nodes of a union view: the read-write layer's mutable inodes, and the stats built from any
 * node (upper or lower).
 *
 * @module
 */
import type { ContentRef } from './content-store.js';
import { EMPTY_CONTENT } from './content-store.js';
import type { EntryType, FileStats } from './fs-api.js';
import type { ViewEntry } from './lower-index.js';

/**
 * An inode of the read-write layer. Hard links are several paths holding the same object, so
 * a write through one name is seen through the others.
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
  /** File content, by reference (files only). */
  content: ContentRef;
  /** Symlink target (symlinks only). */
  target: string;
  /** Device numbers (char/block only). */
  devMajor: number;
  /** Device minor number (char/block only). */
  devMinor: number;
  /** Paths of the read-write layer holding this node (kept by the union state). */
  nlink = 0;

  constructor(type: EntryType, fields: Partial<Omit<UpperNode, 'type' | 'nlink'>> = {}) {
    this.type = type;
    this.mode = fields.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644);
    this.uid = fields.uid ?? 0;
    this.gid = fields.gid ?? 0;
    this.mtime = fields.mtime ?? new Date();
    this.xattrs = fields.xattrs ?? {};
    this.content = fields.content ?? EMPTY_CONTENT;
    this.target = fields.target ?? '';
    this.devMajor = fields.devMajor ?? 0;
    this.devMinor = fields.devMinor ?? 0;
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

/** A file node's content. */
export function contentOf(node: ViewNode): ContentRef {
  if (node instanceof UpperNode) return node.content;
  return node.type === 'file' ? node.content : EMPTY_CONTENT;
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
  const size = type === 'file' ? contentOf(node).size : type === 'symlink' ? Buffer.byteLength(targetOf(node)) : 0;
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
