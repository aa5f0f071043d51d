/**
 * The TCP half of the port proxy: a listening socket on the host whose every connection is
 * relayed to `targetIp:targetPort`, as docker-proxy does.
 *
 * Each direction is a `pipe()`, so a slow reader on either side pauses the other side's
 * socket (backpressure: at most a stream buffer per direction is held here, never the whole
 * transfer). Half-close passes through: both sockets allow half-open, and the end of one
 * direction ends only that direction on the other socket. A failure on one side resets the
 * other; errors are always handled, so no connection can crash the process.
 *
 * @module
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** The outcome of opening a listener: it, or why not (`inUse`: the port is taken). */
export type ListenResult<T> = { ok: true; listener: T } | { ok: false; inUse: boolean; error: NodeJS.ErrnoException };

/** A relaying TCP listener. */
export interface TcpRelay {
  /** Stops listening and resets every relayed connection. */
  close(): Promise<void>;
}

/** Relays one accepted connection to the target. */
function relay(client: Socket, targetIp: string, targetPort: number, live: Set<Socket>): void {
  const upstream = connect({ host: targetIp, port: targetPort, allowHalfOpen: true });
  live.add(client);
  live.add(upstream);
  let failed = false;
  const fail = (): void => {
    if (failed) return;
    failed = true;
    // An abortive close (RST) tells the peer that its data did not arrive, as the target did.
    if (!client.destroyed) client.resetAndDestroy();
    if (!upstream.destroyed) upstream.resetAndDestroy();
  };
  client.on('error', fail);
  upstream.on('error', fail);
  client.once('close', (hadError) => {
    live.delete(client);
    if (hadError || !client.readableEnded) fail();
  });
  upstream.once('close', (hadError) => {
    live.delete(upstream);
    if (hadError || !upstream.readableEnded) fail();
  });
  client.pipe(upstream);
  upstream.pipe(client);
}

/**
 * Opens a TCP listener on `host:port` relaying to the target. Never throws for a bind
 * failure: the result says whether the port was in use.
 */
export function listenTcp(host: string, port: number, targetIp: string, targetPort: number): Promise<ListenResult<TcpRelay>> {
  const live = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) => relay(socket, targetIp, targetPort, live));
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      resolve({ ok: false, inUse: error.code === 'EADDRINUSE', error });
    });
    // exclusive: never share the port with a cluster primary; ipv6Only: `::` and `0.0.0.0`
    // are two listeners, as Docker binds them, so `::` must not also take IPv4.
    server.listen({ host, port, exclusive: true, ipv6Only: host.includes(':') }, () => {
      server.removeAllListeners('error');
      server.on('error', () => undefined);
      resolve({
        ok: true,
        listener: {
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              for (const socket of live) socket.resetAndDestroy();
              live.clear();
            }),
        },
      });
    });
  });
}
