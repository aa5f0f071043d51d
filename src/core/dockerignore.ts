/**
 * `.dockerignore` matching with the rules of moby's patternmatcher, used to pack build
 * contexts the same way on every backend.
 *
 * Rules: one pattern per line; lines starting with `#` are comments; `!` re-includes; patterns
 * are cleaned (`./a` -> `a`, `/a` -> `a`, `a/` -> `a`); `*` and `?` never cross `/`, `**`
 * crosses any number of directories, `[...]` is a character class, `\` escapes; the last
 * matching pattern wins; a pattern that matches a directory excludes everything beneath it.
 *
 * @module
 */
import { posix } from 'node:path';
import { InvalidArgumentError } from './errors.js';

/** One cleaned `.dockerignore` pattern. */
export interface DockerignorePattern {
  /** The cleaned pattern, without its `!`. */
  pattern: string;
  /** True for a `!` re-include. */
  exclusion: boolean;
}

/** A compiled `.dockerignore`. */
export interface DockerignoreMatcher {
  /** The cleaned patterns in file order. */
  readonly patterns: readonly DockerignorePattern[];
  /** Whether any `!` pattern exists (if not, an excluded directory can be skipped whole). */
  readonly hasExclusions: boolean;
  /**
   * Whether a context-relative path (`a/b.txt`, `/` separators) is excluded, by itself or
   * through an excluded parent directory, as patternmatcher's `MatchesOrParentMatches`.
   */
  matches(relPath: string): boolean;
  /**
   * Whether a `!` pattern could re-include something beneath a directory, so a walker must
   * still descend into an excluded directory. Conservative: true means "maybe". This follows
   * BuildKit, which also descends for an exception that starts with a double star; the classic
   * builder only descends when an exception's text starts with the directory's path.
   */
  mayMatchChildren(relDir: string): boolean;
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

interface Compiled extends DockerignorePattern {
  type: MatchType;
  re: RegExp | undefined;
  dirs: string[];
}

/**
 * Reads `.dockerignore` text into cleaned patterns, as patternmatcher's `ReadAll`.
 *
 * @throws InvalidArgumentError `illegal exclusion pattern: "!"` for a lone `!`.
 */
export function readDockerignore(text: string): DockerignorePattern[] {
  const out: DockerignorePattern[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    // Only a `#` in the first column starts a comment (the check precedes trimming).
    if (line.startsWith('#')) return;
    let pattern = line.trim();
    if (pattern === '') return;
    const exclusion = pattern.startsWith('!');
    if (exclusion) pattern = pattern.slice(1).trim();
    if (pattern !== '') {
      pattern = cleanPattern(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    if (exclusion && pattern === '') {
      throw new InvalidArgumentError('illegal exclusion pattern: "!"', { details: { path: '.dockerignore', line: index + 1 } });
    }
    out.push({ pattern, exclusion });
  });
  return out;
}

/** Go's filepath.Clean on a pattern. */
function cleanPattern(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/**
 * Compiles `.dockerignore` text (or already-split patterns) into a matcher.
 *
 * @throws InvalidArgumentError `syntax error in pattern` for a malformed pattern (an unclosed
 *   `[`, a trailing `\` in a class), as Go's filepath.Match reports.
 * @example
 * ```ts
 * const m = createDockerignoreMatcher('node_modules\n*.log\n!keep.log\n');
 * m.matches('node_modules/x/y.js'); // true
 * m.matches('keep.log');            // false
 * ```
 */
export function createDockerignoreMatcher(text: string | readonly string[]): DockerignoreMatcher {
  const patterns = typeof text === 'string' ? readDockerignore(text) : readDockerignore(text.join('\n'));
  const compiled = patterns.map(compile);
  const hasExclusions = compiled.some((p) => p.exclusion);
  return {
    patterns,
    hasExclusions,
    matches: (relPath) => matchesOrParentMatches(compiled, normalizeRel(relPath)),
    mayMatchChildren: (relDir) => hasExclusions && mayMatchChildren(compiled, normalizeRel(relDir)),
  };
}

function normalizeRel(p: string): string {
  let s = cleanPattern(p.replace(/^\/+/, '') || '.');
  if (s.startsWith('/')) s = s.slice(1);
  return s;
}

function matchesOrParentMatches(patterns: readonly Compiled[], file: string): boolean {
  let matched = false;
  const parent = posix.dirname(file);
  const parentDirs = parent.split('/');
  for (const pattern of patterns) {
    // An inclusion cannot change an already-excluded file, nor an exclusion a kept one.
    if (pattern.exclusion !== matched) continue;
    let match = matchOne(pattern, file);
    if (!match && parent !== '.') {
      for (let i = 0; i < parentDirs.length && !match; i++) {
        match = matchOne(pattern, parentDirs.slice(0, i + 1).join('/'));
      }
    }
    if (match) matched = !pattern.exclusion;
  }
  return matched;
}

function mayMatchChildren(patterns: readonly Compiled[], dir: string): boolean {
  const parts = dir === '.' ? [] : dir.split('/');
  return patterns.some((p) => {
    if (!p.exclusion) return false;
    for (let i = 0; i < parts.length; i++) {
      const seg = p.dirs[i];
      // The pattern ran out first: it names an ancestor, whose re-inclusion covers children.
      if (seg === undefined) return true;
      if (seg.includes('**')) return true;
      if (!segmentRegex(seg).test(parts[i] ?? '')) return false;
    }
    return true;
  });
}

function segmentRegex(seg: string): RegExp {
  try {
    return new RegExp(`^${translate(seg).source}$`, 'u');
  } catch {
    // A segment we cannot translate on its own: stay conservative.
    return /^/u;
  }
}

function matchOne(p: Compiled, path: string): boolean {
  switch (p.type) {
    case 'exact':
      return path === p.pattern;
    case 'prefix':
      return path.startsWith(p.pattern.slice(0, -2));
    case 'suffix': {
      const suffix = p.pattern.slice(2);
      if (path.endsWith(suffix)) return true;
      // `**/foo` also matches `foo` at the top.
      return suffix.startsWith('/') && path === suffix.slice(1);
    }
    default:
      return p.re?.test(path) ?? false;
  }
}

const regexpSpecial = new Set([...'.+()|{}$^']);

/** Translates a pattern to a regex body and decides the cheapest match type, as patternmatcher's compile. */
function translate(pattern: string): { source: string; type: MatchType } {
  let re = '';
  let type: MatchType = 'exact';
  let inClass = false;
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch === ']' && !inClass) {
      // A stray `]` is a literal for Go; unicode-mode JS needs it escaped.
      re += '\\]';
    } else if (ch === '*') {
      if (chars[i + 1] === '*') {
        const first = i === 0;
        i++;
        // `**/` is the same as `**`.
        if (chars[i + 1] === '/') i++;
        if (i + 1 >= chars.length) {
          // A trailing `**` matches everything below, as .gitignore does.
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        if (first) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (ch === '^' && inClass && chars[i - 1] === '[') {
      // Negation right after `[` is class syntax for filepath.Match too.
      re += ch;
    } else if (regexpSpecial.has(ch)) {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      const next = chars[i + 1];
      if (next !== undefined) {
        re += /[A-Za-z0-9]/.test(next) ? next : `\\${next}`;
        // An escaped character only means itself through the regex path.
        type = 'regexp';
        i++;
      } else {
        re += '\\\\';
      }
    } else if (ch === '[' || ch === ']') {
      inClass = ch === '[';
      re += ch;
      type = 'regexp';
    } else {
      re += ch;
    }
  }
  return { source: re, type };
}

function checkSyntax(pattern: string): boolean {
  // A trimmed-down filepath.Match syntax check: classes must close and be non-empty, and an
  // escape may not end the pattern inside a class.
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '[') {
      i++;
      if (chars[i] === '^') i++;
      let n = 0;
      for (;;) {
        const c = chars[i];
        if (c === undefined) return false;
        if (c === ']' && n > 0) break;
        if (c === '\\') {
          i++;
          if (chars[i] === undefined) return false;
        } else if (c === '-' && n === 0) {
          return false;
        }
        // A range's end must exist and not close the class.
        if (chars[i + 1] === '-') {
          i += 2;
          const end = chars[i];
          if (end === undefined || end === ']') return false;
          if (end === '\\') {
            i++;
            if (chars[i] === undefined) return false;
          }
        }
        n++;
        i++;
      }
    }
  }
  return true;
}

function compile(p: DockerignorePattern): Compiled {
  if (!checkSyntax(p.pattern)) {
    throw new InvalidArgumentError('syntax error in pattern', { details: { path: '.dockerignore', pattern: p.pattern } });
  }
  const { source, type } = translate(p.pattern);
  let re: RegExp | undefined;
  if (type === 'regexp') {
    try {
      re = new RegExp(`^${source}$`, 'u');
    } catch (cause) {
      throw new InvalidArgumentError('syntax error in pattern', { details: { path: '.dockerignore', pattern: p.pattern }, cause });
    }
  }
  return { ...p, type, re, dirs: p.pattern.split('/') };
}
