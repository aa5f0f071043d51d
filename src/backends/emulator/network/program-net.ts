/**
 * The network as a program inside an emulated container sees it: virtual listeners on the
 * container's addresses (and its loopback), connections to other containers' listeners over
 * in-process socket pairs, and name resolution with Docker's rules.
 *
 * No connection a program opens ends on a real host socket. Where a Docker container reaches
 * its host (a gateway address, or another address of the host), all it can get at here is
 * what docker-proxy would serve there: the engine's own published ports, handed in-process to
 * the container behind them ({@link HostRoute}). A host service bound to 127.0.0.1 is out of
 * reach under any spelling: the container's 127.0.0.0/8 (and 0.0.0.0, `2130706433`,
 * `::ffff:127.0.0.1`) is its own loopback, and containers have no IPv6, so `::1` cannot be
 * dialled, as on Docker.
 *
 * @module
 */
import { isIPv6 } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ProgramNet } from '../program.js';
import { netError } from './net-errors.js';
import type { ConnectionHandler, ContainerRecord } from './network-record.js';
import type { NetworkRegistry } from './registry.js';
import { isLinkLocalIPv6 } from './numeric-host.js';
import { canReach, resolveFrom } from './resolver.js';
import { createSocketPair } from './socket-pair.js';
import type { VirtualSocket } from './socket-pair.js';

/** Options of `VirtualNetwork.programNet()`. */
export interface ProgramNetOptions {
  /** When it aborts, the listeners opened through this handle are closed (the program ended). */
  signal?: AbortSignal;
}

/**
 * What a container finds at the host's addresses: the engine's published ports, and nothing
 * else (see the module comment).
 */
export interface HostRoute {
  /** True when `address` is one of the host's (a network gateway, an address of this machine). */
  isHostAddress(address: string): boolean;
  /**
   * Opens a connection from `from` to the host's `address:port`; undefined when nothing is
   * published there (the caller reports ECONNREFUSED, as the host's kernel would).
   */
  connect(from: { record: ContainerRecord; address: string; port: number }, address: string, port: number): Duplex | undefined;
}

let nextEphemeralPort = 32768;
/** A client-side port for an outgoing connection, drawn from Linux's ephemeral range as a kernel would. */
export function ephemeralPort(): number {
  const port = nextEphemeralPort;
  nextEphemeralPort = port >= 60999 ? 32768 : port + 1;
  return port;
}

// 0.0.0.0 as a destination means this host, which inside a container is its own loopback.
function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '0.0.0.0';
}

/**
 * Hands a new connection to `target`'s listener on `port`; undefined when nothing listens
 * there. `from` is the connecting side's address, `to` the address it dialled.
 */
export function openConnection(
  target: ContainerRecord,
  port: number,
  from: { address: string; port: number; record?: ContainerRecord },
  toAddress: string,
): VirtualSocket | undefined {
  const handler = target.listeners.get(port);
  if (!handler) return undefined;
  const { client, server } = createSocketPair({ address: from.address, port: from.port }, { address: toAddress, port });
  track(target, server);
  track(target, client);
  if (from.record && from.record !== target) {
    track(from.record, client);
    track(from.record, server);
  }
  try {
    handler(server);
  } catch {
    // A listener that throws drops the connection, as a crashing server would.
    server.destroy();
  }
  return client;
}

/** Counts a connection as one of `record`'s, so detaching the container closes it. */
export function track(record: ContainerRecord, socket: VirtualSocket): void {
  record.connections.add(socket);
  socket.once('close', () => record.connections.delete(socket));
}


/**
 * The {@link ProgramNet} of one container.
 *
 * @example
 * ```ts
 * const net = createProgramNet(registry, containerId);
 * await net.listen(80, (socket) => socket.pipe(socket));
 * const s = await net.connect('localhost', 80);
 * ```
 */
export function createProgramNet(registry: NetworkRegistry, containerId: string, options: ProgramNetOptions = {}, host?: HostRoute): ProgramNet {
  const opened = new Map<number, ConnectionHandler>();
  options.signal?.addEventListener('abort', () => {
    const record = registry.container(containerId);
    for (const [port, handler] of opened) {
      if (record?.listeners.get(port) === handler) record.listeners.delete(port);
    }
    opened.clear();
  }, { once: true });

  const self = (syscall: string): ContainerRecord => {
    const record = registry.container(containerId);
    if (!record) throw netError('ENETUNREACH', syscall, {});
    return record;
  };

  // An address no container holds: the host's own (published ports only), or nowhere.
  const connectToHost = (record: ContainerRecord, address: string, port: number): Duplex => {
    const routes = registry.endpointsOf(record.id).filter(({ network }) => !network.internal);
    if (!record.attached || routes.length === 0 || host === undefined || !host.isHostAddress(address)) {
      throw netError('EHOSTUNREACH', 'connect', { address, port });
    }
    // The source is the container's address on the network that routes to `address` (its own
    // gateway), else on the first network with a route out, as the kernel's route lookup picks.
    const via = routes.find(({ network }) => network.ipam.gateway === address) ?? routes[0]!;
    const socket = host.connect({ record, address: via.endpoint.ipAddress, port: ephemeralPort() }, address, port);
    if (!socket) throw netError('ECONNREFUSED', 'connect', { address, port });
    return socket;
  };

  return {
    async listen(port, handler) {
      const record = self('listen');
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw netError('EINVAL', 'listen', { address: '0.0.0.0', port });
      // The program that owns this handle has ended: nothing may outlive it.
      if (options.signal?.aborted) throw netError('EINVAL', 'listen', { address: '0.0.0.0', port });
      if (record.listeners.has(port)) throw netError('EADDRINUSE', 'listen', { address: '0.0.0.0', port });
      record.listeners.set(port, handler);
      opened.set(port, handler);
    },

    async connect(name, port) {
      const record = self('connect');
      const found = resolveFrom(registry, record, name);
      if (!found) throw netError('ENOTFOUND', 'getaddrinfo', { hostname: name });
      if (found.family === 6) {
        // Docker gives containers no IPv6 (not even ::1): nothing can be bound to dial from.
        throw netError(isLinkLocalIPv6(found.ipAddress) ? 'EINVAL' : 'EADDRNOTAVAIL', 'connect', { address: found.ipAddress, port });
      }
      const loopback = isLoopback(found.ipAddress);
      const target = loopback ? record : found.container;
      if (!target) return connectToHost(record, found.ipAddress, port);
      if (!loopback && (!record.attached || !canReach(record, target, found.network))) {
        throw netError('EHOSTUNREACH', 'connect', { address: found.ipAddress, port });
      }
      const localAddress = loopback
        ? '127.0.0.1'
        : (found.network?.endpoints.get(record.id)?.ipAddress ?? registry.endpointsOf(record.id)[0]?.endpoint.ipAddress ?? '127.0.0.1');
      const toAddress = loopback ? '127.0.0.1' : found.ipAddress;
      const socket = openConnection(target, port, { address: localAddress, port: ephemeralPort(), record }, toAddress);
      if (!socket) throw netError('ECONNREFUSED', 'connect', { address: found.ipAddress, port });
      return socket;
    },

    async resolve(name) {
      const found = resolveFrom(registry, self('getaddrinfo'), name);
      if (!found) throw netError('ENOTFOUND', 'getaddrinfo', { hostname: name });
      // An IPv6 literal stays IPv6 to the program (getaddrinfo gives an AF_INET6 address for
      // `::ffff:127.0.0.1`), though a mapped one is dialled over IPv4.
      const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
      return isIPv6(bare) ? bare : found.ipAddress;
    },
  };
}
