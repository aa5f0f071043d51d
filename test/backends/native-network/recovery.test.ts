// Recovery: a process SIGKILLed in the middle of a connect, a network removal cut short, temp
// files and reservations nobody explains; the next reconcile leaves no namespace, veth,
// reservation, bridge or rule behind, and keeps what is live. Needs root and the CNI plugins;
// skipped visibly otherwise.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listFirewall } from '../../../src/backends/native/network/firewall.js';
import { NetworkPaths } from '../../../src/backends/native/network/records.js';
import { mountCount } from '../../../src/backends/native/network/netns.js';
import { host, hostLinks, inNetns, cleanupAfterEach, kernelTestsRun, newId, until, uniqueSubnet } from './helpers.js';

const runs = await kernelTestsRun();
const child = fileURLToPath(new URL('./fixtures/connect-child.ts', import.meta.url));

async function files(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** Reservation files of host-local (named by address) under a root's ipam dir. */
async function reservations(root: string): Promise<string[]> {
  const ipam = join(root, 'network', 'ipam');
  const out: string[] = [];
  for (const net of await files(ipam)) for (const f of await files(join(ipam, net))) if (/^[0-9.]+$/.test(f)) out.push(`${net}/${f}`);
  return out;
}

async function bridgePorts(bridge: string): Promise<string[]> {
  return (JSON.parse(await host('ip', ['-j', 'link', 'show', 'master', bridge])) as Array<{ ifname: string }>).map((l) => l.ifname);
}

describe.skipIf(!runs)('native networks: recovery', () => {
  const { add, fresh } = cleanupAfterEach();

  /** A plugin directory whose bridge plugin does its ADD, then signals `marker` and hangs. */
  async function hangingPlugins(dir: string, marker: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    for (const p of ['host-local', 'loopback']) await symlink(`/usr/lib/cni/${p}`, join(dir, p));
    const script = [
      '#!/bin/sh',
      'out=$(/usr/lib/cni/bridge); rc=$?',
      `if [ "$CNI_COMMAND" = ADD ]; then : > '${marker}'; exec sleep 600; fi`,
      'printf "%s" "$out"; exit $rc',
    ].join('\n');
    await writeFile(join(dir, 'bridge'), `${script}\n`);
    await chmod(join(dir, 'bridge'), 0o755);
    return dir;
  }

  it('a process SIGKILLed mid-connect leaks no netns, veth or reservation after reconcile', async () => {
    const t = await fresh();
    const net = await t.nets.create({ name: 'crash', subnet: await uniqueSubnet() });
    const survivor = newId();
    const { netnsPath: survivorNs } = await t.nets.createSandbox(survivor, { hostname: 's' });
    const survivorEp = await t.nets.connect(survivor, 'crash', { name: 'survivor' });

    const victim = newId();
    const marker = join(t.runRoot, 'added');
    const plugins = await hangingPlugins(join(t.runRoot, 'cni'), marker);
    const proc = spawn(process.execPath, ['--import', 'tsx', child, t.root, t.runRoot, plugins, victim, 'crash'], { detached: true, stdio: 'ignore' });
    const exited = once(proc, 'exit');
    add(async () => {
      if (proc.exitCode === null && proc.signalCode === null) process.kill(-(proc.pid as number), 'SIGKILL');
    });
    await until(async () => (await files(t.runRoot)).includes('added'), 'the bridge plugin to finish its ADD', 30_000);
    // The plugin's work is done: a veth on the bridge, an address reserved, the member recorded
    // as attaching. Kill the whole process group (node and the plugin) now.
    process.kill(-(proc.pid as number), 'SIGKILL');
    await exited;
    expect(await bridgePorts(net.bridge)).toHaveLength(2);
    expect(await reservations(t.root)).toHaveLength(2);
    expect(await files(join(t.runRoot, 'netns'))).toContain(victim);

    const report = await t.nets.reconcile(new Set([survivor]));
    expect(report.containers).toEqual([victim]);
    expect(await files(join(t.runRoot, 'netns'))).toEqual([survivor]);
    expect(await bridgePorts(net.bridge)).toHaveLength(1);
    expect(await reservations(t.root)).toEqual([`${net.id}/${survivorEp.ipAddress}`]);
    expect(Object.keys((await t.nets.inspect('crash')).containers)).toEqual([survivor]);
    expect(await files(join(t.root, 'network', 'networks'))).toEqual([`${net.id}.json`]);
    // The survivor is untouched and still reachable.
    expect((await inNetns(survivorNs, ['/usr/bin/busybox', 'ping', '-c', '1', '-W', '5', survivorEp.gateway])).code).toBe(0);
    // The victim's address is free again: a new container can be connected.
    const next = newId();
    await t.nets.createSandbox(next, { hostname: 'n' });
    await t.nets.connect(next, 'crash', { name: 'next' });
  });

  it('a removal cut short, stray reservations and temp files are cleaned; records stay parseable', async () => {
    const t = await fresh();
    const paths = new NetworkPaths(t.root, t.runRoot);
    const keep = await t.nets.create({ name: 'keep' });
    const gone = await t.nets.create({ name: 'gone' });
    // `remove` deletes the record first; crash right after it.
    await rm(paths.network(gone.id));
    // A temp file of a writer that died, a reservation no record explains (host-local's file format).
    await writeFile(join(paths.networks, `.${keep.id}.json.tmp-999999-deadbeef`), '{"half":');
    await mkdir(join(paths.ipam, keep.id), { recursive: true });
    const stray = keep.subnet.replace(/0\/26$/, '9').replace(/0\/24$/, '9');
    await writeFile(join(paths.ipam, keep.id, stray), `${newId()}\r\neth0`);
    const straySandbox = newId();
    await mkdir(paths.netns, { recursive: true });
    await writeFile(paths.netnsOf(straySandbox), '');

    const report = await t.nets.reconcile(new Set());
    expect(report.bridges).toEqual([gone.bridge]);
    expect(report.addresses).toEqual([`keep/${stray}`]);
    expect(report.containers).toEqual([straySandbox]);
    expect(await hostLinks(gone.bridge)).toEqual([]);
    expect((await listFirewall(paths.tag)).some((r) => r.includes(gone.bridge))).toBe(false);
    expect((await listFirewall(paths.tag)).some((r) => r.includes(keep.bridge))).toBe(true);
    expect(await files(paths.networks)).toEqual([`${keep.id}.json`]);
    expect(await reservations(t.root)).toEqual([]);
    expect((await t.nets.list()).map((n) => n.name)).toEqual(['keep']);
    // A deleted bridge of a live record comes back (after a reboot, say).
    await host('ip', ['link', 'del', keep.bridge]);
    await t.nets.reconcile(new Set());
    expect(await hostLinks(keep.bridge)).toEqual([keep.bridge]);
  });

  it('purge leaves nothing of the root on the host', async () => {
    const t = await fresh();
    const paths = new NetworkPaths(t.root, t.runRoot);
    await t.nets.ensureDefault();
    const a = await t.nets.create({ name: 'a' });
    const ids = [newId(), newId()];
    for (const id of ids) {
      await t.nets.createSandbox(id, { hostname: id.slice(0, 12) });
      await t.nets.connect(id, 'a', { name: id.slice(0, 6) });
      await t.nets.connect(id, 'bridge', { name: `b${id.slice(0, 6)}` });
    }
    const bridges = (await t.nets.list()).map((n) => n.bridge);
    expect(await mountCount(paths.netns)).toBe(1);
    await t.nets.purge();
    for (const b of bridges) expect(await hostLinks(b)).toEqual([]);
    expect(await hostLinks(a.bridge)).toEqual([]);
    expect(await files(paths.netns)).toEqual([]);
    expect(await mountCount(paths.netns)).toBe(0);
    expect(await reservations(t.root)).toEqual([]);
    expect(await listFirewall(paths.tag)).toEqual([]);
    expect(await host('iptables', ['-S', 'FORWARD'])).not.toContain(paths.tag);
    expect(await host('iptables', ['-t', 'nat', '-S', 'POSTROUTING'])).not.toContain(paths.tag);
    // Nothing of ours was left in any other network namespace's view either (no veth remains).
    const veths = JSON.parse(await host('ip', ['-j', 'link', 'show', 'type', 'veth'])) as Array<{ master?: string }>;
    expect(veths.filter((v) => v.master && bridges.includes(v.master))).toEqual([]);
  });
});
