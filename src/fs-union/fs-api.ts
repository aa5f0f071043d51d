/**
 * The filesystem surface shared by {@link UnionFS} and every view built on it (an emulated
 * container's mounted filesystem, a volume). Paths are absolute POSIX paths (relative ones are
 * taken from `/`); symlinks resolve as if chrooted at the view's root. Failures are
 * {@link FsError}s with Node's codes.
 *
 * @module
 */

/** The kinds of entry a layer can hold. */
export type EntryType = 'file' | 'directory' | 'symlink' | 'char' | 'block' | 'fifo';

/** What `stat`/`lstat` report, shaped after Node's `fs.Stats`. */
export interface FileStats {
  /** The entry's kind (after symlinks for `stat`, the link itself for `lstat`). */
  readonly type: EntryType;
  /** Permission bits, including setuid/setgid/sticky (`0o7777` mask). */
  readonly mode: number;
  /** Owner user ID. */
  readonly uid: number;
  /** Owner group ID. */
  readonly gid: number;
  /** Size in bytes (for symlinks, the target's length; 0 for directories and devices). */
  readonly size: number;
  /** Modification time. */
  readonly mtime: Date;
  /** Number of hard links to the file's content. */
  readonly nlink: number;
  /** Device major/minor numbers, for `char` and `block` entries. */
  readonly devMajor?: number;
  /** Device minor number, for `char` and `block` entries. */
  readonly devMinor?: number;
  /** True for regular files. */
  isFile(): boolean;
  /** True for directories. */
  isDirectory(): boolean;
  /** True for symbolic links (only ever from `lstat`). */
  isSymbolicLink(): boolean;
}

/** Options of {@link FileSystemApi.writeFile}. */
export interface WriteFileOptions {
  /** Permission bits for a new file (default `0o644`). */
  mode?: number;
  /** `w` truncates or creates (default), `a` appends, `wx` fails with EEXIST if present. */
  flag?: 'w' | 'a' | 'wx';
  /** Owner of a new file (default 0). */
  uid?: number;
  /** Group of a new file (default 0). */
  gid?: number;
}

/** Options of {@link FileSystemApi.mkdir}. */
export interface MkdirOptions {
  /** Create missing parents and accept an existing directory. */
  recursive?: boolean;
  /** Permission bits (default `0o755`). */
  mode?: number;
}

/** Options of {@link FileSystemApi.rm}. */
export interface RmOptions {
  /** Remove directories and their contents. */
  recursive?: boolean;
  /** Ignore a missing path. */
  force?: boolean;
}

/** What {@link FileSystemApi.lstatChain} found. */
export interface ChainStats {
  /** The kind of each name found, in order (shorter than asked when one is missing). */
  types: EntryType[];
  /**
   * Full stats of the last name found (undefined when none was), computed on demand: most
   * lookups need only the kinds, and a size can cost a walk over a file's pending writes.
   */
  stats(): FileStats | undefined;
  /** The target of the last name found, when it is a symlink. */
  target: string | undefined;
}

/** The asynchronous filesystem operations of a union view. */
export interface FileSystemApi {
  /** Reads a whole file (following symlinks). */
  readFile(path: string): Promise<Buffer>;
  /**
   * Reads at most the first `maxBytes` bytes of a file (following symlinks). Optional: callers
   * fall back to {@link FileSystemApi.readFile}. It lets a launcher look for `#!` without
   * copying a 2 MB busybox binary on every start.
   */
  readFileHead?(path: string, maxBytes: number): Promise<Buffer>;
  /**
   * Looks up `dir/names[0]`, `dir/names[0]/names[1]`... in one pass, never following a link:
   * stops after the first name that is not a directory, and before the first missing one.
   * `dir` itself must be a directory. Optional: it lets a view that resolves paths across
   * several filesystems (an emulated container's mount table) walk each of them once per
   * call instead of once per name.
   */
  lstatChain?(dir: string, names: readonly string[]): Promise<ChainStats>;
  /** Writes a whole file, creating it (parents must exist). */
  writeFile(path: string, data: string | Uint8Array, options?: WriteFileOptions): Promise<void>;
  /** Appends to a file, creating it. */
  appendFile(path: string, data: string | Uint8Array): Promise<void>;
  /** Lists a directory's entry names, sorted. */
  readdir(path: string): Promise<string[]>;
  /** Creates a directory. */
  mkdir(path: string, options?: MkdirOptions): Promise<void>;
  /** Removes a non-directory entry. */
  unlink(path: string): Promise<void>;
  /** Removes an empty directory. */
  rmdir(path: string): Promise<void>;
  /** Removes an entry, recursively if asked. */
  rm(path: string, options?: RmOptions): Promise<void>;
  /** Moves an entry; renaming a directory moves its whole subtree. */
  rename(from: string, to: string): Promise<void>;
  /** Creates a symbolic link at `path` pointing at `target` (stored as given). */
  symlink(target: string, path: string): Promise<void>;
  /** Reads a symbolic link's target. */
  readlink(path: string): Promise<string>;
  /** Creates a hard link `newPath` to the file at `existingPath`. */
  link(existingPath: string, newPath: string): Promise<void>;
  /** Resolves every symlink in `path` (chrooted) and returns the absolute result. */
  realpath(path: string): Promise<string>;
  /** Stats an entry, following symlinks. */
  stat(path: string): Promise<FileStats>;
  /** Stats an entry without following a final symlink. */
  lstat(path: string): Promise<FileStats>;
  /** Changes permission bits. */
  chmod(path: string, mode: number): Promise<void>;
  /** Changes owner and group. */
  chown(path: string, uid: number, gid: number): Promise<void>;
  /** Sets the modification time. */
  utimes(path: string, mtime: Date): Promise<void>;
}
