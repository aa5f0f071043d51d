/**
 * An in-process connection: two Duplex ends where what one writes the other reads.
 *
 * Node 20 has no `stream.duplexPair` (it arrived in 22.6), and a PassThrough per direction
 * would buffer without bound when the reader stalls. Here a write is only acknowledged once
 * the peer's readable buffer accepts it, so a slow reader holds the writer back exactly as
 * a TCP window would.
 *
 * @module
 */
import { Duplex } from 'node:stream';

/** The addresses of one end of a virtual connection, as `net.Socket` names them. */
export interface SocketAddresses {
  /** This end's address. */
  localAddress: string;
  /** This end's port. */
  localPort: number;
  /** The other end's address. */
  remoteAddress: string;
  /** The other end's port. */
  remotePort: number;
}

/** One end of a virtual connection; carries socket-like address fields. */
export class VirtualSocket extends Duplex {
  /** This end's address. */
  readonly localAddress: string;
  /** This end's port. */
  readonly localPort: number;
  /** The other end's address. */
  readonly remoteAddress: string;
  /** The other end's port. */
  readonly remotePort: number;
  /** Always IPv4 on the virtual network. */
  readonly remoteFamily = 'IPv4';
  #peer: VirtualSocket | undefined;
  // The peer's write callback, held back until this end's reader asks for more.
  #releasePeerWrite: (() => void) | undefined;

  constructor(addresses: SocketAddresses) {
    super({ allowHalfOpen: true });
    this.localAddress = addresses.localAddress;
    this.localPort = addresses.localPort;
    this.remoteAddress = addresses.remoteAddress;
    this.remotePort = addresses.remotePort;
  }

  /** Wires two ends together; called once by {@link createSocketPair}. */
  static link(a: VirtualSocket, b: VirtualSocket): void {
    a.#peer = b;
    b.#peer = a;
  }

  /** No-op, for code written against `net.Socket`. */
  setNoDelay(): this {
    return this;
  }

  /** No-op, for code written against `net.Socket`. */
  setKeepAlive(): this {
    return this;
  }

  /** Hands a chunk to the peer; acknowledged only once the peer's buffer has room. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.#peer;
    if (!peer || peer.destroyed || peer.readableEnded) {
      // The other side is gone: like a reset connection, but without an 'error' event that an
      // unprepared program would crash the whole engine with.
      callback();
      this.destroy();
      return;
    }
    if (peer.push(chunk)) callback();
    else peer.#releasePeerWrite = () => callback();
  }

  /** The reader wants more: releases the peer's held-back write. */
  override _read(): void {
    const release = this.#releasePeerWrite;
    this.#releasePeerWrite = undefined;
    release?.();
  }

  /** Half-closes: the peer reads EOF. */
  override _final(callback: (error?: Error | null) => void): void {
    // Half-close: the peer reads EOF, and may still write back.
    const peer = this.#peer;
    if (peer && !peer.destroyed) peer.push(null);
    callback();
  }

  /** Tears the connection down: the peer reads EOF and its held-back write is released. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.#peer;
    this.#peer = undefined;
    const release = this.#releasePeerWrite;
    this.#releasePeerWrite = undefined;
    release?.();
    if (peer) {
      peer.#peer = undefined;
      // The peer sees the connection close: EOF if it was still reading, then it is torn down
      // once it has been drained (or at once when nobody reads it).
      if (!peer.destroyed) {
        if (!peer.readableEnded) peer.push(null);
        if (peer.writableFinished || peer.writableEnded) queueMicrotask(() => peer.destroy());
      }
    }
    callback(error);
  }
}

/** The two ends of a virtual connection. */
export interface SocketPair {
  /** The connecting side (what `connect()` returns). */
  client: VirtualSocket;
  /** The accepting side (what a listener's handler receives). */
  server: VirtualSocket;
}

/**
 * Creates a connected pair: `client` is what `connect()` returns, `server` what the listener's
 * handler receives.
 *
 * @example
 * ```ts
 * const { client, server } = createSocketPair({ address: '172.17.0.2', port: 40000 }, { address: '172.17.0.3', port: 80 });
 * server.pipe(server); // echo
 * client.end('hi');
 * ```
 */
export function createSocketPair(
  from: { address: string; port: number },
  to: { address: string; port: number },
): SocketPair {
  const client = new VirtualSocket({ localAddress: from.address, localPort: from.port, remoteAddress: to.address, remotePort: to.port });
  const server = new VirtualSocket({ localAddress: to.address, localPort: to.port, remoteAddress: from.address, remotePort: from.port });
  VirtualSocket.link(client, server);
  return { client, server };
}
