/**
 * The errors programs see from the virtual network. They imitate Node's system errors
 * (`code`, `errno`, `syscall`, `address`, `port`) rather than Stowage's typed errors, because
 * to a program inside a container they are ordinary socket failures, and code written for
 * `node:net` checks `err.code === 'ECONNREFUSED'`.
 *
 * @module
 */
import { constants } from 'node:os';

/** The socket error codes the virtual network produces. */
export type NetErrorCode = 'ECONNREFUSED' | 'ENOTFOUND' | 'EADDRINUSE' | 'EADDRNOTAVAIL' | 'ENETUNREACH' | 'EHOSTUNREACH' | 'EINVAL';

/** A Node-style system error raised by the virtual network. */
export interface NetError extends Error {
  /** The error code (`ECONNREFUSED`, ...). */
  code: NetErrorCode;
  /** The negative errno Node reports for the code (absent for ENOTFOUND, as in Node). */
  errno?: number;
  /** The call that failed (`connect`, `listen`, `getaddrinfo`). */
  syscall: string;
  /** The address involved. */
  address?: string;
  /** The port involved. */
  port?: number;
  /** The name that did not resolve (ENOTFOUND). */
  hostname?: string;
}

/**
 * Builds an error shaped like the one `node:net` gives for the same failure, e.g.
 * `connect ECONNREFUSED 172.17.0.3:80`.
 */
export function netError(code: NetErrorCode, syscall: string, target: { address?: string; port?: number; hostname?: string }): NetError {
  const where = target.hostname ?? (target.port === undefined ? target.address : `${target.address}:${target.port}`);
  const error = new Error(`${syscall} ${code}${where === undefined ? '' : ` ${where}`}`) as NetError;
  error.code = code;
  error.syscall = syscall;
  if (code !== 'ENOTFOUND') {
    const errno = (constants.errno as Record<string, number | undefined>)[code];
    if (errno !== undefined) error.errno = -errno;
  }
  if (target.address !== undefined) error.address = target.address;
  if (target.port !== undefined) error.port = target.port;
  if (target.hostname !== undefined) error.hostname = target.hostname;
  return error;
}
