// Two namespaces on our networks, through the real kernel: ping by address and by the names in
// the generated hosts file; the default network's legacy links; an internal network without a
// way out. Needs root and the CNI plugins; skipped visibly otherwise.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatHostsFile } from '../../../src/backends/native/network/index.js';
import { busyboxWithHosts, cleanupAfterEach, inNetns, kernelTestsRun, newId, uniqueSubnet, type TestRoot } from './helpers.js';

const runs = await kernelTestsRun();

describe.skipIf(!runs)('native networks: connectivity', () => {
  const { fresh } = cleanupAfterEach();

  async function sandbox(t: TestRoot, hostname: string, links: Array<{ name: string; alias: string }> = []) {
    const id = newId();
    const dir = join(t.runRoot, 'files', id);
    await mkdir(dir, { recursive: true });
    const hostsPath = join(dir, 'hosts');
    const resolvConfPath = join(dir, 'resolv.conf');
    const { netnsPath } = await t.nets.createSandbox(id, { hostname, links, hostsPath, resolvConfPath });
    return { id, netnsPath, hostsPath, resolvConfPath };
  }

  it('two namespaces on a user network ping each other by address and by name', async () => {
    const t = await fresh();
    const net = await t.nets.create({ name: 'app', subnet: await uniqueSubnet(), labels: { team: 'x' } });
    const a = await sandbox(t, 'host-a');
    const b = await sandbox(t, 'host-b');
    const epA = await t.nets.connect(a.id, 'app', { name: 'web', aliases: ['frontend'] });
    const epB = await t.nets.connect(b.id, net.id.slice(0, 12), { name: 'db' });
    expect(epA.interfaceName).toBe('eth0');
    expect(epA.gateway).toBe(net.gateway);
    expect(epA.macAddress).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);

    const byIp = await inNetns(a.netnsPath, ['/usr/bin/busybox', 'ping', '-c', '1', '-W', '5', epB.ipAddress]);
    expect(byIp.code, byIp.stderr).toBe(0);

    // The hosts files list the other member with its aliases, and the container itself last.
    const hostsA = await readFile(a.hostsPath, 'utf8');
    expect(hostsA).toBe(await t.nets.hostsFile(a.id));
    expect(hostsA.split('\n')).toContain(`${epB.ipAddress}\tdb`);
    expect(hostsA.trimEnd().split('\n').at(-1)).toBe(`${epA.ipAddress}\thost-a`);
    const hostsB = await readFile(b.hostsPath, 'utf8');
    expect(hostsB.split('\n')).toContain(`${epA.ipAddress}\tweb frontend`);

    const byName = await busyboxWithHosts(b.netnsPath, b.hostsPath, ['ping', '-c', '1', '-W', '5', 'frontend']);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toContain(epA.ipAddress);

    // Inspect lists both members; resolv.conf was written.
    const info = await t.nets.inspect('app');
    expect(info.containers[a.id]).toEqual({ name: 'web', ipAddress: epA.ipAddress, aliases: ['frontend'] });
    expect(info.labels).toEqual({ team: 'x' });
    expect(await readFile(a.resolvConfPath, 'utf8')).toBe(await t.nets.resolvConf());
    await t.nets.check(a.id);

    // Disconnect rewrites the other's hosts file in place.
    await t.nets.disconnect(a.id, 'app');
    expect(await readFile(b.hostsPath, 'utf8')).not.toContain('web');
    expect(Object.keys((await t.nets.inspect('app')).containers)).toEqual([b.id]);
  });

  it('legacy links on the default network reach the hosts file as Docker writes them', async () => {
    const t = await fresh();
    await t.nets.ensureDefault();
    const web = await sandbox(t, 'webhost');
    const epWeb = await t.nets.connect(web.id, 'bridge', { name: 'web1' });
    const client = await sandbox(t, 'my.client.example', [{ name: 'web1', alias: 'web' }]);
    const epClient = await t.nets.connect(client.id, 'bridge', { name: 'client' });
    const lines = (await readFile(client.hostsPath, 'utf8')).trimEnd().split('\n');
    // The loopback block (pinned against Docker's text in contents.test.ts), then links, then own.
    expect(lines.slice(0, 6)).toEqual(formatHostsFile([]).trimEnd().split('\n'));
    expect(lines.slice(6)).toEqual([`${epWeb.ipAddress}\tweb webhost web1`, `${epClient.ipAddress}\tmy.client.example my`]);
    // Members of the default network do not see each other by name (only links).
    expect(await readFile(web.hostsPath, 'utf8')).not.toContain('client');
    const ping = await busyboxWithHosts(client.netnsPath, client.hostsPath, ['ping', '-c', '1', '-W', '5', 'web']);
    expect(ping.code, ping.stderr).toBe(0);
    // Aliases are for user networks only, as in Docker.
    const other = await sandbox(t, 'other');
    await expect(t.nets.connect(other.id, 'bridge', { name: 'o', aliases: ['x'] })).rejects.toThrow(/only supported for user-defined networks/);
  });

  it('an internal network has no route out, and networks are isolated from each other', async () => {
    const t = await fresh();
    await t.nets.create({ name: 'inner', subnet: await uniqueSubnet(), internal: true });
    await t.nets.create({ name: 'outer', subnet: await uniqueSubnet() });
    await t.nets.create({ name: 'outer2', subnet: await uniqueSubnet() });
    const a = await sandbox(t, 'a');
    const b = await sandbox(t, 'b');
    const c = await sandbox(t, 'c');
    const d = await sandbox(t, 'd');
    await t.nets.connect(a.id, 'inner', { name: 'a' });
    const epB = await t.nets.connect(b.id, 'inner', { name: 'b' });
    const epC = await t.nets.connect(c.id, 'outer', { name: 'c' });
    const epD = await t.nets.connect(d.id, 'outer2', { name: 'd' });
    const routes = await inNetns(a.netnsPath, ['ip', 'route']);
    expect(routes.stdout).not.toMatch(/default/);
    expect((await inNetns(c.netnsPath, ['ip', 'route'])).stdout).toMatch(/^default via /m);
    // Inside the network: fine. Out of it (to our own other namespace): no route at all.
    expect((await inNetns(a.netnsPath, ['/usr/bin/busybox', 'ping', '-c', '1', '-W', '5', epB.ipAddress])).code).toBe(0);
    const out = await inNetns(a.netnsPath, ['/usr/bin/busybox', 'ping', '-c', '1', '-W', '1', epC.ipAddress]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/unreachable/i);
    // Between two ordinary networks both sides have a default route through the host; only
    // the isolation rules of our chain stand between them, as Docker isolates its networks.
    const isolated = await inNetns(c.netnsPath, ['/usr/bin/busybox', 'ping', '-c', '1', '-W', '1', epD.ipAddress]);
    expect(isolated.code).not.toBe(0);
    expect(isolated.stdout).toMatch(/100% packet loss/);
    // While each still reaches its own gateway (the host).
    expect((await inNetns(c.netnsPath, ['/usr/bin/busybox', 'ping', '-c', '1', '-W', '5', epC.gateway])).code).toBe(0);
  });
});
