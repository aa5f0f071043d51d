// The pure parts of the network half: subnets, firewall rule text, names of kernel objects,
// resolv.conf and /etc/hosts contents as Docker writes them, and the lock. Runs anywhere.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { containerResolvConf, createRootLock, formatHostsFile, readHostResolvConf } from '../../../src/backends/native/network/index.js';
import { firewallRules } from '../../../src/backends/native/network/firewall.js';
import { hostsFileFor } from '../../../src/backends/native/network/hosts-file.js';
import { NetworkPaths, type MemberRecord, type NetworkRecord, type SandboxRecord } from '../../../src/backends/native/network/records.js';
import { formatSubnet, freeSubnets, gatewayOf, parseRange, parseSubnet } from '../../../src/backends/native/network/subnets.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('subnets', () => {
  it('parses what Docker accepts and says why it refuses the rest', () => {
    expect(formatSubnet(parseSubnet('10.64.3.0/24'))).toBe('10.64.3.0/24');
    expect(gatewayOf(parseSubnet('10.64.0.0/16'))).toBe('10.64.0.1');
    expect(() => parseSubnet('10.64.3.1/24')).toThrow('invalid subnet 10.64.3.1/24: it should be 10.64.3.0/24');
    expect(() => parseSubnet('10.64.3.0/31')).toThrow(InvalidArgumentError);
    expect(() => parseSubnet('10.64.300.0/24')).toThrow(/IPv4 CIDR/);
    expect(parseRange('192.0.2.7/32')).toEqual({ base: (192 << 24 >>> 0) + (2 << 8) + 7, prefix: 32 });
  });

  it('hands out the lowest free subnets of a pool', () => {
    const pool = parseSubnet('10.64.0.0/24');
    const taken = [parseSubnet('10.64.0.64/26'), parseRange('10.64.0.130/32')!];
    expect([...freeSubnets(pool, 26, taken)].map(formatSubnet)).toEqual(['10.64.0.0/26', '10.64.0.192/26']);
  });
});

describe('kernel object names', () => {
  it('fit Linux limits and differ between roots', () => {
    const a = new NetworkPaths('/tmp/a', '/run/a');
    const b = new NetworkPaths('/tmp/b', '/run/b');
    const id = 'f'.repeat(64);
    expect(a.bridgeOf(id)).toMatch(/^stw-[0-9a-f]{11}$/);
    expect(a.bridgeOf(id)).not.toBe(b.bridgeOf(id));
    expect(a.bridgeMacOf(id)).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(a.tag).not.toBe(b.tag);
  });

  it('firewall rules: a network reaches itself and out, not other Stowage networks; internal reaches only itself', () => {
    const text = firewallRules('abc', [
      { bridge: 'stw-1', subnet: '10.64.1.0/24', internal: false },
      { bridge: 'stw-2', subnet: '10.64.2.0/24', internal: true },
    ]);
    expect(text).toBe([
      '*filter',
      ':STW-FWD-abc - [0:0]',
      '-A STW-FWD-abc -i stw-1 -o stw-1 -j ACCEPT',
      '-A STW-FWD-abc -i stw-1 -o stw-+ -j DROP',
      '-A STW-FWD-abc -i stw-1 -j ACCEPT',
      '-A STW-FWD-abc -o stw-1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A STW-FWD-abc -i stw-2 -o stw-2 -j ACCEPT',
      '-A STW-FWD-abc -i stw-2 -j DROP',
      '-A STW-FWD-abc -o stw-2 -j DROP',
      'COMMIT',
      '*nat',
      ':STW-NAT-abc - [0:0]',
      '-A STW-NAT-abc -s 10.64.1.0/24 ! -o stw-1 -j MASQUERADE',
      'COMMIT',
      '',
    ].join('\n'));
  });
});

