/**
 * The few pieces of Go's text handling the Dockerfile front end must match byte for byte:
 * `unicode.IsSpace`, `strings.TrimSpace` and `strconv.Quote` (BuildKit's parser is written in
 * Go, and its error texts and AST dump use these).
 *
 * @module
 */

/** Go's `unicode.IsSpace`: ASCII blanks plus NEL, NBSP and the Unicode space separators. */
export function isGoSpace(ch: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(ch);
}

const leadingSpace = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;
const trailingSpace = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/u;

/** Go's `strings.TrimLeftFunc(s, unicode.IsSpace)`. */
export function goTrimLeft(s: string): string {
  return s.replace(leadingSpace, '');
}

/** Go's `strings.TrimSpace` (JavaScript's `trim()` also strips U+FEFF and misses U+0085). */
export function goTrimSpace(s: string): string {
  return s.replace(leadingSpace, '').replace(trailingSpace, '');
}

/** Runs of the ASCII blanks BuildKit splits words on (`[\t\v\f\r ]+`). */
export const asciiBlanks = /[\t\v\f\r ]+/;

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const shortEscapes: Record<string, string> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\',
};

/**
 * Go's `strconv.Quote`: double quotes, `\"` and `\\`, C escapes for control characters,
 * `\xNN`/`\uNNNN`/`\UNNNNNNNN` for other non-printable characters; printable Unicode is kept.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const short = shortEscapes[ch];
    if (short !== undefined) {
      out += short;
      continue;
    }
    if (printable.test(ch)) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    // A lone surrogate is invalid UTF-8 in Go's eyes: it prints the replacement character's escape.
    if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
