/**
 * POSIX regular expressions (basic and extended) translated to JavaScript RegExp sources.
 *
 * In a BRE, `\(`, `\)`, `\{`, `\}`, `\|`, `\+`, `\?` are the operators and the bare characters
 * are literals; in an ERE it is the other way round. Bracket expressions pass through with
 * POSIX classes (`[[:digit:]]`) expanded.
 *
 * @module
 */
import { translateBracket } from './bracket.js';


/** Translates a POSIX regular expression to a JavaScript RegExp source. */
export function posixRegex(pattern: string, extended: boolean): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '[') {
      const b = translateBracket(pattern, i, false);
      if (b) {
        out += b[0];
        i = b[1];
      } else out += '\\[';
      continue;
    }
    if (c === '\\') {
      const n = pattern[++i];
      if (n === undefined) {
        out += '\\\\';
        break;
      }
      if (!extended && '(){}|+?'.includes(n)) out += n;
      else if (/[1-9]/.test(n)) out += `\\${n}`;
      else if ('<>'.includes(n)) out += '\\b';
      else if ('wWsSbB'.includes(n)) out += `\\${n}`;
      else if (n === 'n') out += '\\n';
      else if (n === 't') out += '\\t';
      else out += /[A-Za-z0-9]/.test(n) ? n : `\\${n}`;
      continue;
    }
    if (!extended && '(){}|+?'.includes(c)) {
      out += `\\${c}`;
      continue;
    }
    if (c === '*' && (out === '' || out === '^' || (!extended && out.endsWith('\\(')))) {
      out += '\\*';
      continue;
    }
    if (c === '/') {
      out += '\\/';
      continue;
    }
    out += c;
  }
  return out;
}

/** Compiles a POSIX regex; `flags` as for RegExp. */
export function compilePosix(pattern: string, extended: boolean, flags = ''): RegExp {
  return new RegExp(posixRegex(pattern, extended), flags);
}
