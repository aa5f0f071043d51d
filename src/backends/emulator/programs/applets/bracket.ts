/**
 * POSIX bracket expressions (`[a-z]`, `[^]x]`, `[[:digit:]]`) translated to JavaScript
 * character classes, shared by every POSIX regex translator of the emulator (grep, sed, expr,
 * awk), so they agree on what a bracket expression means.
 *
 * @module
 */

/** POSIX character class names and their JavaScript class bodies (ASCII, as the C locale). */
const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9a-fA-F', cntrl: '\\x00-\\x1f\\x7f', print: ' -~', graph: '!-~',
  word: '\\w',
};

/** Escapes kept as JavaScript escapes inside a bracket when backslash escapes are on. */
export const KEPT_ESCAPES = new Set(['w', 'W', 's', 'S', 'b', 'B', 'n', 't', 'r', 'f', 'v']);

/**
 * Translates one bracket expression starting at `start` (the `[`); returns the JS text and the
 * index of its `]`, or undefined when it is not closed. With `escapes` (awk regex literals) a
 * backslash escapes the next character; without (POSIX regcomp) it is a member itself.
 */
export function translateBracket(src: string, start: number, escapes: boolean): [string, number] | undefined {
  let j = start + 1;
  let body = '';
  if (src[j] === '^') {
    body += '^';
    j++;
  }
  if (src[j] === ']') {
    body += '\\]';
    j++;
  }
  for (; j < src.length && src[j] !== ']'; j++) {
    const c = src[j]!;
    const cls = c === '[' ? /^\[:(\w+):\]/.exec(src.slice(j)) : null;
    if (cls) {
      body += CLASSES[cls[1]!] ?? '';
      j += cls[0].length - 1;
    } else if (c === '\\' && escapes && j + 1 < src.length) {
      const n = src[++j]!;
      body += KEPT_ESCAPES.has(n) && n !== 'b' ? `\\${n}` : /[A-Za-z0-9]/.test(n) ? n : `\\${n}`;
    } else if (c === '\\') body += '\\\\';
    else if (c === '[') body += '\\[';
    else body += c;
  }
  if (j >= src.length) return undefined;
  // An empty negated class would match nothing in JS but `[^]` is "any" there: keep POSIX meaning.
  return [body === '' ? '(?!)' : body === '^' ? '[^]' : `[${body}]`, j];
}
