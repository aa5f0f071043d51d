import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { formatHostsFile, linkEnvironment } from '../../../src/backends/emulator/network/index.js';
import { IpAllocator, cidrOverlaps, parseCidr } from '../../../src/backends/emulator/network/ipv4.js';
import { readLocalPortRange } from '../../../src/backends/emulator/network/host-ports.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('ipv4', () => {
  it('parses subnets and rejects host bits, like Docker', () => {
    expect(parseCidr('172.30.0.0/16')).toEqual({ base: (172 * 2 ** 24) + 30 * 65536, prefix: 16 });
    expect(() => parseCidr('172.30.0.1/16')).toThrow(InvalidArgumentError);
    expect(() => parseCidr('172.30.0.1/16')).toThrow(/it should be 172\.30\.0\.0\/16/);
    expect(() => parseCidr('300.1.1.0/24')).toThrow(InvalidArgumentError);
    expect(() => parseCidr('10.0.0.0/31')).toThrow(InvalidArgumentError);
  });

  it('detects overlapping pools', () => {
    expect(cidrOverlaps(parseCidr('172.17.0.0/16'), parseCidr('172.17.5.0/24'))).toBe(true);
    expect(cidrOverlaps(parseCidr('172.17.0.0/16'), parseCidr('172.18.0.0/16'))).toBe(false);
  });

  it('hands out the lowest free address after the gateway and reuses freed ones', () => {
    const ipam = new IpAllocator(parseCidr('10.9.0.0/29'));
    expect(ipam.gateway).toBe('10.9.0.1');
    const got = [ipam.allocate(), ipam.allocate(), ipam.allocate()];
    expect(got).toEqual(['10.9.0.2', '10.9.0.3', '10.9.0.4']);
    ipam.release('10.9.0.2');
    expect(ipam.allocate()).toBe('10.9.0.2');
    // .5 and .6 are left; .7 is the broadcast address.
    expect([ipam.allocate(), ipam.allocate(), ipam.allocate()]).toEqual(['10.9.0.5', '10.9.0.6', undefined]);
  });
});

describe('/etc/hosts', () => {
  it('matches what Docker writes for a linked container', () => {
    // Captured from Docker Engine: `docker run --link h9web4:web4 ... cat /etc/hosts`.
    const text = formatHostsFile({ ipAddress: '172.17.0.3', hostname: 'cdeeec94aeb4' }, [
      { ipAddress: '172.17.0.2', alias: 'web4', hostname: '4a7eebd8c71e', name: 'h9web4' },
    ]);
    expect(text).toBe([
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      'fe00::0\tip6-localnet',
      'ff00::0\tip6-mcastprefix',
      'ff02::1\tip6-allnodes',
      'ff02::2\tip6-allrouters',
      '172.17.0.2\tweb4 4a7eebd8c71e h9web4',
      '172.17.0.3\tcdeeec94aeb4',
      '',
    ].join('\n'));
  });

  it('writes the name once when the alias is the name, and FQDN hostnames twice', () => {
    const text = formatHostsFile({ ipAddress: '172.18.0.3', hostname: 'my.host' }, [
      { ipAddress: '172.17.0.2', alias: 'web4', hostname: 'abc', name: 'web4' },
    ]);
    expect(text).toContain('172.17.0.2\tweb4 abc\n');
    expect(text.endsWith('172.18.0.3\tmy.host my\n')).toBe(true);
  });
});

describe('link environment', () => {
  it('matches Docker for a container exposing 80-82/tcp and 90/udp', () => {
    const env = linkEnvironment({
      parentName: 'h9web1', alias: 'web4', ipAddress: '172.17.0.2',
      exposedPorts: ['82/tcp', '90/udp', '80/tcp', '81/tcp'], env: ['PATH=/bin', 'FOO=bar', 'HOME=/root'],
    });
    // The set Docker Engine produced for the same link (`env | sort` in the linking container).
    expect([...env].sort()).toEqual([
      'WEB4_ENV_FOO=bar',
      'WEB4_NAME=/h9web1/web4',
      'WEB4_PORT=tcp://172.17.0.2:80',
      'WEB4_PORT_80_TCP=tcp://172.17.0.2:80',
      'WEB4_PORT_80_TCP_ADDR=172.17.0.2',
      'WEB4_PORT_80_TCP_END=tcp://172.17.0.2:82',
      'WEB4_PORT_80_TCP_PORT=80',
      'WEB4_PORT_80_TCP_PORT_END=82',
      'WEB4_PORT_80_TCP_PORT_START=80',
      'WEB4_PORT_80_TCP_PROTO=tcp',
      'WEB4_PORT_80_TCP_START=tcp://172.17.0.2:80',
      'WEB4_PORT_81_TCP=tcp://172.17.0.2:81',
      'WEB4_PORT_81_TCP_ADDR=172.17.0.2',
      'WEB4_PORT_81_TCP_PORT=81',
      'WEB4_PORT_81_TCP_PROTO=tcp',
      'WEB4_PORT_82_TCP=tcp://172.17.0.2:82',
      'WEB4_PORT_82_TCP_ADDR=172.17.0.2',
      'WEB4_PORT_82_TCP_PORT=82',
      'WEB4_PORT_82_TCP_PROTO=tcp',
      'WEB4_PORT_90_UDP=udp://172.17.0.2:90',
      'WEB4_PORT_90_UDP_ADDR=172.17.0.2',
      'WEB4_PORT_90_UDP_PORT=90',
      'WEB4_PORT_90_UDP_PROTO=udp',
    ]);
    expect(env[0]).toBe('WEB4_PORT=tcp://172.17.0.2:80');
  });

  it('turns dashes into underscores and omits the port variables without exposed ports', () => {
    expect(linkEnvironment({ parentName: 'a', alias: 'my-db', ipAddress: '172.17.0.9', exposedPorts: [], env: [] }))
      .toEqual(['MY_DB_NAME=/a/my-db']);
  });
});

describe('local port range', () => {
  it('reads the kernel file and falls back when it is missing or garbled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stowage-net-'));
    try {
      const file = join(dir, 'range');
      await writeFile(file, '40000\t40100\n');
      expect(await readLocalPortRange(file)).toEqual([40000, 40100]);
      await writeFile(file, 'nonsense');
      expect(await readLocalPortRange(file)).toEqual([32768, 60999]);
      expect(await readLocalPortRange(join(dir, 'absent'))).toEqual([32768, 60999]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
