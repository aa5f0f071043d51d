/**
 * The shell patterns of `${v#pat}`, `${v%pat}` and `${v/pat/rep}` as BuildKit's lexer reads
 * them: `*` and `?` are wildcards, `\` escapes one of `*?\` (and drops before `}` or `/`), no
 * bracket expressions.
 *
 * @module
 */

/** Makes the error the caller throws (the lexer words it and adds the input). */
type Fail = (message: string) => Error;

const regexSpecials = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);

/**
 * Converts a shell pattern into a regular expression; `greedy` makes `*` match the longest run,
 * `anchored` pins the match to the start.
 */
export function shellPatternRegex(pattern: string, greedy: boolean, anchored: boolean, fail: Fail, flags = ''): RegExp {
  const chars = [...pattern];
  let out = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch === '*') {
      // Go's `.` (no s flag): anything but a newline.
      out += greedy ? '[^\\n]*' : '[^\\n]*?';
    } else if (ch === '?') {
      out += '[^\\n]';
    } else if (ch === '\\') {
      const next = chars[i + 1];
      // An escaped `}` or `/` belonged to the ${} syntax, not to the pattern.
      if (next === '}' || next === '/') continue;
      i++;
      if (next !== '*' && next !== '?' && next !== '\\') {
        throw fail(`invalid pattern (${pattern}) in substitution: invalid escape '\\${next ?? ''}'`);
      }
      out += `\\${next}`;
    } else {
      out += regexSpecials.has(ch) ? `\\${ch}` : ch;
    }
  }
  return new RegExp(out, `u${flags}`);
}

/** `${v#pat}` / `${v##pat}`: the value without its shortest (longest) matching prefix. */
export function trimPrefix(pattern: string, value: string, greedy: boolean, fail: Fail): string {
  const m = shellPatternRegex(pattern, greedy, true, fail).exec(value);
  return m ? value.slice(m[0].length) : value;
}

/** Reverses a pattern but keeps each escape before the character it escapes. */
function reversePattern(pattern: string): string {
  const chars = [...pattern];
  const out: string[] = [];
  for (let i = 0; i < chars.length; ) {
    if (chars[i] === '\\' && i !== chars.length - 1) {
      out.unshift(chars[i] ?? '', chars[i + 1] ?? '');
      i += 2;
    } else {
      out.unshift(chars[i] ?? '');
      i++;
    }
  }
  return out.join('');
}

/** `${v%pat}` / `${v%%pat}`: the value without its shortest (longest) matching suffix. */
export function trimSuffix(pattern: string, value: string, greedy: boolean, fail: Fail): string {
  // A regular expression cannot find the shortest rightmost match, so both sides are reversed
  // and the prefix rule applies.
  const reversed = [...value].reverse().join('');
  return [...trimPrefix(reversePattern(pattern), reversed, greedy, fail)].reverse().join('');
}
