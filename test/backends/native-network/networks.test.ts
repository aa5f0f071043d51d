// Network records and their kernel objects: create/list/inspect/remove with Docker's errors,
// subnets from the pool or given, the bridge device and the firewall chains following the
// records, records that survive a second manager (another process) on the same root. Needs
// root and the CNI plugins; skipped visibly otherwise.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidArgumentError, NotFoundError, BackendUnavailableError } from '../../../src/core/errors.js';
import { createNativeNetworks } from '../../../src/backends/native/network/index.js';
import { listFirewall } from '../../../src/backends/native/network/firewall.js';
import { NetworkPaths } from '../../../src/backends/native/network/records.js';
import { cleanupAfterEach, host, kernelTestsRun, newId, uniqueSubnet } from './helpers.js';

const runs = await kernelTestsRun();

describe.skipIf(!runs)('native networks: records and kernel objects', () => {
  const { fresh } = cleanupAfterEach();

  it('creates the default network on its own bridge and subnet, never Docker\'s', async () => {
    const subnet = await uniqueSubnet();
    const t = await fresh({ defaultSubnet: subnet });
    const info = await t.nets.ensureDefault();
    expect(info).toMatchObject({ name: 'bridge', driver: 'bridge', subnet, internal: false, containers: {} });
    expect(info.id).toMatch(/^[0-9a-f]{64}$/);
    expect(info.gateway).toBe(subnet.replace(/0\/24$/, '1'));
    expect(info.bridge).toMatch(/^stw-[0-9a-f]{11}$/);
    expect(await t.nets.ensureDefault()).toEqual(info);
    const addr = JSON.parse(await host('ip', ['-j', 'addr', 'show', 'dev', info.bridge])) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
    expect(addr[0]?.addr_info).toContainEqual(expect.objectContaining({ local: info.gateway, prefixlen: 24 }));
    // Docker's subnet is refused as a default.
    const other = await fresh({ defaultSubnet: '172.17.0.0/16' });
    await expect(other.nets.ensureDefault()).rejects.toThrow(ConflictError);
    expect(await other.nets.list()).toEqual([]);
  });

  it('creates, finds and removes user networks with Docker\'s errors', async () => {
    const t = await fresh();
    await t.nets.ensureDefault();
    const a = await t.nets.create({ name: 'a' });
    const b = await t.nets.create({ name: 'b', internal: true, labels: { k: 'v' } });
    expect(a.subnet).not.toBe(b.subnet);
    expect(a.bridge).not.toBe(b.bridge);
    expect((await t.nets.list()).map((n) => n.name)).toEqual(['bridge', 'a', 'b']);
    expect((await t.nets.inspect(b.id.slice(0, 10))).name).toBe('b');
    await expect(t.nets.create({ name: 'a' })).rejects.toThrow('network with name a already exists');
    await expect(t.nets.create({ name: 'c', subnet: a.subnet })).rejects.toThrow('Pool overlaps with other one on this address space');
    await expect(t.nets.create({ name: 'd', subnet: '172.17.5.0/24' })).rejects.toThrow(ConflictError);
    await expect(t.nets.create({ name: 'e', subnet: '10.1.2.3/24' })).rejects.toThrow(InvalidArgumentError);
    await expect(t.nets.inspect('nope')).rejects.toThrow(NotFoundError);
    await expect(t.nets.remove('bridge')).rejects.toThrow('bridge is a pre-defined network and cannot be removed');

    // The firewall chains say what the records say.
    const rules = await listFirewall(new NetworkPaths(t.root, t.runRoot).tag);
    expect(rules).toContain(`-A STW-FWD-${new NetworkPaths(t.root, t.runRoot).tag} -i ${b.bridge} -j DROP`);
    expect(rules.some((r) => r.includes(`-s ${a.subnet}`) && r.includes('MASQUERADE'))).toBe(true);
    expect(rules.some((r) => r.includes(`-s ${b.subnet}`))).toBe(false);

    // A network with a member cannot go.
    const id = newId();
    await t.nets.createSandbox(id, { hostname: 'h' });
    await t.nets.connect(id, 'a', { name: 'm' });
    await expect(t.nets.remove('a')).rejects.toThrow(`error while removing network: network a id ${a.id} has active endpoints`);
    await expect(t.nets.connect(id, 'a', { name: 'm' })).rejects.toThrow('endpoint with name m already exists in network a');
    await expect(t.nets.disconnect(id, 'b')).rejects.toThrow(`container ${id} is not connected to network b`);
    await t.nets.destroySandbox(id);
    await t.nets.destroySandbox(id);
    await t.nets.remove('a');
    expect((await t.nets.list()).map((n) => n.name)).toEqual(['bridge', 'b']);
    expect(await host('ip', ['-br', 'link'])).not.toContain(a.bridge);
    expect((await listFirewall(new NetworkPaths(t.root, t.runRoot).tag)).some((r) => r.includes(a.bridge))).toBe(false);
  });

  it('user networks without a subnet take the next free one of the pool, skipping host routes', async () => {
    const pool = await uniqueSubnet(); // a /24 split into /26s by the test root
    const t = await fresh({ subnetPool: pool });
    const base = pool.replace(/\.0\/24$/, '');
    // Another root's network occupies the pool's first /26: its route is on the host now.
    const neighbour = await fresh();
    await neighbour.nets.create({ name: 'n', subnet: `${base}.0/26` });
    expect((await t.nets.create({ name: 'x' })).subnet).toBe(`${base}.64/26`);
    expect((await t.nets.create({ name: 'y' })).subnet).toBe(`${base}.128/26`);
    expect((await t.nets.create({ name: 'z' })).subnet).toBe(`${base}.192/26`);
    await expect(t.nets.create({ name: 'full' })).rejects.toThrow(/could not find an available, non-overlapping IPv4 address pool/);
  });

  it('a second manager on the same root sees the same networks; concurrent creates get one winner', async () => {
    const t = await fresh();
    const twin = createNativeNetworks({ root: t.root, runRoot: t.runRoot });
    await t.nets.create({ name: 'shared' });
    expect((await twin.inspect('shared')).id).toBe((await t.nets.inspect('shared')).id);
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => (i % 2 ? t.nets : twin).create({ name: 'race' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
  });

  it('a record that does not parse is BackendUnavailableError naming the file', async () => {
    const t = await fresh();
    const net = await t.nets.create({ name: 'broken' });
    const dir = join(t.root, 'network', 'networks');
    expect(await readdir(dir)).toEqual([`${net.id}.json`]);
    const file = join(dir, `${net.id}.json`);
    const good = await readFile(file, 'utf8');
    await writeFile(file, '{"id": 1}');
    await expect(t.nets.list()).rejects.toThrow(BackendUnavailableError);
    await writeFile(file, good);
  });
});
