/**
 * Numeric host names as a container's C library reads them. glibc's getaddrinfo takes every
 * form `inet_aton` accepts (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`), so busybox's
 * `nc 2130706433 80` dials 127.0.0.1; IPv6 literals are addresses too, and an IPv4-mapped one
 * (`::ffff:172.17.0.1`) goes out over IPv4. The virtual network must see through all of these
 * the same way, or a spelling would decide where a connection ends.
 *
 * @module
 */
import { isIPv6 } from 'node:net';
import { formatIPv4 } from './ipv4.js';

/** A numeric host: an IPv4 address (dotted quad), or an IPv6 address that has no IPv4 meaning. */
export type NumericHost = { family: 4; address: string } | { family: 6; address: string };

// One part of an inet_aton address: 0x/0X hex, a leading 0 octal, otherwise decimal.
function atonPart(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]*$/.test(text)) return text.length === 2 ? 0 : parseInt(text.slice(2), 16);
  if (/^0[0-7]*$/.test(text)) return parseInt(text, 8);
  if (/^[1-9][0-9]*$/.test(text)) return Number(text);
  return undefined;
}

/**
 * Parses what `inet_aton` accepts: one to four parts, the last filling the bytes left (`a`,
 * `a.b` with a 24-bit `b`, `a.b.c` with a 16-bit `c`, `a.b.c.d`), trailing blanks ignored.
 * Returns the address as an unsigned 32-bit number, or undefined.
 */
export function parseInetAton(text: string): number | undefined {
  const parts = text.replace(/[ \t\n]+$/, '').split('.');
  if (parts.length > 4) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    const value = atonPart(part);
    if (value === undefined || value > 0xffffffff) return undefined;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return undefined;
  const lastBits = 8 * (4 - values.length);
  if (last >= 2 ** lastBits) return undefined;
  let value = 0;
  for (const v of values) value = value * 256 + v;
  return value * 2 ** lastBits + last;
}

/** The eight 16-bit groups of an IPv6 literal (already checked with `isIPv6`). */
function ipv6Groups(text: string): number[] {
  let body = text;
  const lastColon = body.lastIndexOf(':');
  const dotted = body.slice(lastColon + 1);
  if (dotted.includes('.')) {
    // An embedded IPv4 tail is two more groups.
    const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
    body = `${body.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = body.split('::');
  const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const front = groups(head);
  const back = rest === undefined ? [] : groups(rest);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * Reads `text` as a numeric host, or undefined when it is a name (or malformed, like
 * `1.2.3.256`, which the resolver then fails to find, as busybox's `bad address`).
 * Brackets around an IPv6 literal are accepted; an IPv4-mapped IPv6 address is its IPv4 one.
 *
 * @example
 * ```ts
 * parseNumericHost('0x7f000001');         // { family: 4, address: '127.0.0.1' }
 * parseNumericHost('::ffff:172.17.0.1');  // { family: 4, address: '172.17.0.1' }
 * parseNumericHost('::1');                // { family: 6, address: '::1' }
 * ```
 */
export function parseNumericHost(text: string): NumericHost | undefined {
  const v4 = parseInetAton(text);
  if (v4 !== undefined) return { family: 4, address: formatIPv4(v4) };
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!isIPv6(bare)) return undefined;
  const groups = ipv6Groups(bare);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return { family: 4, address: formatIPv4(((groups[6]! << 16) >>> 0) + groups[7]!) };
  }
  return { family: 6, address: bare.toLowerCase() };
}

/** True for an IPv6 link-local address (fe80::/10), which needs a scope to be dialled. */
export function isLinkLocalIPv6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}
