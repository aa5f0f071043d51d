/**
 * Conformance cases: port publishing, links and user networks.
 *
 * @module
 */
import { createServer, type Server } from 'node:net';
import { expect, it } from 'vitest';
import { TEST_PAGE } from '../busybox-rootfs.js';
import { create, rejectsWithCode, run, runToEnd } from '../case-helpers.js';
import { eventually, type SuiteContext } from '../suite-context.js';

const HTTPD = ['httpd', '-f', '-p', '80', '-h', '/www'];

async function get(port: number): Promise<string> {
  return eventually(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
    return res.status === 200 ? res.text() : undefined;
  }, `an HTTP 200 on port ${port}`);
}

/** Registers the port, link and network cases. */
export function networkCases(ctx: SuiteContext): void {
  it('tutorial: -p host:80 serves httpd to a real HTTP client', async ({ skip }) => {
    ctx.need('publishPorts', skip);
    const port = await ctx.freePort();
    const c = await run(ctx, { cmd: HTTPD, ports: [`${port}:80`] });
    expect(await get(port)).toBe(TEST_PAGE);
    const info = await c.inspect();
    expect(info.ports).toContainEqual({ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: port });
    expect(await c.port(80)).toContainEqual({ hostIp: '0.0.0.0', hostPort: port });
    const row = (await ctx.engine.containers.list()).find((r) => r.id === c.id)!;
    expect(row.ports).toContainEqual({ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: port });
  });

  it('tutorial: -P publishes every exposed port on a free host port', async ({ skip }) => {
    ctx.need('publishPorts', skip);
    const c = await run(ctx, { cmd: HTTPD, exposedPorts: ['80/tcp'], publishAll: true });
    const bindings = await c.port(80);
    expect(bindings.length).toBeGreaterThan(0);
    const hostPort = bindings[0]!.hostPort;
    expect(hostPort).toBeGreaterThan(0);
    expect(await get(hostPort)).toBe(TEST_PAGE);
  });

  it('a host port already taken fails start with a conflict and leaks nothing', async ({ skip }) => {
    ctx.need('publishPorts', skip);
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '0.0.0.0', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const c = await create(ctx, { cmd: HTTPD, ports: [`${port}:80`] });
      await rejectsWithCode(c.start(), 'CONFLICT');
      expect((await c.inspect()).state.status).toBe('created');
      await c.remove({ force: true });
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    // The port is free again: nothing of the failed start holds it.
    const c2 = await run(ctx, { cmd: HTTPD, ports: [`${port}:80`] });
    expect(await get(port)).toBe(TEST_PAGE);
    await c2.remove({ force: true });
  });

  it('tutorial: a link resolves by alias, shows in /etc/hosts and sets the legacy env vars', async ({ skip }) => {
    ctx.need('links', skip);
    const web = await run(ctx, { cmd: HTTPD, exposedPorts: ['80/tcp'] });
    const ip = (await web.inspect()).networks.bridge?.ipAddress;
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const r = await runToEnd(ctx, {
      cmd: ['sh', '-c', 'ping -c 1 web4 && grep -w web4 /etc/hosts && echo "addr=$WEB4_PORT_80_TCP_ADDR"'],
      links: [`${web.name}:web4`],
    });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/1 packets transmitted, 1 packets received/);
    expect(r.stdout).toMatch(new RegExp(`${ip!.replace(/\./g, '\\.')}\\s+web4`));
    expect(r.stdout).toContain(`addr=${ip}`);
    expect((await r.container.inspect()).links.length).toBe(1);
  });

  it('a user network resolves names and aliases; connect, disconnect and remove', async ({ skip }) => {
    ctx.need('networks', skip);
    const net = await ctx.engine.networks.create({ name: ctx.unique('net') });
    ctx.cleanup(() => net.remove());
    const db = await run(ctx, { cmd: ['sleep', '1000'], network: net.name, networkAliases: ['db'] });
    const r = await runToEnd(ctx, { cmd: ['sh', '-c', `ping -c 1 db && ping -c 1 ${db.name}`], network: net.name });
    expect(r.exitCode).toBe(0);
    const info = await net.inspect();
    expect(info.name).toBe(net.name);
    expect(info.driver).toBe('bridge');
    expect(info.containers[db.id]).toMatchObject({ name: db.name });
    expect(info.containers[db.id]!.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+/);
    const other = await run(ctx, { cmd: ['sleep', '1000'] });
    await net.connect(other, { aliases: ['other'] });
    expect(Object.keys((await other.inspect()).networks)).toContain(net.name);
    expect((await db.exec(['ping', '-c', '1', 'other'])).exitCode).toBe(0);
    await net.disconnect(other);
    expect(Object.keys((await other.inspect()).networks)).not.toContain(net.name);
    await rejectsWithCode(net.remove(), 'CONFLICT');
    await db.remove({ force: true });
    await rejectsWithCode(ctx.engine.networks.create({ name: net.name }), 'CONFLICT');
    expect((await ctx.engine.networks.list()).some((n) => n.name === 'bridge')).toBe(true);
  });
}
