/**
 * Image references normalised the way Docker's reference library
 * (github.com/distribution/reference) does: `centos:7` is `docker.io/library/centos:7`,
 * `latest` is the default tag, and the error texts are Docker's.
 *
 * @module
 */
import { InvalidArgumentError, type ErrorDetails } from './errors.js';

/** A parsed, normalised image reference. */
export interface ImageRef {
  /** Registry host (and port): `docker.io`, `myreg:5000`, `localhost`. */
  domain: string;
  /** Repository path inside the registry: `library/centos`, `app`. */
  path: string;
  /** Tag; `latest` when the input named neither a tag nor a digest. */
  tag?: string;
  /** Content digest (`sha256:<64 hex>`), when the input pinned one. */
  digest?: string;
  /** Familiar repository name: `centos`, `myuser/app`, `myreg:5000/app`. */
  name: string;
  /** Familiar full form: `centos:7`, `myreg:5000/app:1`, `centos@sha256:...`. */
  familiar: string;
  /** Fully qualified form: `docker.io/library/centos:7`. */
  canonical: string;
}

/** How a user's image string should be looked up locally. */
export interface ImageLookup {
  /** The string as a reference, when it is a valid one. */
  ref?: ImageRef;
  /** Full image ID (`sha256:<64 hex>`), when the string is one (with or without `sha256:`). */
  id?: string;
  /** Lower-case hex prefix of an image ID, when the string could be one (Docker tries it after the reference). */
  idPrefix?: string;
}

const defaultDomain = 'docker.io';
const legacyDefaultDomain = 'index.docker.io';
const officialRepoPrefix = 'library/';
const nameTotalLengthMax = 255;

// Grammar from distribution/reference regexp.go.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const namePat = `(?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*`;
const referenceRe = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const anchoredIdentifierRe = /^[a-f0-9]{64}$/;
const shortIdentifierRe = /^[a-f0-9]{1,64}$/;
const digestLengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

function invalid(message: string, value: string, path?: string): InvalidArgumentError {
  const details: ErrorDetails = { value, reason: 'bad-reference' };
  if (path !== undefined) details.path = path;
  return new InvalidArgumentError(message, { details });
}

/** Splits off the registry host the way Docker decides one is present. */
function splitDockerDomain(name: string): [domain: string, remainder: string] {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i < 0 ? '' : name.slice(0, i);
  // A first component is a registry only if it looks like a host: a dot, a port, `localhost`,
  // or upper case (which a repository path may never contain).
  if (i < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = defaultDomain;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === legacyDefaultDomain) domain = defaultDomain;
  if (domain === defaultDomain && !remainder.includes('/')) remainder = officialRepoPrefix + remainder;
  return [domain, remainder];
}

/** Validates a digest as go-digest does for the algorithms it knows. */
function checkDigest(digest: string, value: string, path?: string): void {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const want = digestLengths[algorithm];
  if (want === undefined) throw invalid('unsupported digest algorithm', value, path);
  if (!/^[a-f0-9]+$/.test(hex)) throw invalid('invalid checksum digest format', value, path);
  if (hex.length !== want) throw invalid('invalid checksum digest length', value, path);
}

/**
 * Parses and normalises an image reference, as `docker pull` does (ParseNormalizedNamed plus
 * the default `latest` tag).
 *
 * @param ref - `centos`, `centos:7`, `myreg:5000/app:1`, `localhost/app`, `app@sha256:<64 hex>`.
 * @param path - Field name for the error's `details.path`.
 * @throws InvalidArgumentError with Docker's text: `invalid reference format`,
 *   `invalid reference format: repository name (library/Centos) must be lowercase`,
 *   `invalid repository name (<hex>), cannot specify 64-byte hexadecimal strings`.
 * @example
 * ```ts
 * parseImageRef('centos:7').canonical;   // 'docker.io/library/centos:7'
 * parseImageRef('myreg:5000/app').familiar; // 'myreg:5000/app:latest'
 * ```
 */
