import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../../src/core/errors.js';
import { NetworkInfoSchema } from '../../../src/core/schemas/index.js';
import type { EngineEvent } from '../../../src/core/schemas/index.js';
import { trackedNetworks, container } from './helpers.js';

const network = trackedNetworks();

describe('VirtualNetwork networks', () => {
  it('has the default bridge and allocates user subnets after it', async () => {
    const net = network();
    const [bridge] = await net.backend.list();
    expect(bridge).toMatchObject({ name: 'bridge', driver: 'bridge', subnet: '172.17.0.0/16', gateway: '172.17.0.1', internal: false, containers: {} });
    const app = await net.backend.create({ name: 'app', internal: false, labels: {} });
    const other = await net.backend.create({ name: 'other', internal: true, labels: {} });
    const custom = await net.backend.create({ name: 'custom', subnet: '10.20.0.0/24', internal: false, labels: {} });
    expect([app.subnet, app.gateway]).toEqual(['172.18.0.0/16', '172.18.0.1']);
    expect([other.subnet, other.internal]).toEqual(['172.19.0.0/16', true]);
    expect([custom.subnet, custom.gateway]).toEqual(['10.20.0.0/24', '10.20.0.1']);
    for (const info of await net.backend.list()) NetworkInfoSchema.parse(info);
    expect((await net.backend.list()).map((n) => n.name)).toEqual(['bridge', 'app', 'other', 'custom']);
    // Lookups by name, ID and ID prefix.
    expect((await net.backend.inspect(app.id)).name).toBe('app');
    expect((await net.backend.inspect(app.id.slice(0, 6))).name).toBe('app');
    await expect(net.backend.inspect('nope')).rejects.toThrow(NotFoundError);
    await expect(net.backend.inspect('nope')).rejects.toThrow('network nope not found');
  });

  it('refuses duplicate names, overlapping pools, and removing the bridge', async () => {
    const net = network();
    await net.backend.create({ name: 'app', internal: false, labels: {} });
    await expect(net.backend.create({ name: 'app', internal: false, labels: {} })).rejects.toMatchObject({ code: 'CONFLICT', message: 'network with name app already exists' });
    await expect(net.backend.create({ name: 'x', subnet: '172.17.3.0/24', internal: false, labels: {} })).rejects.toThrow(ConflictError);
    await expect(net.backend.remove('bridge')).rejects.toThrow(InvalidArgumentError);
    await expect(net.backend.remove('bridge')).rejects.toThrow('bridge is a pre-defined network and cannot be removed');
  });

  it('refuses to remove a network with a running container, and allows it after', async () => {
    const net = network();
    const app = await net.backend.create({ name: 'app', internal: false, labels: {} });
    const web = container('web');
    await net.attach(web, { network: 'app', aliases: [], links: [] });
    const error = await net.backend.remove('app').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe(`error while removing network: network app id ${app.id} has active endpoints`);
    await net.detach(web.id);
    await net.backend.remove('app');
    expect((await net.backend.list()).map((n) => n.name)).toEqual(['bridge']);
    // The stopped container still names the network; starting it again fails as on Docker.
    await expect(net.attach(web, { network: 'app', aliases: [], links: [] })).rejects.toThrow('network app not found');
  });

  it('gives addresses from .2 up, reuses freed ones, and reports endpoints', async () => {
    const net = network();
    const a = container('a');
    const b = container('b');
    const c = container('c');
    await net.attach(a, { aliases: [], links: [] });
    await net.attach(b, { aliases: [], links: [] });
    expect(net.networksOf(a.id)).toEqual({ bridge: { ipAddress: '172.17.0.2', aliases: [] } });
    expect(net.networksOf(b.id).bridge?.ipAddress).toBe('172.17.0.3');
    await net.detach(a.id);
    expect(net.networksOf(a.id)).toEqual({ bridge: { ipAddress: '', aliases: [] } });
    await net.attach(c, { aliases: [], links: [] });
    expect(net.networksOf(c.id).bridge?.ipAddress).toBe('172.17.0.2');
    const bridge = await net.backend.inspect('bridge');
    expect(bridge.containers).toEqual({
      [b.id]: { name: 'b', ipAddress: '172.17.0.3', aliases: [] },
      [c.id]: { name: 'c', ipAddress: '172.17.0.2', aliases: [] },
    });
  });

  it('adds the short ID as an alias on user networks, as Docker does', async () => {
    const net = network();
    await net.backend.create({ name: 'app', internal: false, labels: {} });
    const web = container('web');
    net.configure(web, { network: 'app', aliases: ['site'], links: [] });
    expect(net.networksOf(web.id)).toEqual({ app: { ipAddress: '', aliases: ['site'] } });
    await net.attach(web, { network: 'app', aliases: ['site'], links: [] });
    expect(net.networksOf(web.id)).toEqual({ app: { ipAddress: '172.18.0.2', aliases: ['site', web.id.slice(0, 12)] } });
  });

  it('connects and disconnects containers, running or not, and emits events', async () => {
    const net = network();
    const events: EngineEvent[] = [];
    net.onEvent = (e) => events.push(e);
    const app = await net.backend.create({ name: 'app', internal: false, labels: {} });
    const web = container('web');
    const idle = container('idle');
    net.setContainerResolver((ref) => [web, idle].find((c) => c.name === ref || c.id === ref));
    await net.attach(web, { aliases: [], links: [] });
    await net.backend.connect('app', 'web', { aliases: ['w'] });
    expect(net.networksOf(web.id)).toEqual({
      bridge: { ipAddress: '172.17.0.2', aliases: [] },
      app: { ipAddress: '172.18.0.2', aliases: ['w', web.id.slice(0, 12)] },
    });
    await expect(net.backend.connect('app', 'web')).rejects.toThrow('endpoint with name web already exists in network app');
    // A created container joins at its next start, after the network it was created with.
    await net.backend.connect('app', 'idle');
    expect((await net.backend.inspect('app')).containers[idle.id]).toBeUndefined();
    await net.attach(idle, { aliases: [], links: [] });
    expect(Object.keys(net.networksOf(idle.id))).toEqual(['bridge', 'app']);
    expect((await net.backend.inspect('app')).containers[idle.id]?.ipAddress).toBe('172.18.0.3');
    await net.backend.disconnect('app', 'web');
    expect(Object.keys(net.networksOf(web.id))).toEqual(['bridge']);
    await expect(net.backend.disconnect('app', 'web')).rejects.toThrow(ConflictError);
    await expect(net.backend.connect('app', 'ghost')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'No such container: ghost' });
    const appEvents = events.filter((e) => e.id === app.id).map((e) => `${e.action}:${e.attributes.container ?? ''}`);
    expect(appEvents).toEqual(['create:', `connect:${web.id}`, `connect:${idle.id}`, `disconnect:${web.id}`]);
    expect(events.every((e) => e.type === 'network' && e.time instanceof Date)).toBe(true);
  });
});
