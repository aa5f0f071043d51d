/**
 * OCI/AUFS whiteout names, as found in layer tars.
 *
 * `.wh.NAME` hides NAME of the lower layers; `.wh..wh..opq` makes its directory opaque (hides
 * every lower child). Other `.wh..wh.` names are AUFS metadata and carry nothing for a layer.
 *
 * @module
 */
import { LayerFormatError } from './errors.js';
import { baseName, joinLayerPath, parentOf } from './paths.js';

/** The prefix of every whiteout file name. */
export const WHITEOUT_PREFIX = '.wh.';
/** The prefix of AUFS metadata names, which includes the opaque marker. */
export const WHITEOUT_META_PREFIX = '.wh..wh.';
/** The file name that marks its directory opaque. */
export const OPAQUE_MARKER = '.wh..wh..opq';

/** What a whiteout-looking name means. */
export type WhiteoutName =
  | {
    /** `.wh.NAME`: hides one entry of the lower layers. */
    kind: 'whiteout';
    /** Root-relative path of the hidden entry (the directory's path joined with NAME). */
    target: string;
  }
  | {
    /** `.wh..wh..opq`: hides every lower child of its directory. */
    kind: 'opaque';
    /** Root-relative path of the directory made opaque (`''` for the root). */
    dir: string;
  }
  | {
    /** Any other `.wh..wh.` name: AUFS bookkeeping (hard-link pool, plink), skipped. */
    kind: 'meta';
  };

/**
 * Classifies a cleaned, root-relative layer path.
 *
 * @returns `null` for an ordinary entry
 * @throws LayerFormatError (`bad-whiteout`) for `.wh.`, `.wh..` and `.wh...`, whose targets are
 *   empty or escape their directory
 */
export function parseWhiteoutName(path: string, original = path): WhiteoutName | null {
  const name = baseName(path);
  if (!name.startsWith(WHITEOUT_PREFIX)) return null;
  const dir = parentOf(path);
  if (name === OPAQUE_MARKER) return { kind: 'opaque', dir };
  if (name.startsWith(WHITEOUT_META_PREFIX)) return { kind: 'meta' };
  const target = name.slice(WHITEOUT_PREFIX.length);
  if (target === '' || target === '.' || target === '..') {
    throw new LayerFormatError('bad-whiteout', original, 'whiteout names no entry of its directory');
  }
  return { kind: 'whiteout', target: joinLayerPath(dir, target) };
}

/** The tar path of the whiteout that hides `path`. */
export function whiteoutPathFor(path: string): string {
  return joinLayerPath(parentOf(path), WHITEOUT_PREFIX + baseName(path));
}

/** The tar path of the opaque marker of directory `dir`. */
export function opaqueMarkerPathFor(dir: string): string {
  return joinLayerPath(dir, OPAQUE_MARKER);
}
