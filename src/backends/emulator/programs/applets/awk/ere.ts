/**
 * POSIX extended regular expressions (as awk writes them) to JavaScript RegExp. Differences
 * handled: bracket expressions (a leading `]` is a member, `[:class:]` names, `[` and `\` as
 * members), `\<`/`\>` word edges, `.` matching a newline (dotAll), and escapes of letters that
 * mean nothing in an ERE being the letter itself.
 *
 * @module
 */
import { KEPT_ESCAPES, translateBracket } from '../bracket.js';




/**
 * Translates an ERE to a JavaScript RegExp source. With `bracketEscapes` (regex literals,
 * as gawk reads them) a backslash inside a bracket expression escapes the next character;
 * without it (dynamic regexes, as busybox's regcomp reads them) it is a member itself.
 */
export function ereToJs(src: string, bracketEscapes = false): string {
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '[') {
      const b = translateBracket(src, i, bracketEscapes);
      if (b) {
        out += b[0];
        i = b[1];
      } else out += '\\[';
      continue;
    }
    if (c === '\\') {
      const n = src[++i];
      if (n === undefined) {
        out += '\\\\';
        break;
      }
      if (n === '<' || n === '>') out += '\\b';
      else if (KEPT_ESCAPES.has(n)) out += `\\${n}`;
      else if (/[A-Za-z0-9]/.test(n)) out += n;
      else out += `\\${n}`;
      continue;
    }
    // A quantifier with nothing before it is a literal in POSIX, an error in JS.
    if ((c === '*' || c === '+' || c === '?') && (out === '' || out.endsWith('(') || out.endsWith('|') || out === '^')) {
      out += `\\${c}`;
      continue;
    }
    const last = out[out.length - 1];
    if ((c === '*' || c === '+' || c === '?') && (last === '*' || last === '+' || last === '?') && out[out.length - 2] !== '\\') {
      // Stacked quantifiers: POSIX applies the second to the first (`a+?` is `(a+)?`, i.e.
      // `a*`); in JS `+?` would be a lazy `+`. Merge the two into one.
      out = out.slice(0, -1) + (c === last && c !== '*' ? c : '*');
      continue;
    }
    if (c === '{' && !/^\{\d+(,\d*)?\}/.test(src.slice(i))) {
      out += '\\{';
      continue;
    }
    if (c === '}') {
      // Only a `}` closing a valid interval stays an operator.
      out += /\{\d+(,\d*)?$/.test(out) ? '}' : '\\}';
      continue;
    }
    out += c;
  }
  return out;
}

const cache = new Map<string, RegExp>();

/**
 * Compiles an ERE (cached). `global` gives a RegExp for replace/split loops; `literal` is
 * for `/re/` literals (see {@link ereToJs}).
 *
 * @throws SyntaxError when the expression cannot be compiled
 */
export function compileEre(src: string, global = false, literal = false): RegExp {
  const key = `${global ? 'g' : '-'}${literal ? 'l' : '-'}${src}`;
  let re = cache.get(key);
  if (!re) {
    re = new RegExp(ereToJs(src, literal), global ? 'gs' : 's');
    if (cache.size > 500) cache.clear();
    cache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}
