/**
 * Engine API version arithmetic: parse, compare, and pick the version to speak.
 *
 * We speak the newest version both sides know, as the docker CLI does after `/_ping`, so that
 * an Engine 20.10 (API 1.41) and a newer engine both get requests they understand.
 *
 * @module
 */
import { InvalidArgumentError, UnsupportedError } from '../../../core/errors.js';

/** The newest Engine API version this transport was written against. */
export const MAX_API_VERSION = '1.43';

/** The oldest Engine API version whose behaviour the backend relies on (Engine 17.06). */
export const MIN_API_VERSION = '1.30';

/** Parses `"1.41"` into `[1, 41]`; throws on anything else. */
export function parseApiVersion(version: string): [number, number] {
  const match = /^v?(\d+)\.(\d+)$/.exec(version.trim());
  if (!match) throw new InvalidArgumentError(`Invalid Docker API version: ${version}`, { details: { version } });
  return [Number(match[1]), Number(match[2])];
}

/** Orders two API versions: negative when `a` is older than `b`, zero when equal. */
export function compareApiVersions(a: string, b: string): number {
  const [am, an] = parseApiVersion(a);
  const [bm, bn] = parseApiVersion(b);
  return am !== bm ? am - bm : an - bn;
}

/**
 * The version to use against an engine that reports `engineVersion`: min(engine, ours).
 *
 * @throws UnsupportedError when the engine is older than {@link MIN_API_VERSION}.
 */
export function negotiateApiVersion(engineVersion: string, max: string = MAX_API_VERSION): string {
  const chosen = compareApiVersions(engineVersion, max) < 0 ? engineVersion : max;
  if (compareApiVersions(chosen, MIN_API_VERSION) < 0) {
    throw new UnsupportedError(`Docker Engine API ${engineVersion} is older than the minimum supported ${MIN_API_VERSION}`, {
      details: { engineVersion, minimum: MIN_API_VERSION },
    });
  }
  const [major, minor] = parseApiVersion(chosen);
  return `${major}.${minor}`;
}
