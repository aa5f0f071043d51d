/**
 * Errors raised by the layering core.
 *
 * Archive problems (an entry that would land outside the root, a malformed whiteout, a
 * truncated tar, a PAX or GNU long header over 1 MiB) are {@link LayerFormatError}s, an `InvalidArgumentError` naming the entry.
 * Filesystem operations on a {@link UnionFS} fail with {@link FsError}, shaped like Node's own
 * `SystemError` (`code`, `errno`, `syscall`, `path`) so code written against `node:fs` reads them
 * unchanged.
 *
 * @module
 */
import { constants as osConstants } from 'node:os';
import { InvalidArgumentError, type ErrorReason } from '../core/errors.js';

/** Why an archive entry was refused (the archive part of core's `ErrorReason`). */
export type LayerFormatReason = Extract<ErrorReason,
  | 'path-escape'
  | 'hardlink-escape'
  | 'symlink-escape'
  | 'bad-whiteout'
  | 'truncated'
  | 'oversized-header'
  | 'bad-entry'>;

/** An archive entry that cannot be accepted; `details.entry` names it. */
export class LayerFormatError extends InvalidArgumentError {
  /** Why the entry was refused. */
  readonly reason: LayerFormatReason;
  /** The entry's name as it stood in the archive. */
  readonly entry: string;

  constructor(reason: LayerFormatReason, entry: string, message: string, options: { cause?: unknown } = {}) {
    super(`${message}: ${JSON.stringify(entry)}`, { details: { reason, entry }, cause: options.cause });
    this.reason = reason;
    this.entry = entry;
  }

  /** Always `LayerFormatError` (a literal: it also brands the class across installed copies). */
  override get name(): string {
    return 'LayerFormatError';
  }
}

// Go's archive/tar words, which Engine 20.10's extractor answers with (`Error processing tar
// file(exit status 1): ...`) for the failures a LayerFormatError reports.
const goTarErrors: Partial<Record<LayerFormatReason, string>> = {
  'bad-entry': 'archive/tar: invalid tar header',
  truncated: 'unexpected EOF',
  'oversized-header': 'archive/tar: header field too long',
};

/**
 * A malformed tar in the engine's words: a LayerFormatError for a bad header, a tar that stops
 * early or a header over 1 MiB becomes the InvalidArgumentError Docker gives for it
 * (`Error processing tar file(exit status 1): unexpected EOF`), `details.reason` and
 * `details.entry` kept. Anything else is returned as it is. For `putArchive` and `load`.
 */
export function engineTarError(error: unknown): unknown {
  if (!(error instanceof LayerFormatError)) return error;
  const go = goTarErrors[error.reason];
  if (go === undefined) return error;
  return new InvalidArgumentError(`Error processing tar file(exit status 1): ${go}`, {
    details: { reason: error.reason, entry: error.entry },
    cause: error,
  });
}

/** The POSIX error codes {@link FsError} uses. */
export type FsErrorCode =
  | 'ENOENT'
  | 'EEXIST'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOTEMPTY'
  | 'ELOOP'
  | 'EXDEV'
  | 'EINVAL'
  | 'EROFS'
  | 'EPERM'
  | 'EACCES'
  | 'EBUSY';

const messages: Record<FsErrorCode, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  ENOTEMPTY: 'directory not empty',
  ELOOP: 'too many symbolic links encountered',
  EXDEV: 'cross-device link not permitted',
  EINVAL: 'invalid argument',
  EROFS: 'read-only file system',
  EPERM: 'operation not permitted',
  EACCES: 'permission denied',
  EBUSY: 'resource busy or locked',
};

/** A failed filesystem call, shaped like Node's `SystemError`. */
export class FsError extends Error {
  /** The POSIX code, as in `node:fs` errors. */
  readonly code: FsErrorCode;
  /** The negative errno, as in `node:fs` errors. */
  readonly errno: number;
  /** The operation that failed (`open`, `mkdir`, `rename`, ...). */
  readonly syscall: string;
  /** The path the operation was called with. */
  readonly path: string;
  /** The second path, for `rename`, `link` and `symlink`. */
  readonly dest?: string;

  constructor(code: FsErrorCode, syscall: string, path: string, dest?: string) {
    const where = dest === undefined ? `'${path}'` : `'${path}' -> '${dest}'`;
    super(`${code}: ${messages[code]}, ${syscall} ${where}`);
    this.code = code;
    this.errno = -(osConstants.errno as Record<string, number>)[code]!;
    this.syscall = syscall;
    this.path = path;
    if (dest !== undefined) this.dest = dest;
  }

  /** Always `FsError`: a fixed string rather than the constructor's name, so minified builds report the same name. */
  override get name(): string {
    return 'FsError';
  }
}
