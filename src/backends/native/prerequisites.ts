/**
 * What the native backend needs of a host: Linux, root, an OCI runtime (runc) and overlayfs.
 *
 * @module
 */
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** One unmet prerequisite of the native backend. */
export interface MissingPrerequisite {
  /** What is missing (`linux`, `root`, `runc`, `overlay`). */
  what: 'linux' | 'root' | 'runc' | 'overlay';
  /** Why it matters, for error messages. */
  message: string;
}

async function onPath(command: string, path = process.env.PATH ?? ''): Promise<boolean> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** Lists what this host lacks for native containers (empty when everything is there). */
export async function missingNativePrerequisites(): Promise<MissingPrerequisite[]> {
  const missing: MissingPrerequisite[] = [];
  if (process.platform !== 'linux') {
    missing.push({ what: 'linux', message: `native containers need Linux (this is ${process.platform})` });
    return missing;
  }
  if (process.getuid?.() !== 0) missing.push({ what: 'root', message: 'native containers need root (namespaces, mounts)' });
  if (!(await onPath('runc'))) missing.push({ what: 'runc', message: 'runc was not found on PATH (apt-get install runc)' });
  const filesystems = await readFile('/proc/filesystems', 'utf8').catch(() => '');
  if (!/\boverlay\b/.test(filesystems)) missing.push({ what: 'overlay', message: 'the kernel does not offer overlayfs' });
  return missing;
}
