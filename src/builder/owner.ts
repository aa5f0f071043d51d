/**
 * `COPY --chown=user:group`: names resolved in the stage's own `/etc/passwd` and `/etc/group`,
 * numbers taken as they are, the user's primary group when no group is given (a numeric user
 * without a group gets the same number as its group, as BuildKit does).
 *
 * @module
 */
import { BuildError } from '../core/errors.js';
import type { FileSystemApi } from '../fs-union/fs-api.js';
import type { Owner } from './copy.js';

async function readLines(fs: FileSystemApi, path: string): Promise<string[][]> {
  try {
    return (await fs.readFile(path)).toString('utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(':'));
  } catch {
    return [];
  }
}

const isNumber = (s: string): boolean => /^[0-9]+$/.test(s);

/**
 * Resolves a `--chown` value against a stage's filesystem.
 *
 * @throws BuildError when a name is in neither file
 */
export async function resolveOwner(spec: string, rootfs: FileSystemApi): Promise<Owner> {
  const [user = '', group] = spec.split(':', 2);
  const fail = (what: string, name: string): BuildError =>
    new BuildError(`unable to convert uid/gid chown string to host mapping: can't find ${what} for ${what === 'uid' ? 'user' : 'group'} ${name}: no such ${what === 'uid' ? 'user' : 'group'}: ${name}`, {
      details: { chown: spec },
    });
  let uid: number;
  let primaryGid: number;
  if (isNumber(user)) {
    uid = Number(user);
    primaryGid = uid;
  } else {
    const row = (await readLines(rootfs, '/etc/passwd')).find((r) => r[0] === user);
    if (!row) throw fail('uid', user);
    uid = Number(row[2]);
    primaryGid = Number(row[3]);
  }
  if (group === undefined || group === '') return { uid, gid: primaryGid };
  if (isNumber(group)) return { uid, gid: Number(group) };
  const row = (await readLines(rootfs, '/etc/group')).find((r) => r[0] === group);
  if (!row) throw fail('gid', group);
  return { uid, gid: Number(row[2]) };
}
