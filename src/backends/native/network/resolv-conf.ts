/**
 * The `/etc/resolv.conf` Docker gives a container on a bridge network: the host's file with
 * its loopback nameservers removed (they mean the container itself there) and, unless IPv6 is
 * on, its IPv6 nameservers too; when no nameserver is left, Google's public resolvers as
 * Docker's fallback. Nothing here contacts any of them: this only writes a file.
 *
 * A host whose only nameserver is systemd-resolved's stub (127.0.0.53) is read through
 * /run/systemd/resolve/resolv.conf instead, the file listing the real upstream servers, as
 * Docker does.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';

/** Go's `\s` (RE2): what Docker's patterns treat as blank. */
const S = '[\\t\\n\\f\\r ]';
const IPV4_BLOCK = '(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)';
const IPV4 = `(${IPV4_BLOCK}\\.){3}${IPV4_BLOCK}`;
// A superset of IPv6, as Docker's own pattern is.
const IPV6 = '([0-9A-Fa-f]{0,4}:){2,7}([0-9A-Fa-f]{0,4})(%\\w+)?';
const LOCALHOST = '((127\\.([0-9]{1,3}\\.){2}[0-9]{1,3})|(::1)$)';

// A matching line goes together with its line break(s), so no blank line stays behind.
const localhostNameserver = new RegExp(`^nameserver${S}+${LOCALHOST}${S}*\\n*`, 'gm');
const ipv6Nameserver = new RegExp(`^nameserver${S}+${IPV6}${S}*\\n*`, 'gm');
const anyNameserver = new RegExp(`^${S}*nameserver${S}*((${IPV4})|(${IPV6}))${S}*$`);

/** Docker's fallback resolvers (Google Public DNS). */
export const FALLBACK_NAMESERVERS = { ipv4: ['8.8.8.8', '8.8.4.4'], ipv6: ['2001:4860:4860::8888', '2001:4860:4860::8844'] } as const;

/** The nameservers a resolv.conf lists (comments stripped). */
export function nameservers(content: string): string[] {
  const out: string[] = [];
  for (const raw of content.split('\n')) {
    const hash = raw.indexOf('#');
    const line = hash < 0 ? raw : raw.slice(0, hash);
    const m = anyNameserver.exec(line);
    if (m?.[1] !== undefined) out.push(m[1]);
  }
  return out;
}

/**
 * A container's resolv.conf from the host's.
 *
 * @example
 * ```ts
 * containerResolvConf('nameserver 127.0.0.1\nsearch lan\n');
 * // 'search lan\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4'
 * ```
 */
export function containerResolvConf(hostContent: string, options: { ipv6?: boolean } = {}): string {
  let cleaned = hostContent.replace(localhostNameserver, '');
  if (!options.ipv6) cleaned = cleaned.replace(ipv6Nameserver, '');
  if (nameservers(cleaned).length === 0) {
    const fallback = [...FALLBACK_NAMESERVERS.ipv4, ...(options.ipv6 ? FALLBACK_NAMESERVERS.ipv6 : [])];
    // Docker appends exactly this: a line break, then the lines, with no final line break.
    cleaned += `\n${fallback.map((ns) => `nameserver ${ns}`).join('\n')}`;
  }
  return cleaned;
}

/** The stub of systemd-resolved, and the file with the servers behind it. */
const RESOLVED_STUB = '127.0.0.53';
const RESOLVED_UPSTREAM = '/run/systemd/resolve/resolv.conf';

/**
 * Reads the host's resolv.conf (default `/etc/resolv.conf`; systemd-resolved's upstream file
 * when the stub is the only nameserver). A missing file reads as empty, which then yields the
 * fallback servers, as Docker does.
 */
export async function readHostResolvConf(path = '/etc/resolv.conf'): Promise<string> {
  const content = await readFile(path, 'utf8').catch(() => '');
  const servers = nameservers(content);
  if (servers.length === 1 && servers[0] === RESOLVED_STUB) {
    const upstream = await readFile(RESOLVED_UPSTREAM, 'utf8').catch(() => undefined);
    if (upstream !== undefined) return upstream;
  }
  return content;
}
