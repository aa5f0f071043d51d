/**
 * Joins a real host socket to a virtual one, both directions, keeping half-close and
 * backpressure (`pipe` pauses the faster side) and turning an abrupt end on either side into
 * an abrupt end on the other.
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
