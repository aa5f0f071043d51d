import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/core/errors.js';
import { VirtualNetwork } from '../../../src/backends/emulator/network/index.js';
import type { VirtualSocket } from '../../../src/backends/emulator/network/index.js';
import { trackedNetworks, container, echo, readAll } from './helpers.js';

const network = trackedNetworks();

async function roundTrip(net: VirtualNetwork, fromId: string, host: string, port: number, payload: string): Promise<string> {
  const socket = await net.programNet(fromId).connect(host, port);
  const reply = readAll(socket);
  socket.end(payload);
  return reply;
}

describe('name resolution and connections', () => {
  it('resolves names and aliases on a user network and connects through them', async () => {
    const net = network();
    await net.backend.create({ name: 'app', internal: false, labels: {} });
    const db = container('db');
    const web = container('web');
    await net.attach(db, { network: 'app', aliases: ['database', 'pg'], links: [] });
    await net.attach(web, { network: 'app', aliases: [], links: [] });
    const fromWeb = net.programNet(web.id);
    expect(await fromWeb.resolve('db')).toBe('172.18.0.2');
    expect(await fromWeb.resolve('database')).toBe('172.18.0.2');
    expect(await fromWeb.resolve('PG')).toBe('172.18.0.2');
    expect(await fromWeb.resolve(db.id.slice(0, 12))).toBe('172.18.0.2');
    expect(await net.programNet(db.id).resolve('web')).toBe('172.18.0.3');
    expect(await fromWeb.resolve('localhost')).toBe('127.0.0.1');
    expect(await fromWeb.resolve(web.hostname)).toBe('172.18.0.3');
    await expect(fromWeb.resolve('nobody')).rejects.toMatchObject({ code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'nobody' });

    await net.programNet(db.id).listen(5432, (socket) => {
      socket.end(`from ${(socket as VirtualSocket).remoteAddress}`);
      socket.resume();
    });
    expect(await roundTrip(net, web.id, 'database', 5432, 'hi')).toBe('from 172.18.0.3');
    await expect(fromWeb.connect('db', 1)).rejects.toMatchObject({ code: 'ECONNREFUSED', address: '172.18.0.2', port: 1 });
  });

  it('resolves only links (not names) on the default bridge, and writes hosts and link env', async () => {
    const net = network();
    const web4 = container('web4-box', { exposedPorts: ['80/tcp'], env: ['PATH=/bin', 'GREETING=hi'] });
    const web1 = container('web1');
    const other = container('other');
    await net.attach(web4, { aliases: [], links: [] });
    await net.attach(other, { aliases: [], links: [] });
    await net.attach(web1, { aliases: [], links: [{ name: 'web4-box', alias: 'web4' }] });
    const fromWeb1 = net.programNet(web1.id);
    expect(await fromWeb1.resolve('web4')).toBe('172.17.0.2');
    expect(await fromWeb1.resolve('web4-box')).toBe('172.17.0.2');
    expect(await fromWeb1.resolve(web4.hostname)).toBe('172.17.0.2');
    // No embedded DNS on the default bridge: an unlinked container's name does not resolve.
    await expect(fromWeb1.resolve('other')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(net.programNet(web4.id).resolve('web1')).rejects.toMatchObject({ code: 'ENOTFOUND' });

    expect(net.hostsFile(web1.id).split('\n').slice(-3)).toEqual([
      `172.17.0.2\tweb4 ${web4.hostname} web4-box`,
      `172.17.0.4\t${web1.hostname}`,
      '',
    ]);
    expect(net.hostsFile(web4.id).split('\n').slice(-2)).toEqual([`172.17.0.2\t${web4.hostname}`, '']);
    expect(net.linkEnv(web1.id)).toEqual([
      'WEB4_PORT=tcp://172.17.0.2:80',
      'WEB4_PORT_80_TCP=tcp://172.17.0.2:80',
      'WEB4_PORT_80_TCP_ADDR=172.17.0.2',
      'WEB4_PORT_80_TCP_PORT=80',
      'WEB4_PORT_80_TCP_PROTO=tcp',
      'WEB4_NAME=/web1/web4',
      'WEB4_ENV_GREETING=hi',
    ]);
    expect(net.linkEnv(web4.id)).toEqual([]);

    await net.programNet(web4.id).listen(80, echo);
    expect(await roundTrip(net, web1.id, 'web4', 80, 'ping')).toBe('ping');
  });

  it('resolves links on a user network through DNS only, and follows renames', async () => {
    const net = network();
    await net.backend.create({ name: 'app', internal: false, labels: {} });
    const db = container('db');
    const web = container('web');
    await net.attach(db, { network: 'app', aliases: [], links: [] });
    await net.attach(web, { network: 'app', aliases: [], links: [{ name: 'db', alias: 'sql' }] });
    expect(await net.programNet(web.id).resolve('sql')).toBe('172.18.0.2');
    // The alias is this container's own: others do not see it.
    await expect(net.programNet(db.id).resolve('sql')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    // No /etc/hosts lines and no variables for links on user networks, as on Docker.
    expect(net.hostsFile(web.id).split('\n').filter((l) => l.startsWith('172.'))).toEqual([`172.18.0.3\t${web.hostname}`]);
    expect(net.linkEnv(web.id)).toEqual([]);
    net.rename(db.id, 'database');
    expect(await net.programNet(web.id).resolve('database')).toBe('172.18.0.2');
    await expect(net.programNet(web.id).resolve('db')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect((await net.backend.inspect('app')).containers[db.id]?.name).toBe('database');
  });

  it('refuses a link to a container that is not running and leaves nothing allocated', async () => {
    const net = network();
    const web4 = container('web4');
    const web1 = container('web1');
    net.configure(web4, { aliases: [], links: [] });
    const error = await net.attach(web1, { aliases: [], links: [{ name: 'web4', alias: 'w' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe('Cannot link to a non running container: /web4 AS /web1/w');
    expect((await net.backend.inspect('bridge')).containers).toEqual({});
  });

  it('keeps networks apart and internal networks off the host', async () => {
    const net = network();
    await net.backend.create({ name: 'front', internal: false, labels: {} });
    await net.backend.create({ name: 'back', internal: true, labels: {} });
    const api = container('api');
    const db = container('db');
    await net.attach(db, { network: 'back', aliases: [], links: [] });
    await net.attach(api, { network: 'front', aliases: [], links: [] });
    await net.programNet(db.id).listen(5432, echo);
    // Another network's containers neither resolve nor route.
    await expect(net.programNet(api.id).resolve('db')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(net.programNet(api.id).connect('172.19.0.2', 5432)).rejects.toMatchObject({ code: 'EHOSTUNREACH' });
    // Joining the internal network makes it reachable from inside.
    await net.backend.connect('back', api.id);
    expect(await roundTrip(net, api.id, 'db', 5432, 'q')).toBe('q');
    // A container only on an internal network publishes nothing on the host.
    expect(await net.publish(db.id, [{ containerPort: 5432, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 0 }], { publishAll: false, exposedPorts: [] })).toEqual([]);
    expect(net.portsOf(db.id)).toEqual([]);
  });

  it('serves a container its own listeners on loopback and its address', async () => {
    const net = network();
    const box = container('box');
    await net.attach(box, { aliases: [], links: [] });
    await net.programNet(box.id).listen(8080, echo);
    await expect(net.programNet(box.id).listen(8080, echo)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(await roundTrip(net, box.id, 'localhost', 8080, 'a')).toBe('a');
    expect(await roundTrip(net, box.id, '172.17.0.2', 8080, 'b')).toBe('b');
  });

  it('closes listeners and live connections when the container stops or the program ends', async () => {
    const net = network();
    const srv = container('srv');
    const cli = container('cli');
    await net.attach(srv, { aliases: [], links: [] });
    await net.attach(cli, { aliases: [], links: [{ name: 'srv', alias: 'srv' }] });
    const program = new AbortController();
    await net.programNet(srv.id, { signal: program.signal }).listen(80, () => undefined);
    const socket = await net.programNet(cli.id).connect('srv', 80);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.resume();
    await net.detach(srv.id);
    await closed;
    await net.attach(srv, { aliases: [], links: [] });
    await expect(net.programNet(cli.id).connect('srv', 80)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await net.programNet(srv.id, { signal: program.signal }).listen(81, echo);
    expect(await roundTrip(net, cli.id, 'srv', 81, 'up')).toBe('up');
    program.abort();
    await expect(net.programNet(cli.id).connect('srv', 81)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // A handle whose program has ended cannot listen again.
    await expect(net.programNet(srv.id, { signal: program.signal }).listen(82, echo)).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
