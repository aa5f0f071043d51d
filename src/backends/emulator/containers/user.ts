/**
 * The user a container's processes run as (`--user`, the image's USER, exec's `user`).
 *
 * The emulator has no process credentials; programs read the numeric IDs from
 * `STOWAGE_UID`/`STOWAGE_GID` (what `id` and new files' owners use), and, in build steps,
 * `STOWAGE_GROUPS` (the supplementary groups, which BuildKit chooses differently from `docker
 * run`). They are set only for a non-root user, so a root container's environment is exactly
 * what Docker gives.
 *
 * @module
 */
import { InvalidArgumentError } from '../../../core/errors.js';
import type { FileSystemApi } from '../../../fs-union/fs-api.js';

/** Numeric IDs of a user spec. */
export interface UserIdsInfo {
  /** User ID. */
  uid: number;
  /** Primary group ID. */
  gid: number;
  /** Home directory from `/etc/passwd` ('/' when unknown, `/root` for root). */
  home: string;
}

/**
 * Resolves `user[:group]` (names or numbers) against the container's `/etc/passwd` and
 * `/etc/group`, as runc does before exec.
 *
 * @throws InvalidArgumentError with runc's text for a name that is not in the files
 *   (`details.reason` `unknown-user` or `unknown-group`)
 */
export async function resolveUser(fs: FileSystemApi, spec: string): Promise<UserIdsInfo> {
  if (spec === '' || spec === 'root' || spec === '0') return { uid: 0, gid: 0, home: '/root' };
  const [userPart = '', groupPart] = spec.split(':', 2);
  const passwd = await table(fs, '/etc/passwd');
  let uid: number;
  let gid = 0;
  let home = '/';
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
    const row = passwd.find((f) => Number(f[2]) === uid);
    if (row) {
      gid = Number(row[3] ?? 0);
      home = row[5] ?? '/';
    }
  } else {
    const row = passwd.find((f) => f[0] === userPart);
    if (!row) throw new InvalidArgumentError(`unable to find user ${userPart}: no matching entries in passwd file`, { details: { user: spec, reason: 'unknown-user' } });
    uid = Number(row[2] ?? 0);
    gid = Number(row[3] ?? 0);
    home = row[5] ?? '/';
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const row = (await table(fs, '/etc/group')).find((f) => f[0] === groupPart);
      if (!row) throw new InvalidArgumentError(`unable to find group ${groupPart}: no matching entries in group file`, { details: { user: spec, reason: 'unknown-group' } });
      gid = Number(row[2] ?? 0);
    }
  }
  return { uid, gid, home };
}

/** True for {@link resolveUser}'s error about a user or group name missing from the files. */
export function isUnknownAccount(e: unknown): e is InvalidArgumentError {
  const reason = e instanceof InvalidArgumentError ? e.details.reason : undefined;
  return reason === 'unknown-user' || reason === 'unknown-group';
}

/** The environment entries that carry `ids` to programs (none for root). */
export function userEnv(ids: UserIdsInfo): string[] {
  if (ids.uid === 0 && ids.gid === 0) return [];
  return [`STOWAGE_UID=${ids.uid}`, `STOWAGE_GID=${ids.gid}`];
}

/**
 * The supplementary groups of a build step's process, as BuildKit's RUN gives them: none for
 * the default user (USER unset) or when USER names a group; otherwise every group in
 * `/etc/group` that lists the user's name as a member (sorted, each once). Engine 20.10 shows
 * exactly this in `id` (a container started by `docker run` also has its primary group).
 */
export async function buildStepGroups(fs: FileSystemApi, spec: string): Promise<number[]> {
  const [userPart = '', groupPart] = spec.split(':', 2);
  if (userPart === '' || (groupPart !== undefined && groupPart !== '')) return [];
  const numeric = /^\d+$/.test(userPart);
  const name = numeric ? (await table(fs, '/etc/passwd')).find((f) => Number(f[2]) === Number(userPart))?.[0] : userPart;
  if (name === undefined) return [];
  const ids = (await table(fs, '/etc/group'))
    .filter((f) => (f[3] ?? '').split(',').includes(name))
    .map((f) => Number(f[2]))
    .filter((n) => Number.isInteger(n));
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * The environment entries that carry a build step's credentials to programs: {@link userEnv}
 * and `STOWAGE_GROUPS` (its supplementary groups, comma-separated), left out only for root
 * without supplementary groups, so that step's environment is exactly BuildKit's.
 */
export function buildStepUserEnv(ids: UserIdsInfo, groups: readonly number[]): string[] {
  const env = userEnv(ids);
  if (env.length > 0 || groups.length > 0) env.push(`STOWAGE_GROUPS=${groups.join(',')}`);
  return env;
}

async function table(fs: FileSystemApi, path: string): Promise<string[][]> {
  try {
    return (await fs.readFile(path)).toString('utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
  } catch {
    return [];
  }
}
