/**
 * Published ports: a userland proxy on the host for each binding, as Docker's docker-proxy.
 *
 * Why a userland proxy rather than DNAT rules (the CNI portmap plugin or iptables): binding
 * the port is what tells us, atomically and across processes, that it is free (a rule would
 * silently shadow a host service, and Docker itself reports a taken port through its proxy's
 * bind error); 127.0.0.1:PORT works without `route_localnet`; other containers reach it
 * through their gateway (the host) with no hairpin NAT; and nothing is left in the kernel when
 * the process holding it dies. It lives in the long-lived supervisor, so it is a plain class
 * with `close()`.
 *
 * Docker's behaviour kept: no host address means both `0.0.0.0` and `::` (when the host has
 * IPv6), on the same port; `-P` (host port 0) takes ports from the bottom of
 * `ip_local_port_range` upwards, a cursor moving on from the last port it gave, skipping
 * ports in use; a range (`8000-8010:80`) takes its first free port; a container's bindings
 * are published all together or not at all (ConflictError, nothing left open), with Docker's
 * words.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { ConflictError, InvalidArgumentError, throwIfAborted } from '../../../../core/errors.js';
import { listenTcp, type ListenResult } from './tcp-relay.js';
import { listenUdp } from './udp-relay.js';

/** The container a publication belongs to (Docker's messages name its endpoint). */
export interface PublishOwner {
  /** Container ID (the key of `unpublish`). */
  id: string;
  /** Container name. */
  name: string;
  /** Endpoint ID on the network the target address is on. */
  endpointId: string;
}

/** One port to publish. */
export interface PortBindingSpec {
  /** `tcp` or `udp`. */
  protocol: 'tcp' | 'udp';
  /** Host address; absent or empty: every address (`0.0.0.0` and `::`). */
  hostIp?: string;
  /** Host port; absent or 0: one from the local port range. */
  hostPort?: number;
  /** With `hostPort`, the last port of a range to take the first free one of. */
  hostPortEnd?: number;
  /** The container's address. */
  targetIp: string;
  /** The container's port. */
  targetPort: number;
}

/** A host listener opened for a binding (two for one binding without host address). */
export interface PublishedPort {
  /** `tcp` or `udp`. */
  protocol: 'tcp' | 'udp';
  /** The address it listens on (`0.0.0.0`, `::`, or the one given). */
  hostIp: string;
  /** The port it listens on. */
  hostPort: number;
  /** Where it forwards. */
  targetIp: string;
  /** The port it forwards to. */
  targetPort: number;
}

/** Options of {@link PortProxy}. */
export interface PortProxyOptions {
  /** Where `-P` ports come from (default: /proc/sys/net/ipv4/ip_local_port_range). */
  portRange?: [number, number];
  /** Idle time after which a UDP flow is closed (default 90 s, docker-proxy's). */
  udpIdleMs?: number;
  /** UDP flows per listener at most (default 1024). */
  udpMaxFlows?: number;
}

interface Opened {
  port: PublishedPort;
  close(): Promise<void>;
}

