/**
 * Name resolution inside a container, with Docker's rules: the container's `/etc/hosts`
 * (localhost, its own hostname, legacy links on the default bridge) first, then the embedded
 * DNS of each user network it is on (container names, network aliases, short IDs, and links
 * made on that network). The default bridge has no embedded DNS, so there a plain container
 * name does not resolve: that is why links exist.
 *
 * @module
 */
import { formatHostsFile, hostnameAliases } from './hosts-file.js';
import type { HostsLinkEntry } from './hosts-file.js';
import { linkEnvironment } from './link-env.js';
import type { ContainerRecord, NetworkRecord } from './network-record.js';
import { parseNumericHost } from './numeric-host.js';
import type { NetworkRegistry } from './registry.js';

/** Where a name led: the address, and the container and network behind it when there is one. */
export interface Resolution {
  /** The address: IPv4 dotted quad, or an IPv6 literal (which no container holds). */
  ipAddress: string;
  /** 6 for an IPv6 address with no IPv4 meaning (containers have no IPv6); absent for IPv4. */
  family?: 6;
  /** The container that holds it (absent for loopback and unknown literals). */
  container?: ContainerRecord;
  /** The network it was found on. */
  network?: NetworkRecord;
}

const loopbackNames = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

/** The `/etc/hosts` link lines of a container: its legacy links on the default bridge. */
export function hostsLinks(registry: NetworkRegistry, record: ContainerRecord): HostsLinkEntry[] {
  const own = registry.endpointsOf(record.id);
  if (!own.some(({ network }) => network.isDefault)) return [];
  const entries: HostsLinkEntry[] = [];
  for (const link of record.links) {
    const target = link.targetId === undefined ? undefined : registry.container(link.targetId);
    if (!target) continue;
    const onBridge = registry.endpointsOf(target.id).find(({ network }) => network.isDefault);
    if (!onBridge) continue;
    entries.push({ ipAddress: onBridge.endpoint.ipAddress, alias: link.alias, hostname: target.hostname, name: target.name });
  }
  return entries;
}

/** The container's `/etc/hosts`. */
export function hostsFileOf(registry: NetworkRegistry, record: ContainerRecord): string {
  const primary = registry.endpointsOf(record.id)[0];
  return formatHostsFile({ ipAddress: primary?.endpoint.ipAddress, hostname: record.hostname }, hostsLinks(registry, record));
}

/** The legacy link variables of a container (links on the default bridge only, as Docker). */
export function linkEnvOf(registry: NetworkRegistry, record: ContainerRecord): string[] {
  const env: string[] = [];
  for (const entry of hostsLinks(registry, record)) {
    const link = record.links.find((l) => l.alias === entry.alias);
    const target = link?.targetId === undefined ? undefined : registry.container(link.targetId);
    if (!target) continue;
    env.push(...linkEnvironment({ parentName: record.name, alias: entry.alias, ipAddress: entry.ipAddress, exposedPorts: target.exposedPorts, env: target.env }));
  }
  return env;
}

/**
 * Resolves `name` as seen from inside `record`; undefined when it does not resolve there.
 * Names compare case-insensitively, as both /etc/hosts and DNS do.
 */
export function resolveFrom(registry: NetworkRegistry, record: ContainerRecord, name: string): Resolution | undefined {
  const wanted = name.toLowerCase().replace(/\.$/, '');
  if (loopbackNames.has(wanted)) return { ipAddress: '127.0.0.1', container: record };
  // Numbers first, as getaddrinfo does: `2130706433` and `::ffff:127.0.0.1` are 127.0.0.1.
  const numeric = parseNumericHost(wanted);
  if (numeric?.family === 6) return { ipAddress: numeric.address, family: 6 };
  if (numeric !== undefined) {
    const owner = registry.ownerOf(numeric.address);
    return owner ? { ipAddress: numeric.address, container: owner.container, network: owner.network } : { ipAddress: numeric.address };
  }
  const own = registry.endpointsOf(record.id);
  const primary = own[0];
  if (primary && hostnameAliases(record.hostname).some((h) => h.toLowerCase() === wanted)) {
    return { ipAddress: primary.endpoint.ipAddress, container: record, network: primary.network };
  }
  // /etc/hosts link lines: alias, hostname and name of each linked container.
  for (const entry of hostsLinks(registry, record)) {
    if ([entry.alias, entry.hostname, entry.name].some((n) => n.toLowerCase() === wanted)) {
      const owner = registry.ownerOf(entry.ipAddress);
      return { ipAddress: entry.ipAddress, container: owner?.container, network: owner?.network };
    }
  }
  // Embedded DNS, network by network in join order.
  for (const { network } of own) {
    if (network.isDefault) continue;
    for (const link of record.links) {
      if (link.alias.toLowerCase() !== wanted || link.targetId === undefined) continue;
      const endpoint = network.endpoints.get(link.targetId);
      if (endpoint) return { ipAddress: endpoint.ipAddress, container: registry.container(link.targetId), network };
    }
    for (const endpoint of network.endpoints.values()) {
      const container = registry.container(endpoint.containerId);
      if (!container) continue;
      const names = [container.name, ...endpoint.aliases];
      if (names.some((n) => n.toLowerCase() === wanted)) return { ipAddress: endpoint.ipAddress, container, network };
    }
  }
  return undefined;
}

/**
 * Whether `from` can open a connection to `target`'s address on `network`: always to itself,
 * otherwise only across a network both are on (Docker isolates bridge networks).
 */
export function canReach(from: ContainerRecord, target: ContainerRecord, network: NetworkRecord | undefined): boolean {
  if (from.id === target.id) return true;
  if (!network) return false;
  return network.endpoints.has(from.id) && network.endpoints.has(target.id);
}
