/**
 * `rm -r` inside a bind mount's host directory, race-free: every directory is opened without
 * following links and emptied through its own descriptor, so a subdirectory swapped for a
 * link to `/` mid-way is unlinked as a link, never descended into.
 *
 * The walk is iterative (an explicit stack, one open directory per level), so depth is bounded
 * by the process's descriptor limit, not by the JavaScript stack.
 *
 * @module
 */
import { promises as fsp } from 'node:fs';
import type { HostDir, HostTree } from './host-tree.js';

interface Frame {
  parent: HostDir;
  name: string;
  where: string;
  /** What readdir said it was: a non-directory is unlinked without trying to open it. */
  directory: boolean;
  dir?: HostDir;
  names?: { name: string; directory: boolean }[];
}

function isCode(e: unknown, ...codes: string[]): boolean {
  return codes.includes((e as { code?: string }).code ?? '');
}

/** Removes `name` in the open directory `parent` and everything below it. */
export async function removeTree(tree: HostTree, parent: HostDir, name: string, where: string): Promise<void> {
  const stack: Frame[] = [{ parent, name, where, directory: true }];
  try {
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      if (!top.directory) {
        try {
          await fsp.unlink(top.parent.at(top.name));
          stack.pop();
          continue;
        } catch (e) {
          if (isCode(e, 'ENOENT')) {
            stack.pop();
            continue;
          }
          // It became a directory since it was listed: empty it like one.
          if (!isCode(e, 'EISDIR', 'EPERM')) throw e;
          top.directory = true;
        }
      }
      if (top.dir === undefined) {
        try {
          top.dir = tree.openChild(top.parent, top.name, top.where);
        } catch (e) {
          // Not a directory (any more): a file or a link, removed as itself.
          if (!isCode(e, 'ENOTDIR', 'ELOOP')) throw e;
          await fsp.unlink(top.parent.at(top.name)).catch((u: unknown) => {
            if (!isCode(u, 'ENOENT')) throw u;
          });
          stack.pop();
          continue;
        }
        const entries = await fsp.readdir(top.dir.at(''), { withFileTypes: true });
        top.names = entries.map((d) => ({ name: d.name, directory: d.isDirectory() }));
      }
      const next = top.names!.pop();
      if (next !== undefined) {
        stack.push({ parent: top.dir, name: next.name, where: `${top.where}/${next.name}`, directory: next.directory });
        continue;
      }
      stack.pop();
      top.dir.release();
      await fsp.rmdir(top.parent.at(top.name));
    }
  } finally {
    for (const frame of stack) frame.dir?.release();
  }
}
