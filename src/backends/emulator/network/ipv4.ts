/**
 * IPv4 arithmetic for the virtual network: parsing and formatting addresses, CIDR subnets, and
 * the lowest-free address allocator Docker's IPAM uses on a bridge network.
 *
 * @module
 */
import { InvalidArgumentError } from '../../../core/errors.js';

/** A parsed IPv4 subnet. */
export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  /** Prefix length (0-32). */
  prefix: number;
}

/** Parses a dotted quad; undefined when `text` is not one. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** Formats an unsigned 32-bit number as a dotted quad. */
export function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Number of addresses in a subnet of this prefix length. */
export function subnetSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/**
 * Parses `a.b.c.d/n`. Host bits must be clear and the subnet must leave room for a gateway
 * and at least one container, as Docker requires.
 */
export function parseCidr(text: string): Cidr {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  const base = match ? parseIPv4(match[1] ?? '') : undefined;
  const prefix = match ? Number(match[2]) : NaN;
  if (base === undefined || !(prefix >= 0 && prefix <= 32)) {
    throw new InvalidArgumentError(`invalid subnet ${text}: it must be an IPv4 CIDR such as 172.30.0.0/16`, { details: { path: 'subnet' } });
  }
  if (prefix > 30) {
    throw new InvalidArgumentError(`invalid subnet ${text}: it leaves no room for a gateway and a container`, { details: { path: 'subnet' } });
  }
  const size = subnetSize(prefix);
  if (base % size !== 0) {
    const proper = formatCidr({ base: base - (base % size), prefix });
    throw new InvalidArgumentError(`invalid subnet ${text}: it should be ${proper}`, { details: { path: 'subnet' } });
  }
  return { base, prefix };
}

/** Formats a subnet as `a.b.c.d/n`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIPv4(cidr.base)}/${cidr.prefix}`;
}

/** True when two subnets share at least one address. */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + subnetSize(a.prefix);
  const bEnd = b.base + subnetSize(b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

/** True when `ip` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.base && ip < cidr.base + subnetSize(cidr.prefix);
}

/**
 * Hands out the addresses of one subnet. The gateway takes the first host address; containers
 * get the lowest free address above it, so an address freed by a stopped container is the next
 * one given out (what a current Docker Engine does on a bridge network).
 */
export class IpAllocator {
  readonly #cidr: Cidr;
  readonly #used = new Set<number>();

  constructor(cidr: Cidr) {
    this.#cidr = cidr;
  }

  /** The gateway address (network address + 1). */
  get gateway(): string {
    return formatIPv4(this.#cidr.base + 1);
  }

  /** Takes the lowest free container address; undefined when the subnet is full. */
  allocate(): string | undefined {
    // The broadcast address is never handed out.
    const last = this.#cidr.base + subnetSize(this.#cidr.prefix) - 2;
    for (let ip = this.#cidr.base + 2; ip <= last; ip++) {
      if (!this.#used.has(ip)) {
        this.#used.add(ip);
        return formatIPv4(ip);
      }
    }
    return undefined;
  }

  /** Returns an address to the pool. */
  release(ip: string): void {
    const value = parseIPv4(ip);
    if (value !== undefined) this.#used.delete(value);
  }
}