export function parseImageRef(ref: string, path?: string): ImageRef {
  if (typeof ref !== 'string') {
    throw new InvalidArgumentError(`invalid ${typeof path === 'string' ? path : 'ref'}: expected string, received ${ref === null ? 'null' : typeof ref}`, {
      details: typeof path === 'string' ? { path } : {},
    });
  }
  if (typeof path !== 'string') path = undefined;
  if (anchoredIdentifierRe.test(ref)) {
    throw invalid(`invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`, ref, path);
  }
  const [domain, remainder] = splitDockerDomain(ref);
  const tagSep = remainder.indexOf(':');
  const remoteName = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remoteName.toLowerCase() !== remoteName) {
    throw invalid(`invalid reference format: repository name (${remoteName}) must be lowercase`, ref, path);
  }
  const full = `${domain}/${remainder}`;
  const m = referenceRe.exec(full);
  if (!m) {
    if (ref === '') throw invalid('invalid reference format', ref, path);
    if (referenceRe.test(full.toLowerCase())) {
      throw invalid('invalid reference format: repository name must be lowercase', ref, path);
    }
    throw invalid('invalid reference format', ref, path);
  }
  const name = m[1] ?? '';
  if (name.length > nameTotalLengthMax) {
    throw invalid(`invalid reference format: repository name must not be more than ${nameTotalLengthMax} characters`,
      ref, path);
  }
  const digest = m[3];
  if (digest !== undefined) checkDigest(digest, ref, path);
  const tag = m[2] ?? (digest === undefined ? 'latest' : undefined);
  const repoPath = name.slice(domain.length + 1);
  return build(domain, repoPath, tag, digest);
}

function build(domain: string, path: string, tag: string | undefined, digest: string | undefined): ImageRef {
  const name = familiarRepo(domain, path);
  const suffix = (tag === undefined ? '' : `:${tag}`) + (digest === undefined ? '' : `@${digest}`);
  const out: ImageRef = {
    domain, path, name, familiar: name + suffix, canonical: `${domain}/${path}${suffix}`,
  };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

function familiarRepo(domain: string, path: string): string {
  if (domain !== defaultDomain) return `${domain}/${path}`;
  // `library/` is dropped only for official images, never from `library/a/b`.
  if (path.startsWith(officialRepoPrefix) && !path.slice(officialRepoPrefix.length).includes('/')) {
    return path.slice(officialRepoPrefix.length);
  }
  return path;
}

/**
 * The familiar repository name of a reference: `docker.io/library/centos:7` -> `centos`,
 * `myreg:5000/app:1` -> `myreg:5000/app`.
 */
export function familiarName(ref: string | ImageRef): string {
  if (typeof ref === 'object' && ref !== null && typeof ref.name === 'string') return ref.name;
  return parseImageRef(ref as string).name;
}

/**
 * The familiar string of a reference, as `docker images` shows it: `centos:7`,
 * `myreg:5000/app:1`; an untagged input gains `:latest`.
 */
export function familiarString(ref: string | ImageRef): string {
  return (typeof ref === 'string' ? parseImageRef(ref) : ref).familiar;
}

/** Returns a reference with its tag replaced (and no digest), for `tag` and `commit`. */
export function withTag(ref: string | ImageRef, tag: string): ImageRef {
  const parsed = typeof ref === 'string' ? parseImageRef(ref) : ref;
  if (!new RegExp(`^${tagPat}$`).test(tag)) throw invalid('invalid reference format', tag, 'tag');
  return build(parsed.domain, parsed.path, tag, undefined);
}

/** Tells whether a string is a full image or container ID (64 hex, optionally `sha256:`). */
export function isFullId(s: string): boolean {
  return anchoredIdentifierRe.test(s.startsWith('sha256:') ? s.slice(7) : s);
}

/**
 * Classifies what a user typed for an image lookup, in Docker's order: a full ID is only an ID;
 * otherwise the reference is tried first and, when it is short hex, an ID prefix after it.
 *
 * @example
 * ```ts
 * classifyImageLookup('centos:7');   // { ref: {...} }
 * classifyImageLookup('15d3de76');   // { ref: {...docker.io/library/15d3de76:latest}, idPrefix: '15d3de76' }
 * ```
 */
export function classifyImageLookup(s: string): ImageLookup {
  const bare = s.startsWith('sha256:') ? s.slice(7) : s;
  if (anchoredIdentifierRe.test(bare)) return { id: `sha256:${bare}` };
  const out: ImageLookup = {};
  if (shortIdentifierRe.test(bare)) out.idPrefix = bare;
  if (bare === s) {
    try {
      out.ref = parseImageRef(s);
    } catch (e) {
      if (out.idPrefix === undefined) throw e;
    }
  }
  return out;
}
