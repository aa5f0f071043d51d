/**
 * The network as a program inside an emulated container sees it: virtual listeners on the
 * container's addresses (and its loopback), connections to other containers' listeners over
 * in-process socket pairs, and name resolution with Docker's rules.
 *
 * @module
 */
import { connect as connectHost } from 'node:net';
import type { Socket } from 'node:net';
import type { ProgramNet } from '../program.js';
import { netError } from './net-errors.js';
import type { ConnectionHandler, ContainerRecord } from './network-record.js';
import type { NetworkRegistry } from './registry.js';
import { canReach, resolveFrom } from './resolver.js';
import { createSocketPair } from './socket-pair.js';
import type { VirtualSocket } from './socket-pair.js';

/** Options of `VirtualNetwork.programNet()`. */
export interface ProgramNetOptions {
  /** When it aborts, the listeners opened through this handle are closed (the program ended). */
  signal?: AbortSignal;
}

// Client-side ports, drawn from Linux's ephemeral range like a kernel would.
let nextEphemeralPort = 32768;
function ephemeralPort(): number {
  const port = nextEphemeralPort;
  nextEphemeralPort = port >= 60999 ? 32768 : port + 1;
  return port;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.');
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

/**
 * Connects to the host through a network's gateway address, as a container reaches services
 * and published ports of its host on Docker. The emulator's host is this machine, reached on
 * its loopback.
 */
async function connectThroughGateway(record: ContainerRecord, gateway: string, port: number): Promise<Socket> {
  const socket = connectHost({ host: '127.0.0.1', port, allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', (error: NodeJS.ErrnoException) => {
      reject(netError(error.code === 'ECONNREFUSED' ? 'ECONNREFUSED' : 'EHOSTUNREACH', 'connect', { address: gateway, port }));
    });
  });
  // Later failures end the connection quietly, like the virtual sockets do.
  socket.on('error', () => undefined);
  record.connections.add(socket);
  socket.once('close', () => record.connections.delete(socket));
  return socket;
}

function track(record: ContainerRecord, socket: VirtualSocket): void {
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
export function createProgramNet(registry: NetworkRegistry, containerId: string, options: ProgramNetOptions = {}): ProgramNet {
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

    async connect(host, port) {
      const record = self('connect');
      const found = resolveFrom(registry, record, host);
      if (!found) throw netError('ENOTFOUND', 'getaddrinfo', { hostname: host });
      const loopback = isLoopback(found.ipAddress);
      if (!loopback && !found.container && record.attached) {
        const via = registry.endpointsOf(record.id).find(({ network }) => network.ipam.gateway === found.ipAddress);
        if (via && !via.network.internal) return connectThroughGateway(record, found.ipAddress, port);
      }
      const target = loopback ? record : found.container;
      if (!target || (!loopback && (!record.attached || !canReach(record, target, found.network)))) {
        throw netError('EHOSTUNREACH', 'connect', { address: found.ipAddress, port });
      }
      const localAddress = loopback
        ? '127.0.0.1'
        : (found.network?.endpoints.get(record.id)?.ipAddress ?? registry.endpointsOf(record.id)[0]?.endpoint.ipAddress ?? '127.0.0.1');
      const socket = openConnection(target, port, { address: localAddress, port: ephemeralPort(), record }, found.ipAddress);
      if (!socket) throw netError('ECONNREFUSED', 'connect', { address: found.ipAddress, port });
      return socket;
    },

    async resolve(name) {
      const found = resolveFrom(registry, self('getaddrinfo'), name);
      if (!found) throw netError('ENOTFOUND', 'getaddrinfo', { hostname: name });
      return found.ipAddress;
    },
  };
}
