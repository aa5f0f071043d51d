/**
 * Helpers shared by the applets: option parsing with busybox's error shape, users and groups
 * from `/etc/passwd` and `/etc/group`, and recursive walks.
 *
 * @module
 */
import { posix } from 'node:path';
import type { FileSystemApi } from '../../../../fs-union/fs-api.js';
import type { ProgramContext } from '../../program.js';
import { complain, getopt, type ParsedArgs } from '../io.js';

/** Parses options; on a bad one prints busybox's message and resolves to undefined (exit 1). */
export async function options(ctx: ProgramContext, known: string, withValue = ''): Promise<ParsedArgs | undefined> {
  try {
    return getopt(ctx.argv.slice(1), known + withValue, withValue);
  } catch (e) {
    await complain(ctx, (e as Error).message);
    return undefined;
  }
}

/** A user or group database entry. */
export interface AccountInfo {
  /** Name. */
  name: string;
  /** Numeric ID. */
  id: number;
  /** Primary group (users only). */
  gid?: number;
  /** Home directory (users only). */
  home?: string;
  /** Member user names (groups only: the fourth field of /etc/group). */
  members?: string[];
}

async function readDb(fs: FileSystemApi, path: string): Promise<string[][]> {
  try {
    return (await fs.readFile(path))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

/** Users from `/etc/passwd`. */
export async function readUsers(fs: FileSystemApi): Promise<AccountInfo[]> {
  return (await readDb(fs, '/etc/passwd')).map((f) => ({ name: f[0] ?? '', id: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' }));
}

/** Groups from `/etc/group`. */
export async function readGroups(fs: FileSystemApi): Promise<AccountInfo[]> {
  return (await readDb(fs, '/etc/group')).map((f) => ({
    name: f[0] ?? '',
    id: Number(f[2]),
    members: (f[3] ?? '').split(',').filter((m) => m !== ''),
  }));
}

/**
 * The user the program runs as: the emulator sets `STOWAGE_UID`/`STOWAGE_GID` for a non-root
 * user (`--user`), so their absence means root, as a container's default is.
 */
export function currentIds(ctx: Pick<ProgramContext, 'env'>): { uid: number; gid: number } {
  return idsFromEnv((name) => ctx.env[name]);
}

/**
 * The supplementary groups the program has when the emulator says so (`STOWAGE_GROUPS`, set
 * in build steps); undefined when the container's rule applies (its primary group and every
 * group that lists the user).
 */
export function currentGroups(ctx: Pick<ProgramContext, 'env'>): number[] | undefined {
  const list = ctx.env['STOWAGE_GROUPS'];
  if (list === undefined) return undefined;
  return list.split(',').filter((g) => /^\d+$/.test(g)).map(Number);
}

/** {@link currentIds} over any variable lookup (the shell reads its own variables). */
export function idsFromEnv(lookup: (name: string) => string | undefined): { uid: number; gid: number } {
  const uid = Number(lookup('STOWAGE_UID') ?? 0);
  const gid = Number(lookup('STOWAGE_GID') ?? 0);
  return { uid: Number.isFinite(uid) ? uid : 0, gid: Number.isFinite(gid) ? gid : 0 };
}

/** Visits `path` and, for directories, everything below it (parents before children). */
export async function* walk(fs: FileSystemApi, path: string, depth = 0): AsyncGenerator<{ path: string; depth: number }> {
  yield { path, depth };
  const st = await fs.lstat(path);
  if (!st.isDirectory()) return;
  for (const name of await fs.readdir(path)) yield* walk(fs, posix.join(path, name), depth + 1);
}

/** Formats a mode like `ls -l` (`-rw-r--r--`). */
export function modeString(type: string, mode: number): string {
  const t = { directory: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p' }[type] ?? '-';
  const bits = 'rwxrwxrwx'.split('').map((c, i) => ((mode >> (8 - i)) & 1 ? c : '-'));
  if (mode & 0o4000) bits[2] = bits[2] === 'x' ? 's' : 'S';
  if (mode & 0o2000) bits[5] = bits[5] === 'x' ? 's' : 'S';
  if (mode & 0o1000) bits[8] = bits[8] === 'x' ? 't' : 'T';
  return t + bits.join('');
}
