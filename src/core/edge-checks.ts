/**
 * Checks of the plain (non-object) arguments of the public methods: new container names,
 * archive paths, image references. Each fails the way the engine would, in its words, before
 * any backend sees the value, so every backend refuses the same inputs the same way.
 *
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import { parseImageRef, type ImageRef } from './image-ref.js';

/** Throws unless `value` is a string; names the argument. */
function requireString(value: unknown, path: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(`invalid ${path}: expected string, received ${describe(value)}`, { details: { path } });
  }
}

/** The type word zod would use for a value (`number`, `object`, `undefined`...). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * The new name of `container.rename()`, without its leading slash.
 *
 * @throws InvalidArgumentError with the engine's texts: `Neither old nor new names may be
 *   empty`, `Error when allocating new name: Invalid container name (/a b), only
 *   [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`
 */
export function renameTarget(name: unknown): string {
  requireString(name, 'name');
  if (name === '' || name === '/') {
    throw new InvalidArgumentError('Neither old nor new names may be empty', { details: { path: 'name', value: name } });
  }
  const shown = name.startsWith('/') ? name : `/${name}`;
  if (!/^\/[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(shown)) {
    throw new InvalidArgumentError(`Error when allocating new name: Invalid container name (${shown}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, {
      details: { path: 'name', value: name },
    });
  }
  return shown.slice(1);
}

/**
 * A path inside a container for `getArchive`/`putArchive`. Relative paths are taken from the
 * root, as the engine does.
 *
 * @throws InvalidArgumentError `bad parameter: pathcannot be empty` (the engine's words, typo
 *   included) or for a NUL byte, which no path can hold
 */
export function archivePath(path: unknown): string {
  requireString(path, 'path');
  if (path === '') throw new InvalidArgumentError('bad parameter: pathcannot be empty', { details: { path: 'path', value: path } });
  if (path.includes('\0')) {
    throw new InvalidArgumentError('bad parameter: path contains a NUL byte', { details: { path: 'path' } });
  }
  return path;
}

/**
 * An image reference to pull, push, tag or import as: a valid reference in Docker's grammar.
 * Returns the reference as given (backends normalise it themselves).
 *
 * @param options.tagOnly refuse a digest, as `docker tag` does
 * @throws InvalidArgumentError with Docker's texts (`invalid reference format: repository name
 *   must be lowercase`, `refusing to create a tag with a digest reference`)
 */
export function imageRefInput(ref: unknown, path: string, options: { tagOnly?: boolean } = {}): string {
  requireString(ref, path);
  let parsed: ImageRef;
  try {
    parsed = parseImageRef(ref, path);
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
    throw new InvalidArgumentError('invalid reference format', { details: { path, value: ref }, cause: e });
  }
  if (options.tagOnly && parsed.digest !== undefined) {
    throw new InvalidArgumentError('refusing to create a tag with a digest reference', { details: { path, value: ref, reason: 'bad-reference' } });
  }
  return ref;
}
