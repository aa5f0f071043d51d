/**
 * The contents of the files the engine bind-mounts into a container: `/etc/hosts`,
 * `/etc/hostname`, `/etc/resolv.conf`.
 *
 * A stand-in with the function names of the network half (`hostsFile`, `resolvConf`): until a
 * container has a network of its own, its hosts file lists loopback and (when known) its own
 * address, and resolv.conf is the host's without loopback name servers (which mean nothing in
 * another network namespace), Docker's fallback (Google's public resolvers) when none remain.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';

/** Docker's fixed head of a container's /etc/hosts. */
const HOSTS_HEAD = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** /etc/hosts of a container: the fixed head, then its own address and extra entries. */
export function hostsFile(entries: { ip: string; names: string[] }[]): string {
  return `${[...HOSTS_HEAD, ...entries.map((e) => `${e.ip}\t${e.names.join(' ')}`)].join('\n')}\n`;
}

/** Docker's resolvers when the host has none a container can use. */
const FALLBACK_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

/** resolv.conf of a container, from the host's. */
export async function resolvConf(hostPath = '/etc/resolv.conf'): Promise<string> {
  const host = await readFile(hostPath, 'utf8').catch(() => '');
  const lines = host.split('\n').filter((line) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    return !m || !(/^127\./.test(m[1]!) || m[1] === '::1');
  });
  const kept = lines.join('\n').trim();
  const hasServer = /^\s*nameserver\s/m.test(kept);
  const servers = hasServer ? '' : FALLBACK_NAMESERVERS.map((s) => `nameserver ${s}`).join('\n');
  return `${[kept, servers].filter(Boolean).join('\n')}\n`;
}
