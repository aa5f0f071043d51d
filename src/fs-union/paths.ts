/**
 * Path rules shared by every reader and writer of layers.
 *
 * Layer paths are kept relative to the layer root, without a leading `/`, with `''` for the
 * root itself. Archive names are cleaned the way Docker and GNU tar clean them (leading `/` and
 * `./` removed, `.` segments dropped, `..` folded) and refused when they still climb out.
 *
 * @module
 */
import { LayerFormatError } from './errors.js';

/** Names with an empty, `.` or `..` segment, or a leading or trailing `/`. */
const NEEDS_CLEANING = /^\/|\/$|\/\/|(?:^|\/)\.\.?(?:\/|$)|^$/;

/**
 * Cleans an archive entry name into a root-relative layer path.
 *
 * @returns the cleaned path (`''` for the root)
 * @throws LayerFormatError (`path-escape`) when `..` climbs above the root
 */
export function cleanEntryName(name: string): string {
  // Most names are clean already; checking is much cheaper than splitting and joining, which
  // matters for layers of tens of thousands of entries.
  if (!NEEDS_CLEANING.test(name)) return name;
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw new LayerFormatError('path-escape', name, 'entry climbs out of the layer root');
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out.join('/');
}

/**
 * Resolves a user path (absolute or relative to `cwd`) lexically into a root-relative layer
 * path. `..` at the root stays at the root, as it does inside a chroot.
 */
export function toLayerPath(path: string, cwd = '/'): string {
  const full = path.startsWith('/') ? path : `${cwd}/${path}`;
  const out: string[] = [];
  for (const part of full.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** The absolute form (`/a/b`, `/`) of a root-relative layer path. */
export function toAbsolute(layerPath: string): string {
  return `/${layerPath}`;
}

/** The parent of a root-relative layer path (`''` for top-level entries and the root). */
export function parentOf(layerPath: string): string {
  const i = layerPath.lastIndexOf('/');
  return i < 0 ? '' : layerPath.slice(0, i);
}

/** The last segment of a root-relative layer path. */
export function baseName(layerPath: string): string {
  return layerPath.slice(layerPath.lastIndexOf('/') + 1);
}

/** Joins a root-relative directory and a child name. */
export function joinLayerPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** True when `path` is `dir` itself or lies below it. */
export function isWithin(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}