describe('resolv.conf as Docker builds it for a bridge network', () => {
  it('drops loopback nameservers with their line, and IPv6 ones unless IPv6 is on', () => {
    const host = '# generated\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver fd00::1\nsearch lan\noptions ndots:2\n';
    expect(containerResolvConf(host)).toBe('# generated\nnameserver 10.0.0.2\nsearch lan\noptions ndots:2\n');
    expect(containerResolvConf(host, { ipv6: true })).toBe('# generated\nnameserver 10.0.0.2\nnameserver fd00::1\nsearch lan\noptions ndots:2\n');
  });

  it('falls back to Google DNS exactly as Docker appends it, when no nameserver is left', () => {
    expect(containerResolvConf('nameserver 127.0.0.1\nsearch lan\n')).toBe('search lan\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4');
    expect(containerResolvConf('')).toBe('\nnameserver 8.8.8.8\nnameserver 8.8.4.4');
    expect(containerResolvConf('nameserver ::1\n', { ipv6: true })).toBe(
      '\nnameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844',
    );
    // A commented-out server is no server.
    expect(containerResolvConf('# nameserver 10.0.0.2\n')).toBe('# nameserver 10.0.0.2\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4');
  });

  it('reads the host file it is given (missing: empty, hence the fallback)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stw-resolv-'));
    dirs.push(dir);
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 10.1.1.1\n');
    expect(await readHostResolvConf(join(dir, 'resolv.conf'))).toBe('nameserver 10.1.1.1\n');
    expect(containerResolvConf(await readHostResolvConf(join(dir, 'missing')))).toBe('\nnameserver 8.8.8.8\nnameserver 8.8.4.4');
  });
});

describe('/etc/hosts', () => {
  const member = (name: string, ip: string, iface = 'eth0', aliases: string[] = []): MemberRecord => ({
    name,
    aliases,
    endpointId: '0'.repeat(64),
    interfaceName: iface,
    state: 'attached',
    ipAddress: ip,
    prefixLength: 24,
  });
  const network = (name: string, isDefault: boolean, members: Record<string, MemberRecord>): NetworkRecord => ({
    id: name.padEnd(64, '0').replace(/[^0-9a-f]/g, 'a'),
    name,
    isDefault,
    subnet: '10.64.0.0/24',
    gateway: '10.64.0.1',
    internal: false,
    labels: {},
    bridge: 'stw-x',
    created: new Date(0).toISOString(),
    members,
  });

  it('lays out the loopback block, the extra entries, then the own line', () => {
    expect(formatHostsFile([{ ip: '10.64.0.2', names: ['web', 'abc', 'web1'] }], { ip: '10.64.0.3', hostname: 'a.example.com' })).toBe(
      '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n' +
        'ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n10.64.0.2\tweb abc web1\n10.64.0.3\ta.example.com a\n',
    );
  });

  it('resolves links on the default network first, lists user-network members, own address from eth0', () => {
    const me: SandboxRecord = { id: 'me', hostname: 'myhost', links: [{ name: 'db1', alias: 'db' }, { name: 'gone', alias: 'g' }] };
    const db: SandboxRecord = { id: 'db', hostname: 'dbhost', links: [] };
    const networks = [
      network('bridge', true, { me: member('me', '10.64.0.5', 'eth1'), db: member('db1', '10.64.0.6'), other: member('other', '10.64.0.7') }),
      network('app', false, { me: member('me', '10.65.0.5', 'eth0'), db: member('db1', '10.65.0.6', 'eth0', ['database']) }),
    ];
    const lines = hostsFileFor(me, networks, new Map([['me', me], ['db', db]])).trimEnd().split('\n').slice(6);
    expect(lines).toEqual(['10.64.0.6\tdb dbhost db1', '10.65.0.6\tdb1 database', '10.65.0.5\tmyhost']);
  });
});

describe('createRootLock', () => {
  it('lets one holder at a time in, across separate lock instances on one directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stw-lock-'));
    dirs.push(dir);
    const locks = [createRootLock(dir), createRootLock(dir)];
    let inside = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => (locks[i % 2] as ReturnType<typeof createRootLock>)(async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((resolve) => setImmediate(resolve));
      inside--;
    })));
    expect(most).toBe(1);
    // A failing holder releases the lock.
    await expect(locks[0]!(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await locks[1]!(async () => 'next')).toBe('next');
  });
});
