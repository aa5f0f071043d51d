/**
 * Finding what a COPY or ADD source names in its source filesystem (the context, a stage, an
 * image): paths cleaned to the source's root, wildcards matched per segment as Go's
 * `filepath.Match` (`*`, `?`, `[...]`, `\` escapes), `.dockerignore` applied to the context,
 * and the content checksum the cache key uses (metadata without mtime).
 *
 * @module
 */
import { posix } from 'node:path';
import type { DockerignoreMatcher } from '../core/dockerignore.js';
import { BuildError, throwIfAborted } from '../core/errors.js';
import { sha256Digest } from '../fs-union/digest.js';
import type { FileStats, FileSystemApi } from '../fs-union/fs-api.js';

/** Where COPY reads from. */
export interface CopySource {
  /** The filesystem. */
  fs: FileSystemApi;
  /** `.dockerignore` (context only). */
  ignore?: DockerignoreMatcher;
  /** Keep the source's owners (stages and images); the context's files are root's. */
  keepOwners: boolean;
}

/** One matched source path. */
export interface MatchedSource {
  /** Absolute path in the source filesystem. */
  path: string;
  /** Its stats, symlinks followed (the source path itself is always followed). */
  stats: FileStats;
}

const hasWildcard = (s: string): boolean => /[*?[\\]/.test(s);

/** A character as a literal in a regular expression. */
const literal = (c: string): string => (/[\^$\\.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c);

/** Go's `filepath.Match` for one path segment. */
export function matchSegment(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? '';
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\' && i + 1 < pattern.length) re += literal(pattern[++i] ?? '');
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return false;
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('^')) body = `\\^${body.slice(1)}`;
      re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else re += literal(ch);
  }
  try {
    return new RegExp(`${re}$`, 'u').test(name);
  } catch {
    return false;
  }
}

/** Whether the context's `.dockerignore` hides a path (absolute, in the context). */
export function isIgnored(source: CopySource, path: string): boolean {
  const rel = path.replace(/^\/+/, '');
  return rel !== '' && source.ignore !== undefined && source.ignore.matches(rel);
}

async function statOrUndefined(fs: FileSystemApi, path: string): Promise<FileStats | undefined> {
  try {
    return await fs.stat(path);
  } catch {
    return undefined;
  }
}

/**
 * The paths a source names: one for a plain path (which must exist), every match for a
 * wildcard (possibly none, as BuildKit allows).
 *
 * @throws BuildError `"/x": not found` for a missing plain path (or one `.dockerignore` hides)
 */
export async function matchSources(source: CopySource, src: string, signal?: AbortSignal): Promise<MatchedSource[]> {
  const clean = posix.normalize(`/${src}`).replace(/(.)\/+$/, '$1');
  if (!hasWildcard(clean)) {
    const stats = isIgnored(source, clean) ? undefined : await statOrUndefined(source.fs, clean);
    if (!stats) throw new BuildError(`failed to compute cache key: "${clean}" not found: not found`, { details: { source: src } });
    return [{ path: clean, stats }];
  }
  let candidates = ['/'];
  for (const segment of clean.split('/').filter((s) => s !== '')) {
    throwIfAborted(signal);
    const next: string[] = [];
    for (const dir of candidates) {
      if (!hasWildcard(segment)) {
        next.push(posix.join(dir, segment));
        continue;
      }
      let names: string[];
      try {
        names = await source.fs.readdir(dir);
      } catch {
        continue;
      }
      for (const name of names) if (matchSegment(segment, name)) next.push(posix.join(dir, name));
    }
    candidates = next;
  }
  const out: MatchedSource[] = [];
  for (const path of candidates.sort()) {
    if (isIgnored(source, path)) continue;
    const stats = await statOrUndefined(source.fs, path);
    if (stats) out.push({ path, stats });
  }
  return out;
}

/** One entry below a matched source, for copying and checksumming. */
export interface SourceEntry {
  /** Absolute path in the source filesystem. */
  path: string;
  /** Path relative to the matched source (`''` for the source itself). */
  rel: string;
  /** Stats (symlinks not followed, except for the matched source itself). */
  stats: FileStats;
  /** A symlink's target. */
  target?: string;
}

/** Every entry of a matched source, parents before children, `.dockerignore` applied. */
export async function walkSource(source: CopySource, match: MatchedSource, signal?: AbortSignal): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [{ path: match.path, rel: '', stats: match.stats }];
  if (!match.stats.isDirectory()) return out;
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of await source.fs.readdir(dir)) {
      throwIfAborted(signal);
      const path = posix.join(dir, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const stats = await source.fs.lstat(path);
      if (isIgnored(source, path) && !(stats.isDirectory() && source.ignore?.mayMatchChildren(path.slice(1)))) continue;
      const entry: SourceEntry = { path, rel: childRel, stats };
      if (stats.isSymbolicLink()) entry.target = await source.fs.readlink(path);
      // An excluded directory walked only for a `!` pattern contributes its children, not itself.
      if (!isIgnored(source, path)) out.push(entry);
      if (stats.isDirectory()) await walk(path, childRel);
    }
  };
  await walk(match.path, '');
  return out;
}

/**
 * The checksum of what a COPY/ADD will copy: names, types, modes, owners (when kept), link
 * targets and content digests, never modification times, so touching a file keeps the cache.
 */
export async function checksumEntries(source: CopySource, entries: readonly SourceEntry[]): Promise<string> {
  const lines: string[] = [];
  for (const e of entries) {
    const owner = source.keepOwners ? `${e.stats.uid}:${e.stats.gid}` : '';
    let content = '';
    if (e.stats.isFile()) content = sha256Digest(await source.fs.readFile(e.path));
    else if (e.target !== undefined) content = `-> ${e.target}`;
    lines.push(`${e.rel}\0${e.stats.type}\0${(e.stats.mode & 0o7777).toString(8)}\0${owner}\0${content}`);
  }
  return sha256Digest(lines.join('\n'));
}
