/**
 * The `/etc/hosts` an emulated container sees, in the layout Docker's libnetwork writes:
 * the loopback block, one line per legacy link, then the container's own address.
 *
 * @module
 */

/** A legacy link as it appears in `/etc/hosts`. */
export interface HostsLinkEntry {
  /** The linked container's address on the default bridge. */
  ipAddress: string;
  /** The alias the link gives it here. */
  alias: string;
  /** The linked container's hostname. */
  hostname: string;
  /** The linked container's name (written only when it differs from the alias). */
  name: string;
}

// Docker's fixed preamble (libnetwork/etchosts defaultContent), tab separated.
const loopbackBlock = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/**
 * The names a hostname is written under: a fully qualified `my.host` is listed as
 * `my.host my`, so both the FQDN and the bare name resolve (as Docker's updateHostsFile does).
 */
export function hostnameAliases(hostname: string): string[] {
  const dot = hostname.indexOf('.');
  return dot > 0 ? [hostname, hostname.slice(0, dot)] : [hostname];
}

/**
 * Formats `/etc/hosts`.
 *
 * @example
 * ```ts
 * formatHostsFile({ ipAddress: '172.17.0.3', hostname: 'cdeeec94aeb4' },
 *   [{ ipAddress: '172.17.0.2', alias: 'web4', hostname: '4a7eebd8c71e', name: 'h9web4' }]);
 * // ...loopback lines...
 * // 172.17.0.2\tweb4 4a7eebd8c71e h9web4
 * // 172.17.0.3\tcdeeec94aeb4
 * ```
 */
export function formatHostsFile(own: { ipAddress?: string; hostname: string }, links: readonly HostsLinkEntry[]): string {
  const lines = [...loopbackBlock];
  for (const link of links) {
    const names = [link.alias, link.hostname];
    if (link.name !== link.alias) names.push(link.name);
    lines.push(`${link.ipAddress}\t${names.join(' ')}`);
  }
  // A container with no address (network mode none, or not started) gets no own line.
  if (own.ipAddress) lines.push(`${own.ipAddress}\t${hostnameAliases(own.hostname).join(' ')}`);
  return `${lines.join('\n')}\n`;
}
