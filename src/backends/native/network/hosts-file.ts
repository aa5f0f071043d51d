/**
 * A container's `/etc/hosts`, laid out as Docker's libnetwork writes it: the fixed loopback
 * block, then the extra entries (legacy links as `IP alias hostname name`; on user networks,
 * every other member as `IP name aliases...`, which is how containers find each other by
 * name here, there being no embedded DNS server), then the container's own address and
 * hostname last.
 *
 * Which entries a container gets is decided from the records in {@link hostsEntriesFor};
 * {@link formatHostsFile} only lays them out.
 *
 * @module
 */
import type { NetworkRecord, SandboxRecord } from './records.js';

/** One line of a hosts file. */
export interface HostsEntry {
  /** Address. */
  ip: string;
  /** Names, first the canonical one. */
  names: string[];
}

// libnetwork's fixed preamble, tab separated.
const LOOPBACK = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** The names a hostname is written under: `a.b.c` also as `a` (so both resolve). */
export function ownNames(hostname: string): string[] {
  const dot = hostname.indexOf('.');
  return dot > 0 ? [hostname, hostname.slice(0, dot)] : [hostname];
}

/**
 * Lays out a hosts file.
 *
 * @example
 * ```ts
 * formatHostsFile([{ ip: '10.199.0.2', names: ['web', '4a7eebd8c71e', 'web1'] }],
 *   { ip: '10.199.0.3', hostname: 'cdeeec94aeb4' });
 * // ...loopback lines...
 * // 10.199.0.2\tweb 4a7eebd8c71e web1
 * // 10.199.0.3\tcdeeec94aeb4
 * ```
 */
export function formatHostsFile(entries: readonly HostsEntry[], own?: { ip: string; hostname: string }): string {
  const lines = [...LOOPBACK];
  const seen = new Set<string>();
  for (const entry of entries) {
    const line = `${entry.ip}\t${entry.names.join(' ')}`;
    if (!seen.has(line)) lines.push(line);
    seen.add(line);
  }
  if (own) lines.push(`${own.ip}\t${ownNames(own.hostname).join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/** A container's attached memberships, primary (lowest interface number) first. */
export function attachmentsOf(containerId: string, networks: readonly NetworkRecord[]): Array<{ network: NetworkRecord; ip: string }> {
  const out: Array<{ network: NetworkRecord; ip: string; order: number }> = [];
  for (const network of networks) {
    const member = network.members[containerId];
    if (member?.state !== 'attached' || member.ipAddress === undefined) continue;
    out.push({ network, ip: member.ipAddress, order: Number(/\d+$/.exec(member.interfaceName)?.[0] ?? 0) });
  }
  return out.sort((a, b) => a.order - b.order).map(({ network, ip }) => ({ network, ip }));
}

/**
 * The hosts file of `sandbox`'s container from the current records: links resolved against
 * the networks it shares with the linked container (the default one first), members of its
 * user networks, its own primary address.
 */
export function hostsFileFor(sandbox: SandboxRecord, networks: readonly NetworkRecord[], sandboxes: ReadonlyMap<string, SandboxRecord>): string {
  const mine = attachmentsOf(sandbox.id, networks);
  const entries: HostsEntry[] = [];
  for (const link of sandbox.links) {
    for (const { network } of [...mine].sort((a, b) => Number(b.network.isDefault) - Number(a.network.isDefault))) {
      const found = Object.entries(network.members).find(([, m]) => m.name === link.name && m.state === 'attached');
      if (!found) continue;
      const [targetId, target] = found;
      const names = [link.alias, sandboxes.get(targetId)?.hostname ?? targetId.slice(0, 12)];
      if (target.name !== link.alias) names.push(target.name);
      entries.push({ ip: target.ipAddress ?? '', names });
      break;
    }
  }
  for (const { network } of mine) {
    if (network.isDefault) continue;
    for (const [id, member] of Object.entries(network.members)) {
      if (id === sandbox.id || member.state !== 'attached' || member.ipAddress === undefined) continue;
      entries.push({ ip: member.ipAddress, names: [member.name, ...member.aliases.filter((a) => a !== member.name)] });
    }
  }
  const primary = mine[0];
  return formatHostsFile(entries, primary ? { ip: primary.ip, hostname: sandbox.hostname } : undefined);
}
