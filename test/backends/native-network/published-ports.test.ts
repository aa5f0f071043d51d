// Published ports into a real namespace: a busybox httpd inside one, reached through the port
// proxy at 127.0.0.1:HOSTPORT from the host and through the gateway from another namespace.
// Needs root and the CNI plugins; skipped visibly otherwise.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PortProxy } from '../../../src/backends/native/network/index.js';
import { inNetns, cleanupAfterEach, kernelTestsRun, newId, until, uniqueSubnet } from './helpers.js';

const runs = await kernelTestsRun();

describe.skipIf(!runs)('native networks: published ports', () => {
  const { add, fresh } = cleanupAfterEach();

  /** busybox httpd serving `dir` on port 80 inside `netns`, stopped at cleanup. */
  async function httpd(netns: string, dir: string): Promise<ChildProcess> {
    const child = spawn('nsenter', [`--net=${netns}`, '/usr/bin/busybox', 'httpd', '-f', '-p', '80', '-h', dir], { stdio: 'ignore' });
    add(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    });
    return child;
  }

  function canConnect(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }

  it('a port published into a namespace answers at 127.0.0.1 and from another namespace via its gateway', async () => {
    const t = await fresh();
    await t.nets.create({ name: 'web', subnet: await uniqueSubnet() });
    await t.nets.ensureDefault();
    const server = newId();
    const client = newId();
    const { netnsPath: serverNs } = await t.nets.createSandbox(server, { hostname: 'server' });
    const { netnsPath: clientNs } = await t.nets.createSandbox(client, { hostname: 'client' });
    const ep = await t.nets.connect(server, 'web', { name: 'server' });
    // The client is on another network: it reaches the port through the host, as in Docker.
    const clientEp = await t.nets.connect(client, 'bridge', { name: 'client' });
    const site = join(t.runRoot, 'site');
    await mkdir(site, { recursive: true });
    await writeFile(join(site, 'index.html'), 'hello from the namespace\n');
    await httpd(serverNs, site);
    await until(() => canConnect(ep.ipAddress, 80), 'httpd in the namespace');

    const proxy = new PortProxy({ portRange: [randomInt(20000, 31000), 31999] });
    add(() => proxy.close());
    const rows = await proxy.publish({ id: server, name: 'server', endpointId: ep.endpointId }, [
      { protocol: 'tcp', targetIp: ep.ipAddress, targetPort: 80 },
    ]);
    const hostPort = rows[0]?.hostPort as number;
    expect(rows.map((r) => r.hostIp)).toContain('0.0.0.0');

    const response = await fetch(`http://127.0.0.1:${hostPort}/index.html`);
    expect(await response.text()).toBe('hello from the namespace\n');
    const viaGateway = await inNetns(clientNs, ['/usr/bin/busybox', 'wget', '-q', '-O', '-', `http://${clientEp.gateway}:${hostPort}/index.html`]);
    expect(viaGateway.stdout, viaGateway.stderr).toBe('hello from the namespace\n');

    // Taken down with the container: the port is free again.
    await proxy.unpublish(server);
    expect(await canConnect('127.0.0.1', hostPort)).toBe(false);
  });
});
