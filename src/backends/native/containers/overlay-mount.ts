/**
 * overlayfs mounts of container root filesystems, and what is mounted where (for recovery).
 *
 * Node has no mount(2), so `mount`/`umount` from util-linux do it (one short child process
 * each; every native host has them). Lower directories are passed relative to the state root,
 * with the root as the working directory of `mount`, so the option string stays short
 * (see the layer store's short links).
 *
 * Options: `index=off`, `redirect_dir=off` and `metacopy=off` where the kernel knows them, so
 * that the upper directory stays a plain OCI-expressible diff (a renamed directory must be
 * copied up whole, not recorded as a redirect) whatever the module's defaults are.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../../../core/errors.js';

/** The kernel's limit on mount data: one page. */
export const MOUNT_DATA_LIMIT = 4096;

/** What {@link mountOverlay} mounts. */
export interface OverlaySpec {
  /** Lower directories, top first, relative to `cwd` (or absolute). */
  lower: string[];
  /** Upper directory (relative to `cwd` or absolute); absent for a read-only mount. */
  upper?: string;
  /** Work directory, same filesystem as `upper`. */
  work?: string;
  /** Mount point (absolute). */
  target: string;
  /** Working directory the relative paths are resolved from. */
  cwd: string;
}

let extraOptions: Promise<string[]> | undefined;

/** The overlay options this kernel supports among the ones we always want. */
function overlayExtras(): Promise<string[]> {
  extraOptions ??= (async () => {
    const out: string[] = [];
    for (const [param, option] of [['index', 'index=off'], ['redirect_dir', 'redirect_dir=off'], ['metacopy', 'metacopy=off']] as const) {
      const known = await access(`/sys/module/overlay/parameters/${param}`).then(() => true, () => false);
      if (known) out.push(option);
    }
    return out;
  })();
  return extraOptions;
}

/** Runs a command, rejecting with its stderr. */
export function run(command: string, args: string[], options: { cwd?: string; signal?: AbortSignal } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: options.cwd, signal: options.signal, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(Object.assign(new Error(`${command} ${args.join(' ')}: ${String(stderr).trim() || error.message}`, { cause: error }), { stderr: String(stderr) }));
      } else {
        resolve(String(stdout));
      }
    });
  });
}

/** The `-o` string of an overlay mount. */
export async function overlayOptions(spec: OverlaySpec): Promise<string> {
  const parts = [`lowerdir=${spec.lower.join(':')}`];
  if (spec.upper !== undefined) parts.push(`upperdir=${spec.upper}`, `workdir=${spec.work}`);
  parts.push(...(await overlayExtras()));
  return parts.join(',');
}

/**
 * Mounts an overlay.
 * @throws InvalidArgumentError when the options exceed a page (too many layers)
 */
export async function mountOverlay(spec: OverlaySpec, signal?: AbortSignal): Promise<void> {
  const options = await overlayOptions(spec);
  if (Buffer.byteLength(options) >= MOUNT_DATA_LIMIT) {
    throw new InvalidArgumentError(`overlay mount options are ${Buffer.byteLength(options)} bytes, over the kernel's ${MOUNT_DATA_LIMIT}: too many layers (${spec.lower.length})`, {
      details: { layers: spec.lower.length },
    });
  }
  await run('mount', ['-t', 'overlay', 'overlay', '-o', options, spec.target], { cwd: spec.cwd, ...(signal ? { signal } : {}) });
}

/** Unmounts `target`; a busy mount is detached lazily (it goes once its last user does). */
export async function unmount(target: string): Promise<void> {
  try {
    await run('umount', [target]);
  } catch (error) {
    if (!(await isMountPoint(target))) return;
    await run('umount', ['-l', target]).catch(async (lazyError: unknown) => {
      if (await isMountPoint(target)) throw lazyError;
    });
    void error;
  }
}

/** Decodes the octal escapes (`\040`) of /proc/self/mountinfo. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Every mount point of this mount namespace. */
export async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').filter(Boolean).map((line) => unescape(line.split(' ')[4] ?? ''));
}

/** Whether `path` is a mount point. */
export async function isMountPoint(path: string): Promise<boolean> {
  return (await mountPoints()).includes(path);
}

/** Mount points at or under `dir`, deepest first (the order to unmount them in). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return (await mountPoints()).filter((m) => m === dir || m.startsWith(prefix)).sort((a, b) => b.length - a.length);
}
