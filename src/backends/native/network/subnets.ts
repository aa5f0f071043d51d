/**
 * IPv4 subnets of bridge networks: parsing a `--subnet`, its gateway, overlap tests, and the
 * pool user networks draw from when no subnet is given.
 *
 * @module
 */
import { InvalidArgumentError } from '../../../core/errors.js';

/** An IPv4 subnet: its first address as an unsigned 32-bit number and its prefix length. */
export interface Subnet {
  /** The network address. */
  base: number;
  /** The prefix length. */
  prefix: number;
}

/** Parses a dotted quad; undefined when `text` is not one. */
export function parseAddress(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((value, o) => value * 256 + o, 0);
}

/** Formats an unsigned 32-bit number as a dotted quad. */
export function formatAddress(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/**
 * Parses `a.b.c.d/n` as Docker accepts a bridge subnet: host bits clear, and room for the
 * gateway and at least one container (a /30 at most).
 *
 * @throws InvalidArgumentError naming `path` when it is none of that
 */
export function parseSubnet(text: string, path = 'subnet'): Subnet {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  const base = m ? parseAddress(m[1] ?? '') : undefined;
  const prefix = Number(m?.[2]);
  if (base === undefined || !(prefix >= 1 && prefix <= 32)) {
    throw new InvalidArgumentError(`invalid subnet ${text}: it must be an IPv4 CIDR such as 10.200.0.0/24`, { details: { path } });
  }
  if (prefix > 30) {
    throw new InvalidArgumentError(`invalid subnet ${text}: it leaves no room for a gateway and a container`, { details: { path } });
  }
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) {
    throw new InvalidArgumentError(`invalid subnet ${text}: it should be ${formatSubnet({ base: base - (base % size), prefix })}`, { details: { path } });
  }
  return { base, prefix };
}

/** Formats a subnet as `a.b.c.d/n`. */
export function formatSubnet(subnet: Subnet): string {
  return `${formatAddress(subnet.base)}/${subnet.prefix}`;
}

/** The gateway Docker gives a bridge subnet: its first host address. */
export function gatewayOf(subnet: Subnet): string {
  return formatAddress(subnet.base + 1);
}

/** True when two subnets share an address. */
export function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  return a.base < b.base + 2 ** (32 - b.prefix) && b.base < a.base + 2 ** (32 - a.prefix);
}

/**
 * The subnets of `size` bits carved from `pool`, lowest first, that overlap none of `taken`:
 * what a user network without `subnet` gets, as Docker walks its default address pools.
 */
export function* freeSubnets(pool: Subnet, size: number, taken: readonly Subnet[]): Generator<Subnet> {
  const step = 2 ** (32 - size);
  for (let base = pool.base; base < pool.base + 2 ** (32 - pool.prefix); base += step) {
    const candidate = { base, prefix: size };
    if (!taken.some((t) => subnetsOverlap(t, candidate))) yield candidate;
  }
}

/** Any `a.b.c.d/n` as the range it covers (host bits dropped); undefined when malformed. For routes. */
export function parseRange(text: string): Subnet | undefined {
  const [address = '', bits = '32'] = text.split('/');
  const base = parseAddress(address);
  const prefix = Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { base: base - (base % size), prefix };
}