/** Reads the host's ephemeral port range (Linux's default when it cannot be read). */
export async function localPortRange(path = '/proc/sys/net/ipv4/ip_local_port_range'): Promise<[number, number]> {
  const [low, high] = (await readFile(path, 'utf8').catch(() => '')).trim().split(/\s+/).map(Number);
  return low !== undefined && high !== undefined && low > 0 && low <= high && high <= 65535 ? [low, high] : [32768, 60999];
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** Errors of a bind that say the address family or address is not there (no IPv6 here). */
const NO_ADDRESS = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL']);

/** The userland port proxy. */
export class PortProxy implements AsyncDisposable {
  readonly #options: PortProxyOptions;
  readonly #byOwner = new Map<string, Opened[]>();
  readonly #cursor = new Map<string, number>();
  #range: Promise<[number, number]> | undefined;
  #closed = false;

  constructor(options: PortProxyOptions = {}) {
    this.#options = options;
  }

  /** What is published for `ownerId` (everything without it). */
  published(ownerId?: string): PublishedPort[] {
    const lists = ownerId === undefined ? [...this.#byOwner.values()] : [this.#byOwner.get(ownerId) ?? []];
    return lists.flat().map((o) => ({ ...o.port }));
  }

  /**
   * Publishes `bindings` for `owner`, all or none; resolves the listeners opened, in binding
   * order (`0.0.0.0` before `::`). Publishing again for an owner adds to what it has.
   *
   * @throws ConflictError when a port is taken (by this proxy or anything else on the host)
   * @throws InvalidArgumentError when a host address cannot be bound (not on this host)
   */
  async publish(owner: PublishOwner, bindings: readonly PortBindingSpec[], signal?: AbortSignal): Promise<PublishedPort[]> {
    throwIfAborted(signal);
    if (this.#closed) throw new InvalidArgumentError('the port proxy is closed');
    const opened: Opened[] = [];
    // Listed at once, so that a second publish running meanwhile sees these ports as ours.
    const list = this.#byOwner.get(owner.id) ?? [];
    this.#byOwner.set(owner.id, list);
    try {
      for (const binding of bindings) {
        throwIfAborted(signal);
        for (const o of await this.#openBinding(owner, binding)) {
          opened.push(o);
          list.push(o);
        }
      }
    } catch (error) {
      await Promise.all(opened.map((o) => o.close()));
      const kept = list.filter((o) => !opened.includes(o));
      if (kept.length > 0) this.#byOwner.set(owner.id, kept);
      else this.#byOwner.delete(owner.id);
      throw error;
    }
    return opened.map((o) => ({ ...o.port }));
  }

  /** Closes everything published for `ownerId` (its connections reset). Idempotent. */
  async unpublish(ownerId: string): Promise<void> {
    const list = this.#byOwner.get(ownerId);
    this.#byOwner.delete(ownerId);
    await Promise.all((list ?? []).map((o) => o.close()));
  }

  /** Closes every listener; later publishes fail. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#byOwner.keys()].map((id) => this.unpublish(id)));
  }

  /** Same as {@link close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // True when this proxy already holds `port` on an address overlapping `ip`.
  #heldHere(protocol: string, ip: string, port: number): boolean {
    for (const list of this.#byOwner.values()) {
      for (const { port: p } of list) {
        if (p.protocol === protocol && p.hostPort === port && (p.hostIp === ip || WILDCARDS.has(p.hostIp) || WILDCARDS.has(ip))) return true;
      }
    }
    return false;
  }

  async #openBinding(owner: PublishOwner, b: PortBindingSpec): Promise<Opened[]> {
    const addresses = b.hostIp ? [b.hostIp] : ['0.0.0.0', '::'];
    const prefix = `driver failed programming external connectivity on endpoint ${owner.name} (${owner.endpointId})`;
    const first = addresses[0] as string;
    const details = { container: owner.id, protocol: b.protocol, hostIp: first };
    if (b.hostPort && !(b.hostPortEnd && b.hostPortEnd > b.hostPort)) {
      // An exact port: taken means ConflictError, in the words of whoever holds it.
      if (this.#heldHere(b.protocol, first, b.hostPort)) {
        throw new ConflictError(`${prefix}: Bind for ${first}:${b.hostPort} failed: port is already allocated`, { details: { ...details, hostPort: b.hostPort } });
      }
      const result = await this.#openOnAll(b, addresses, b.hostPort);
      if (result.ok) return result.opened;
      throw this.#bindError(prefix, b, result.address, b.hostPort, result);
    }
    const [low, high] = b.hostPort ? [b.hostPort, b.hostPortEnd as number] : await (this.#range ??= this.#options.portRange ? Promise.resolve(this.#options.portRange) : localPortRange());
    const key = `${b.protocol}|${b.hostPort ?? 0}`;
    // A range starts at its first port; `-P` moves on from the last port it gave (Docker's).
    let port = b.hostPort ? high : (this.#cursor.get(key) ?? high);
    for (let tries = 0; tries <= high - low; tries++) {
      port = port >= high || port < low ? low : port + 1;
      if (this.#heldHere(b.protocol, first, port)) continue;
      if (!b.hostPort) this.#cursor.set(key, port);
      const result = await this.#openOnAll(b, addresses, port);
      if (result.ok) return result.opened;
      if (!result.inUse) throw this.#bindError(prefix, b, result.address, port, result);
    }
    const what = b.hostPort ? `Bind for ${first}:${low}-${high} failed: port is already allocated` : 'all ports are allocated';
    throw new ConflictError(`${prefix}: ${what}`, { details: { ...details, range: [low, high] } });
  }

  /** Opens `port` on each address (all or none); `::` is skipped where the host has no IPv6. */
  async #openOnAll(
    b: PortBindingSpec,
    addresses: readonly string[],
    port: number,
  ): Promise<{ ok: true; opened: Opened[] } | { ok: false; inUse: boolean; error: NodeJS.ErrnoException; address: string }> {
    const opened: Opened[] = [];
    for (const address of addresses) {
      const result = await this.#listen(b, address, port);
      if (result.ok) {
        opened.push({ port: { protocol: b.protocol, hostIp: address, hostPort: port, targetIp: b.targetIp, targetPort: b.targetPort }, close: () => result.listener.close() });
        continue;
      }
      if (!b.hostIp && address === '::' && NO_ADDRESS.has(result.error.code ?? '')) continue;
      await Promise.all(opened.map((o) => o.close()));
      return { ...result, address };
    }
    return { ok: true, opened };
  }

  #listen(b: PortBindingSpec, address: string, port: number): Promise<ListenResult<{ close(): Promise<void> }>> {
    if (b.protocol === 'udp') {
      return listenUdp(address, port, b.targetIp, b.targetPort, { idleMs: this.#options.udpIdleMs ?? 90_000, maxFlows: this.#options.udpMaxFlows ?? 1024 });
    }
    return listenTcp(address, port, b.targetIp, b.targetPort);
  }

  /** Docker's message for a failed bind: docker-proxy's `listen tcp4 IP:PORT: bind: ...`. */
  #bindError(prefix: string, b: PortBindingSpec, address: string, port: number, result: { inUse: boolean; error: NodeJS.ErrnoException }): Error {
    const family = address.includes(':') ? '6' : '4';
    const where = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
    const reason = result.inUse ? 'address already in use' : result.error.code === 'EADDRNOTAVAIL' ? 'cannot assign requested address' : result.error.message;
    const message = `${prefix}: Error starting userland proxy: listen ${b.protocol}${family} ${where}: bind: ${reason}`;
    const options = { details: { protocol: b.protocol, hostIp: address, hostPort: port }, cause: result.error };
    return result.inUse ? new ConflictError(message, options) : new InvalidArgumentError(message, options);
  }
}
