/**
 * Shared fixtures of the virtual network tests: IDs, containers, free port ranges and a
 * real TCP client.
 *
 * @module
 */
import { afterEach } from 'vitest';
import { VirtualNetwork } from '../../../src/backends/emulator/network/index.js';
import { randomBytes, randomInt } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { Server } from 'node:net';
import type { Duplex } from 'node:stream';

/** A fresh 64-hex container ID. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

/** A container description for attach(). */
export function container(name: string, extra: { hostname?: string; exposedPorts?: string[]; env?: string[] } = {}) {
  const id = newId();
  return { id, name, hostname: extra.hostname ?? id.slice(0, 12), exposedPorts: extra.exposedPorts, env: extra.env };
}

/**
 * A random block of `size` ports below Linux's ephemeral range, so the kernel never hands one
 * of them to an outgoing connection while a test runs, and parallel runs rarely meet.
 */
export function randomPortBlock(size: number): [number, number] {
  const low = randomInt(20000, 32000 - size);
  return [low, low + size - 1];
}

/** `count` consecutive random ports (see {@link randomPortBlock}). */
export function randomPorts(count: number): number[] {
  const [low] = randomPortBlock(count);
  return Array.from({ length: count }, (_, i) => low + i);
}

/** Listens on 0.0.0.0:`port` to hold it, as another process would (`::` is IPv6 only, as docker-proxy's). */
export async function holdPort(port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true, ipv6Only: host === '::' }, () => resolve());
  });
  return server;
}

/** Closes a server. */
export async function release(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** True when `port` can be bound on `host` right now. */
export async function isFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  try {
    await release(await holdPort(port, host));
    return true;
  } catch {
    return false;
  }
}

/** Sends `payload` over a real TCP connection, half-closes, and collects the reply. */
export async function tcpRoundTrip(port: number, payload: string): Promise<{ data: string; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let error: NodeJS.ErrnoException | undefined;
    socket.on('connect', () => socket.end(payload));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => { error = e; });
    socket.on('close', () => resolve({ data: Buffer.concat(chunks).toString(), ...(error ? { error } : {}) }));
  });
}

/**
 * Reads a Duplex's readable side to its end. (Not `for await`: finishing the iterator
 * destroys the stream, which would cut the writable side of a half-open connection.)
 */
export async function readAll(stream: Duplex): Promise<string> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    stream.once('end', () => resolve(Buffer.concat(chunks).toString()));
    stream.once('error', reject);
  });
}

/** Echo handler: writes back what it reads, ends when the peer does. */
export function echo(socket: Duplex): void {
  socket.pipe(socket);
}

/** A factory of VirtualNetworks that are all closed after each test (it registers the hook). */
export function trackedNetworks(): () => VirtualNetwork {
  const nets: VirtualNetwork[] = [];
  afterEach(async () => {
    await Promise.all(nets.splice(0).map((n) => n.close()));
  });
  return () => {
    const net = new VirtualNetwork();
    nets.push(net);
    return net;
  };
}
