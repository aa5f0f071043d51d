/**
 * Persistent network namespaces as files under `runRoot/netns`, the way `ip netns add` keeps
 * them under /run/netns, re-homed: a namespace lives as long as an nsfs bind mount of it
 * exists, so a container's namespace outlives the process that made it and runc joins it by
 * path (config.json `linux.namespaces[].path`).
 *
 * The mount-propagation pitfall: a bind mount made under a *private* mount is copied into
 * every mount namespace created afterwards (an `ip netns exec`, a service with PrivateTmp...)
 * and our unmount never reaches those copies, which then keep the namespace, and the host end
 * of its veth, alive. iproute2's answer, taken here: make the directory a mount point of its
 * own (bound onto itself) and mark it shared, so an unmount propagates to every copy. And
 * `unshare --net=FILE` needs FILE to exist beforehand.
 *
 * @module
 */
import { readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { runHostCommand } from './host-command.js';

/** statfs(2) type of nsfs, the filesystem of namespace files. */
const NSFS_MAGIC = 0x6e736673;

/** Decodes the octal escapes mountinfo uses for spaces, tabs, newlines and backslashes. */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** How many mounts this process's mount namespace has at `path` (stacked mounts count each). */
export async function mountCount(path: string): Promise<number> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  let count = 0;
  for (const line of info.split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (mountPoint !== undefined && unescapeMountPath(mountPoint) === path) count++;
  }
  return count;
}

/** Whether `path` is a namespace file (an nsfs mount), i.e. a live namespace. */
export async function isNamespaceFile(path: string): Promise<boolean> {
  try {
    return (await statfs(path)).type === NSFS_MAGIC;
  } catch {
    return false;
  }
}

/**
 * Makes `dir` a shared mount point of its own (see the module comment). Idempotent; the
 * caller holds the network lock, so two processes never stack two mounts.
 */
export async function prepareNamespaceDir(dir: string, signal?: AbortSignal): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if ((await mountCount(dir)) === 0) await runHostCommand('mount', ['--bind', dir, dir], { signal });
  await runHostCommand('mount', ['--make-shared', dir], { signal });
}

/** Undoes {@link prepareNamespaceDir} (every namespace in it must be gone). */
export async function releaseNamespaceDir(dir: string): Promise<void> {
  for (let n = await mountCount(dir); n > 0; n--) await runHostCommand('umount', [dir]);
}

/**
 * Creates a network namespace bound at `path` (idempotent: an existing one is kept). Its
 * loopback is brought up by the caller (the CNI loopback plugin).
 */
export async function createNamespace(path: string, signal?: AbortSignal): Promise<void> {
  if (await isNamespaceFile(path)) return;
  // The mount target must exist; a plain file left by an interrupted create is reused.
  await writeFile(path, '', { flag: 'a', mode: 0o444 });
  await runHostCommand('unshare', [`--net=${path}`, 'true'], { signal });
}

/**
 * Unmounts and deletes a namespace file (idempotent). The namespace itself, and whatever
 * interfaces are still in it, goes when its last user lets go; the kernel does that
 * asynchronously, so delete interfaces first where it matters (CNI DEL does).
 */
export async function removeNamespace(path: string): Promise<void> {
  // Stacked mounts (two creates racing without the lock) unmount one at a time.
  while (await isNamespaceFile(path)) await runHostCommand('umount', [path]);
  await rm(path, { force: true });
}
