/**
 * Shell patterns (`*`, `?`, `[...]`) as regular expressions, and pathname expansion over a
 * {@link FileSystemApi}.
 *
 * Patterns arrive with quoted characters escaped by a backslash (the expander does that), so
 * `"*".txt` matches only a file literally named `*.txt`.
 *
 * @module
 */
import { posix } from 'node:path';
import type { FileSystemApi } from '../../../../fs-union/fs-api.js';

/** True when the pattern has an unescaped `*`, `?` or `[`. */
export function hasGlobChars(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

/** Escapes every pattern-special character of `text` so it matches itself. */
export function escapePattern(text: string): string {
  return text.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}

/** Removes the escaping backslashes of a pattern that is used as a literal. */
export function unescapePattern(pattern: string): string {
  return pattern.replace(/\\(.)/g, '$1');
}

/**
 * Converts a shell pattern to a regular expression source (without anchors).
 *
 * @param pathname when true, `*` and `?` never match `/` (filename expansion)
 */
export function patternSource(pattern: string, pathname = false): string {
  const any = pathname ? '[^/]' : '[\\s\\S]';
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[++i];
      if (n !== undefined) out += escapeRegex(n);
    } else if (c === '*') out += `${any}*`;
    else if (c === '?') out += any;
    else if (c === '[') {
      const close = findClass(pattern, i);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      const cls = body
        .replace(/\[:(alpha|digit|alnum|upper|lower|space|punct|xdigit):\]/g, (_, name: string) => posixClass(name))
        .replace(/\\(.)/g, (_, ch: string) => escapeClassChar(ch))
        .replace(/[\]\\^]/g, (ch) => (ch === '\\' ? '\\\\' : `\\${ch}`));
      out += `[${negate ? '^' : ''}${cls}]`;
      i = close;
    } else out += escapeRegex(c);
  }
  return out;
}

function findClass(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '!' || pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '[' && pattern[i + 1] === ':') {
      const end = pattern.indexOf(':]', i + 2);
      if (end > 0) i = end + 1;
    } else if (pattern[i] === ']') return i;
  }
  return -1;
}

function posixClass(name: string): string {
  const classes: Record<string, string> = {
    alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z',
    space: ' \\t\\n\\r\\f\\v', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9a-fA-F',
  };
  return classes[name] ?? '';
}

function escapeClassChar(c: string): string {
  return c === ']' || c === '\\' || c === '^' || c === '-' ? `\\${c}` : c;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Tests `text` against a whole shell pattern (as `case` does). */
export function matchPattern(pattern: string, text: string): boolean {
  return new RegExp(`^${patternSource(pattern)}$`).test(text);
}

/**
 * Expands a pathname pattern against the filesystem; returns the sorted matches (spelled as
 * the pattern spells them: relative stays relative), or `[]` when nothing matches.
 */
export async function glob(fs: FileSystemApi, cwd: string, pattern: string): Promise<string[]> {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  if (absolute) segments.shift();
  let found: { shown: string; real: string }[] = [{ shown: absolute ? '/' : '', real: absolute ? '/' : cwd }];
  for (let s = 0; s < segments.length; s++) {
    const segment = segments[s]!;
    const last = s === segments.length - 1;
    const next: { shown: string; real: string }[] = [];
    for (const base of found) {
      if (!hasGlobChars(segment)) {
        const name = unescapePattern(segment);
        const real = posix.join(base.real, name);
        try {
          await fs.lstat(real);
          next.push({ shown: join(base.shown, name), real });
        } catch {
          // Not there: this branch of the match ends.
        }
        continue;
      }
      let names: string[];
      try {
        if (!(await fs.stat(base.real)).isDirectory()) continue;
        names = await fs.readdir(base.real);
      } catch {
        continue;
      }
      const re = new RegExp(`^${patternSource(segment, true)}$`);
      const dotOk = segment.startsWith('.') || segment.startsWith('\\.');
      for (const name of names) {
        if (name.startsWith('.') && !dotOk) continue;
        if (!re.test(name)) continue;
        const real = posix.join(base.real, name);
        if (!last) {
          try {
            if (!(await fs.stat(real)).isDirectory()) continue;
          } catch {
            continue;
          }
        }
        next.push({ shown: join(base.shown, name), real });
      }
    }
    found = next;
    if (found.length === 0) return [];
  }
  const shown = found.map((f) => (pattern.endsWith('/') ? `${f.shown}/` : f.shown));
  return shown.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function join(base: string, name: string): string {
  if (base === '') return name;
  return base.endsWith('/') ? base + name : `${base}/${name}`;
}
