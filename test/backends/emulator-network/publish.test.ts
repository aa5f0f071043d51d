import { afterEach, describe, expect, it } from 'vitest';
import { networkInterfaces } from 'node:os';
import { ConflictError, InvalidArgumentError, UnsupportedError } from '../../../src/core/errors.js';
import { VirtualNetwork } from '../../../src/backends/emulator/network/index.js';
import type { VirtualSocket } from '../../../src/backends/emulator/network/index.js';
import type { Server } from 'node:net';
import { container, echo, holdPort, readAll, isFree, randomPortBlock, randomPorts, release, tcpRoundTrip } from './helpers.js';

const nets: VirtualNetwork[] = [];
const held: Server[] = [];
function network(portRange?: [number, number]): VirtualNetwork {
  const net = new VirtualNetwork(portRange ? { portRange } : {});
  nets.push(net);
  return net;
}
afterEach(async () => {
  await Promise.all(nets.splice(0).map((n) => n.close()));
  await Promise.all(held.splice(0).map(release));
});

const tcp = (containerPort: number, hostPort: number, hostIp = '127.0.0.1') => ({ containerPort, protocol: 'tcp' as const, hostIp, hostPort });

describe('published ports', () => {
  it('forwards a real TCP client into the container listener', async () => {
    const [port = 0] = randomPorts(1);
    const net = network();
    const web = container('web');
    await net.attach(web, { aliases: [], links: [] });
    let peer = '';
    await net.programNet(web.id).listen(80, (socket) => {
      peer = (socket as VirtualSocket).remoteAddress;
      echo(socket);
    });
    const rows = await net.publish(web.id, [tcp(80, port)], { publishAll: false, exposedPorts: [] });
    expect(rows).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: port }]);
    expect(net.portsOf(web.id)).toEqual(rows);
    const payload = 'x'.repeat(300_000);
    const { data, error } = await tcpRoundTrip(port, payload);
    expect(error).toBeUndefined();
    expect(data).toBe(payload);
    // Connections arrive from the network's gateway, as docker-proxy's do.
    expect(peer).toBe('172.17.0.1');
  });

  it('resets connections while nothing listens in the container', async () => {
    const [port = 0] = randomPorts(1);
    const net = network();
    const web = container('web');
    await net.attach(web, { aliases: [], links: [] });
    await net.publish(web.id, [tcp(80, port)], { publishAll: false, exposedPorts: [] });
    const { data, error } = await tcpRoundTrip(port, 'hello');
    expect(data).toBe('');
    expect(error?.code).toBe('ECONNRESET');
  });

  it('takes -P ports upwards from the bottom of the range, skipping ports in use', async () => {
    const range = randomPortBlock(20);
    const [low] = range;
    const net = network(range);
    held.push(await holdPort(low + 1));
    const a = container('a');
    const b = container('b');
    const c = container('c');
    for (const x of [a, b, c]) await net.attach(x, { aliases: [], links: [] });
    const rowsA = await net.publish(a.id, [], { publishAll: true, exposedPorts: ['82/tcp', '80/tcp', '81', '53/udp'] });
    // Each on 0.0.0.0 and on :: (one row per family, the same port), as Docker publishes.
    expect(rowsA).toEqual([
      { containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: low + 2 },
      { containerPort: 80, protocol: 'tcp', hostIp: '::', hostPort: low + 2 },
      { containerPort: 81, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: low + 3 },
      { containerPort: 81, protocol: 'tcp', hostIp: '::', hostPort: low + 3 },
      { containerPort: 82, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: low },
      { containerPort: 82, protocol: 'tcp', hostIp: '::', hostPort: low },
    ]);
    // An explicit binding wins over -P for the same port.
    const rowsB = await net.publish(b.id, [tcp(80, 0)], { publishAll: true, exposedPorts: ['80/tcp', '443/tcp'] });
    expect(rowsB.map((r) => [r.containerPort, r.hostIp, r.hostPort])).toEqual([[80, '127.0.0.1', low + 4], [443, '0.0.0.0', low + 5], [443, '::', low + 5]]);
    // Like Docker's allocator, the next port follows the last one given, even after a release.
    await net.unpublish(a.id);
    const rowsC = await net.publish(c.id, [], { publishAll: true, exposedPorts: ['80/tcp'] });
    expect(rowsC[0]?.hostPort).toBe(low + 6);
  });

  it('fails with Docker\'s conflict when a port is taken, and leaves nothing open', async () => {
    const [free = 0, taken = 0, foreign = 0] = randomPorts(3);
    const net = network();
    const first = container('first');
    const second = container('second');
    await net.attach(first, { aliases: [], links: [] });
    await net.attach(second, { aliases: [], links: [] });
    await net.publish(first.id, [tcp(80, taken, '0.0.0.0')], { publishAll: false, exposedPorts: [] });
    const error = await net.publish(second.id, [tcp(80, free, '0.0.0.0'), tcp(81, taken, '0.0.0.0')], { publishAll: false, exposedPorts: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(
      new RegExp(`^driver failed programming external connectivity on endpoint second \\([0-9a-f]{64}\\): Bind for 0\\.0\\.0\\.0:${taken} failed: port is already allocated$`),
    );
    expect(net.portsOf(second.id)).toEqual([]);
    expect(await isFree(free)).toBe(true);
    // A port another process holds: the userland proxy's wording, still a conflict.
    held.push(await holdPort(foreign));
    const again = await net.publish(second.id, [tcp(80, free, '0.0.0.0'), tcp(81, foreign, '0.0.0.0')], { publishAll: false, exposedPorts: [] })
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictError);
    expect((again as Error).message).toContain(`Error starting userland proxy: listen tcp4 0.0.0.0:${foreign}: bind: address already in use`);
    expect(await isFree(free)).toBe(true);
  });

  it('takes the first free port of an explicit host range', async () => {
    const [low = 0, mid = 0, high = 0] = randomPorts(3);
    const net = network();
    const a = container('a');
    const b = container('b');
    await net.attach(a, { aliases: [], links: [] });
    await net.attach(b, { aliases: [], links: [] });
    held.push(await holdPort(low));
    const range = { containerPort: 80, protocol: 'tcp' as const, hostIp: '0.0.0.0', hostPort: low, hostPortEnd: high };
    expect((await net.publish(a.id, [range], { publishAll: false, exposedPorts: [] }))[0]?.hostPort).toBe(mid);
    expect((await net.publish(b.id, [range], { publishAll: false, exposedPorts: [] }))[0]?.hostPort).toBe(high);
    const c = container('c');
    await net.attach(c, { aliases: [], links: [] });
    await expect(net.publish(c.id, [range], { publishAll: false, exposedPorts: [] })).rejects.toThrow(ConflictError);
  });

  it('lets containers reach published ports through their gateway, except on internal networks', async () => {
    const [port = 0] = randomPorts(1);
    const net = network();
    await net.backend.create({ name: 'sealed', internal: true, labels: {} });
    const web = container('web');
    const client = container('client');
    const jailed = container('jailed');
    await net.attach(web, { aliases: [], links: [] });
    await net.attach(client, { aliases: [], links: [] });
    await net.attach(jailed, { network: 'sealed', aliases: [], links: [] });
    await net.programNet(web.id).listen(80, echo);
    await net.publish(web.id, [tcp(80, port, '0.0.0.0')], { publishAll: false, exposedPorts: [] });
    const socket = await net.programNet(client.id).connect('172.17.0.1', port);
    const reply = readAll(socket);
    socket.end('via host');
    expect(await reply).toBe('via host');
    await expect(net.programNet(jailed.id).connect('172.18.0.1', port)).rejects.toMatchObject({ code: 'EHOSTUNREACH' });
  });

  it('-P skips a port whose IPv6 half another process holds, leaving its IPv4 half free', async () => {
    const range = randomPortBlock(3);
    const [low] = range;
    const net = network(range);
    held.push(await holdPort(low + 1, '::'));
    const box = container('box');
    await net.attach(box, { aliases: [], links: [] });
    // The cursor starts at the bottom: low is taken first, then low + 1 fails on ::.
    const first = container('first');
    await net.attach(first, { aliases: [], links: [] });
    await net.publish(first.id, [], { publishAll: true, exposedPorts: ['80/tcp'] });
    const rows = await net.publish(box.id, [], { publishAll: true, exposedPorts: ['80/tcp'] });
    expect(rows.map((r) => `${r.hostIp} ${r.hostPort}`)).toEqual([`0.0.0.0 ${low + 2}`, `:: ${low + 2}`]);
    expect(await isFree(low + 1, '0.0.0.0')).toBe(true);
  });

  it('clashes on equal addresses only; an overlap is the kernel\'s refusal, and nothing leaks', async () => {
    const [port = 0] = randomPorts(1);
    const net = network();
    const [a, b, c] = [container('a'), container('b'), container('c')];
    for (const x of [a, b, c]) await net.attach(x, { aliases: [], links: [] });
    await net.publish(a.id, [tcp(80, port, '127.0.0.1')], { publishAll: false, exposedPorts: [] });
    await net.publish(b.id, [tcp(80, port, '::1')], { publishAll: false, exposedPorts: [] });
    const error = await net.publish(c.id, [tcp(80, port, '')], { publishAll: false, exposedPorts: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain(`Error starting userland proxy: listen tcp4 0.0.0.0:${port}: bind: address already in use`);
    expect(net.portsOf(c.id)).toEqual([]);
  });

  it('a host IP the machine does not have is a bad argument in Docker\'s words', async () => {
    const [port = 0] = randomPorts(1);
    const net = network();
    const box = container('box');
    await net.attach(box, { aliases: [], links: [] });
    for (const [ip, listen] of [['198.51.100.1', `listen tcp4 198.51.100.1:${port}`], ['2001:db8::1', `listen tcp6 [2001:db8::1]:${port}`]] as const) {
      const error = await net.publish(box.id, [tcp(80, port, ip)], { publishAll: false, exposedPorts: [] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(new RegExp(`: Error starting userland proxy: ${listen.replace(/[[\].]/g, '\\$&')}: bind: cannot assign requested address$`));
    }
  });

  it('from a container, a host address finds published ports on its wildcard or exact address only', async () => {
    const [open = 0, local = 0] = randomPorts(2);
    const net = network();
    const web = container('web');
    const client = container('client');
    await net.attach(web, { aliases: [], links: [] });
    await net.attach(client, { aliases: [], links: [] });
    await net.programNet(web.id).listen(80, (socket) => socket.end((socket as VirtualSocket).remoteAddress));
    await net.publish(web.id, [tcp(80, open, ''), tcp(80, local, '127.0.0.1')], { publishAll: false, exposedPorts: [] });
    const from = net.programNet(client.id);
    // docker-proxy dials the container from its gateway.
    expect(await readAll(await from.connect('172.17.0.1', open))).toBe('172.17.0.1');
    await expect(from.connect('172.17.0.1', local)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // An address of this machine is the host too; a foreign one is nowhere.
    const own = Object.values(networkInterfaces()).flat().find((nic) => nic && !nic.internal && nic.family === 'IPv4')?.address;
    if (own !== undefined) expect(await readAll(await from.connect(own, open))).toBe('172.17.0.1');
    await expect(from.connect('198.51.100.1', open)).rejects.toMatchObject({ code: 'EHOSTUNREACH' });
  });

  it('refuses UDP publications', async () => {
    const net = network();
    const box = container('box');
    await net.attach(box, { aliases: [], links: [] });
    await expect(net.publish(box.id, [{ containerPort: 53, protocol: 'udp', hostIp: '', hostPort: 0 }], { publishAll: false, exposedPorts: [] }))
      .rejects.toThrow(UnsupportedError);
  });

  it('closes host listeners on detach and close', async () => {
    const [p1 = 0, p2 = 0] = randomPorts(2);
    const net = network();
    const a = container('a');
    const b = container('b');
    await net.attach(a, { aliases: [], links: [] });
    await net.attach(b, { aliases: [], links: [] });
    await net.publish(a.id, [tcp(80, p1)], { publishAll: false, exposedPorts: [] });
    await net.publish(b.id, [tcp(80, p2)], { publishAll: false, exposedPorts: [] });
    expect(await isFree(p1, '127.0.0.1')).toBe(false);
    await net.detach(a.id);
    expect(net.portsOf(a.id)).toEqual([]);
    expect(await isFree(p1, '127.0.0.1')).toBe(true);
    await net.close();
    expect(await isFree(p2, '127.0.0.1')).toBe(true);
  });
});
