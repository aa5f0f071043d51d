/**
 * `WWW-Authenticate` challenges (RFC 7235) as registries send them:
 * `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"`
 * or `Basic realm="Registry Realm"`.
 *
 * @module
 */

/** One challenge: its scheme (lower case) and parameters (names lower case). */
export interface Challenge {
  /** `bearer`, `basic`... */
  scheme: string;
  /** Parameters: `realm`, `service`, `scope`, `error`... */
  params: Record<string, string>;
}

const tokenRe = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/** Parses a `WWW-Authenticate` header (several challenges may share it). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  if (Array.isArray(header)) return header.flatMap((h) => parseChallenges(h));
  const out: Challenge[] = [];
  let rest = header;
  const skip = (re: RegExp): void => {
    rest = rest.replace(re, '');
  };
  while (rest.length > 0) {
    skip(/^[\s,]+/);
    const scheme = tokenRe.exec(rest)?.[0];
    if (scheme === undefined) break;
    rest = rest.slice(scheme.length);
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      skip(/^[\s,]+/);
      const name = tokenRe.exec(rest)?.[0];
      if (name === undefined) break;
      const after = rest.slice(name.length).replace(/^\s*/, '');
      // A token not followed by `=` starts the next challenge.
      if (!after.startsWith('=')) break;
      rest = after.slice(1).replace(/^\s*/, '');
      let value: string;
      if (rest.startsWith('"')) {
        let i = 1;
        value = '';
        while (i < rest.length && rest[i] !== '"') {
          if (rest[i] === '\\' && i + 1 < rest.length) i++;
          value += rest[i];
          i++;
        }
        rest = rest.slice(i + 1);
      } else {
        value = tokenRe.exec(rest)?.[0] ?? '';
        rest = rest.slice(value.length);
      }
      challenge.params[name.toLowerCase()] = value;
    }
  }
  return out;
}
