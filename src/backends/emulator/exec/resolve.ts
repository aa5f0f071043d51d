/**
 * Finding the file `argv[0]` names, the way `execvp(3)` and shells do.
 *
 * A name with a slash is taken as given (relative to the working directory); a bare name is
 * looked up in each directory of `PATH`. Directories and missing files are "not found"; a
 * regular file without an execute bit is "permission denied" (the search goes on past it, as
 * `execvp` does, and reports the denial only when nothing better turned up).
 *
 * `fs` is the container's own view (mounts/mounted-fs.ts), so every candidate, and the link
 * chain behind it (`/bin/sh -> busybox`, a link in a bind mount), resolves inside the
 * container, never on the host.
 *
 * @module
 */
import { posix } from 'node:path';
import { InvalidArgumentError, NotFoundError, throwIfAborted } from '../../../core/errors.js';
import type { FileSystemApi } from '../../../fs-union/fs-api.js';

/** The PATH Docker gives a container whose image sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Options of {@link resolveExecutable}. */
export interface ResolveExecutableOptions {
  /** The container's `PATH` (default {@link DEFAULT_PATH}). */
  path?: string;
  /** Working directory for relative names (default `/`). */
  cwd?: string;
  /** Cancels the lookup. */
  signal?: AbortSignal;
}

/** Where an executable was found. */
export interface ResolvedExecutableInfo {
  /** The path that was run (as found in PATH, or the given path made absolute). */
  path: string;
  /** The same path with every symlink resolved (what `busybox` dispatch looks at). */
  realPath: string;
}

/**
 * `argv[0]` names no executable file: exit status 127, Docker's `executable file not found in
 * $PATH` for `start`, the shell's `sh: foo: not found`.
 */
export class ExecutableNotFoundError extends NotFoundError {
  /** The name as given. */
  readonly argv0: string;
  /** The exit status a shell reports (127). */
  readonly exitCode = 127;
  constructor(argv0: string) {
    super(
      argv0.includes('/')
        ? `exec: "${argv0}": stat ${argv0}: no such file or directory`
        : `exec: "${argv0}": executable file not found in $PATH`,
      { details: { argv0, reason: 'exec-not-found' } },
    );
    this.argv0 = argv0;
  }

  /** Always `ExecutableNotFoundError`. */
  override get name(): string {
    return 'ExecutableNotFoundError';
  }
}

/** `argv[0]` names a file without an execute bit: exit status 126, `permission denied`. */
export class ExecutablePermissionError extends InvalidArgumentError {
  /** The name as given. */
  readonly argv0: string;
  /** The exit status a shell reports (126). */
  readonly exitCode = 126;
  constructor(argv0: string, path: string) {
    super(`exec: "${argv0}": permission denied`, { details: { argv0, path } });
    this.argv0 = argv0;
  }

  /** Always `ExecutablePermissionError`. */
  override get name(): string {
    return 'ExecutablePermissionError';
  }
}

/**
 * Resolves `argv0` to an executable file inside `fs`.
 *
 * @example
 * ```ts
 * const { path, realPath } = await resolveExecutable(fs, 'sh', { path: env.PATH });
 * // path: '/bin/sh', realPath: '/bin/busybox'
 * ```
 * @throws ExecutableNotFoundError when nothing executable has that name
 * @throws ExecutablePermissionError when the only match lacks an execute bit
 */
export async function resolveExecutable(
  fs: FileSystemApi,
  argv0: string,
  options: ResolveExecutableOptions = {},
): Promise<ResolvedExecutableInfo> {
  throwIfAborted(options.signal);
  if (argv0 === '') throw new ExecutableNotFoundError(argv0);
  const cwd = options.cwd ?? '/';
  const candidates = argv0.includes('/')
    ? [posix.resolve(cwd, argv0)]
    : (options.path ?? DEFAULT_PATH)
        .split(':')
        // An empty PATH element means the working directory, as POSIX says.
        .map((dir) => posix.resolve(cwd, dir === '' ? '.' : dir, argv0));
  let denied: string | undefined;
  for (const candidate of candidates) {
    throwIfAborted(options.signal);
    const verdict = await check(fs, candidate);
    if (verdict === 'ok') {
      let realPath = candidate;
      try {
        realPath = await fs.realpath(candidate);
      } catch {
        // A race with a delete: keep the path we stat'ed.
      }
      return { path: candidate, realPath };
    }
    if (verdict === 'denied' && denied === undefined) denied = candidate;
  }
  if (denied !== undefined) throw new ExecutablePermissionError(argv0, denied);
  throw new ExecutableNotFoundError(argv0);
}

async function check(fs: FileSystemApi, path: string): Promise<'ok' | 'denied' | 'missing'> {
  try {
    const st = await fs.stat(path);
    if (!st.isFile()) return 'missing';
    return (st.mode & 0o111) !== 0 ? 'ok' : 'denied';
  } catch {
    return 'missing';
  }
}
