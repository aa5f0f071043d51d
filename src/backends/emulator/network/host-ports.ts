/**
 * Real host sockets for published ports: the local port range `-P` draws from, and opening
 * a listening `net.Server` with its failure told apart (address in use or not).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { abortErrorFrom, throwIfAborted } from '../../../core/errors.js';

/** The range Linux uses when `/proc/sys/net/ipv4/ip_local_port_range` cannot be read. */
export const defaultLocalPortRange: readonly [number, number] = [32768, 60999];

/**
 * The host's ephemeral port range, which Docker's port allocator uses for `-P`; falls back to
 * {@link defaultLocalPortRange} where /proc is absent (macOS, Windows) or unreadable.
 */
export async function readLocalPortRange(path = '/proc/sys/net/ipv4/ip_local_port_range'): Promise<[number, number]> {
  try {
    const [low, high] = (await readFile(path, 'utf8')).trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high) && low > 0 && low <= high && high <= 65535) {
      return [low, high];
    }
  } catch {
    // Not Linux, or /proc not mounted: use Linux's default below.
  }
  return [...defaultLocalPortRange];
}

/** The outcome of {@link listenOnHost}: a listening server, or why none could be opened. */
export type HostListenResult =
  | { ok: true; server: Server }
  | { ok: false; inUse: boolean; error: Error };

/**
 * Opens a TCP server on `host:port` whose accepted sockets go to `onConnection` (on `::` for
 * IPv6 only). Never throws for a bind failure: `inUse` says whether the port was taken, so
 * callers can try the next one or report Docker's conflict.
 */
export async function listenOnHost(
  host: string,
  port: number,
  onConnection: (socket: Socket) => void,
  signal?: AbortSignal,
): Promise<HostListenResult> {
  throwIfAborted(signal);
  const server = createServer({ allowHalfOpen: true }, onConnection);
  return new Promise<HostListenResult>((resolve, reject) => {
    const onAbort = (): void => {
      server.close();
      reject(abortErrorFrom(signal as AbortSignal));
    };
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    signal?.addEventListener('abort', onAbort, { once: true });
    server.once('error', (error: NodeJS.ErrnoException) => {
      done();
      resolve({ ok: false, inUse: error.code === 'EADDRINUSE' || error.code === 'EACCES', error });
    });
    // exclusive: a cluster worker must not share the port with its primary's listener.
    // ipv6Only: `::` is a listener of its own next to 0.0.0.0, as docker-proxy opens them.
    server.listen({ host, port, exclusive: true, ipv6Only: host === '::' }, () => {
      done();
      // A server that later fails must not crash the process with an unhandled 'error'.
      server.on('error', () => undefined);
      resolve({ ok: true, server });
    });
  });
}

/** Stops a server listening; resolves once it is closed (connections are the caller's). */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
