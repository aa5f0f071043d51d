/**
 * The UDP half of the port proxy: a socket bound on the host that relays each client's
 * datagrams to `targetIp:targetPort` through a socket of its own (a "flow"), and the target's
 * replies back to that client, as docker-proxy does. A flow ends after `idleMs` without
 * traffic (docker-proxy waits 90 s); at most `maxFlows` run at once, and datagrams of further
 * clients are dropped, which is what UDP allows.
 *
 * @module
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { ListenResult } from './tcp-relay.js';

/** A relaying UDP socket. */
export interface UdpRelay {
  /** Closes the socket and every flow. */
  close(): Promise<void>;
}

/** Limits of a UDP relay. */
export interface UdpRelayOptions {
  /** A flow without traffic for this long is closed. */
  idleMs: number;
  /** Flows at most. */
  maxFlows: number;
}

interface Flow {
  upstream: Socket;
  timer: NodeJS.Timeout;
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

/** Binds `host:port` (UDP) relaying to the target; the result says whether the port was in use. */
export function listenUdp(host: string, port: number, targetIp: string, targetPort: number, options: UdpRelayOptions): Promise<ListenResult<UdpRelay>> {
  const ipv6 = host.includes(':');
  const socket = createSocket({ type: ipv6 ? 'udp6' : 'udp4', ipv6Only: ipv6 });
  const flows = new Map<string, Flow>();
  const endFlow = (key: string): void => {
    const flow = flows.get(key);
    if (!flow) return;
    flows.delete(key);
    clearTimeout(flow.timer);
    void closeSocket(flow.upstream);
  };
  const onMessage = (message: Buffer, client: RemoteInfo): void => {
    const key = `${client.address}|${client.port}`;
    let flow = flows.get(key);
    if (!flow) {
      if (flows.size >= options.maxFlows) return;
      const upstream = createSocket(targetIp.includes(':') ? 'udp6' : 'udp4');
      upstream.on('error', () => endFlow(key));
      upstream.on('message', (reply, from) => {
        // Only the target's replies go back; anything else reaching this port is not ours.
        if (from.port !== targetPort || from.address !== targetIp) return;
        const current = flows.get(key);
        if (current) current.timer.refresh();
        socket.send(reply, client.port, client.address);
      });
      flow = { upstream, timer: setTimeout(() => endFlow(key), options.idleMs) };
      flow.timer.unref();
      flows.set(key, flow);
    }
    flow.timer.refresh();
    flow.upstream.send(message, targetPort, targetIp);
  };
  return new Promise((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve({ ok: false, inUse: error.code === 'EADDRINUSE', error });
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      // An ICMP error for one client (ECONNREFUSED on send) must not end the relay.
      socket.on('error', () => undefined);
      socket.on('message', onMessage);
      resolve({
        ok: true,
        listener: {
          close: async () => {
            for (const key of [...flows.keys()]) endFlow(key);
            await closeSocket(socket);
          },
        },
      });
    });
  });
}
