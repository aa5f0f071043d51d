/**
 * Joins two connections (a real host socket to a virtual one, or two virtual ones), both
 * directions, keeping half-close and backpressure (`pipe` pauses the faster side) and turning
 * an abrupt end on either side into an abrupt end on the other.
 *
 * @module
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Pipes `host` into `virtual` and back until both directions have ended or one side fails. */
export function spliceSockets(host: Socket, virtual: Duplex): void {
  host.pipe(virtual);
  virtual.pipe(host);
  host.on('error', () => virtual.destroy());
  host.once('close', () => virtual.destroy());
  virtual.on('error', () => host.destroy());
  virtual.once('close', () => {
    // A virtual side torn down before it finished (container stopped) resets the client;
    // after a clean EOF the pipe has already ended the host socket and it drains on its own.
    if (!virtual.readableEnded && !host.destroyed) host.resetAndDestroy();
  });
}

/**
 * Pipes two virtual connections into each other, as docker-proxy relays between the client it
 * accepted and the container it dialled: half-closes pass through, and when either side is
 * torn down the other is too.
 */
export function spliceVirtual(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  for (const [side, other] of [[a, b], [b, a]] as const) {
    side.on('error', () => other.destroy());
    side.once('close', () => {
      // After a clean EOF the pipe has ended the other side already and it drains on its own;
      // destroying it then could drop what it still has queued.
      if (!side.readableEnded && !other.destroyed) other.destroy();
    });
  }
}
