/**
 * Host loopback and published ports (issue 7, "Host loopback"): a container must not reach a
 * host service bound to 127.0.0.1 under any address or spelling; published ports are the only
 * way in and out, on 0.0.0.0 and `::` by default, on exactly the host IP asked for otherwise.
 * Every case runs on the emulator and on docker with the same expectations (the texts below
 * are what Engine 20.10 with busybox 1.35 prints).
 */
import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InvalidArgumentError, ConflictError } from '../../src/core/errors.js';
import { TEST_PAGE } from '../../src/testing/busybox-rootfs.js';
import { run, sleeper } from '../../src/testing/case-helpers.js';
import { eventually } from '../../src/testing/suite-context.js';
import { describeOnBackends, type OracleContext } from './oracle.js';

/** A host service bound to 127.0.0.1 only, counting every connection it accepts. */
let secret: Server;
let secretPort = 0;
let secretHits = 0;
beforeAll(async () => {
  secret = createServer((socket) => {
    secretHits++;
    socket.end('host secret\n');
  });
  await new Promise<void>((resolve) => secret.listen(0, '127.0.0.1', resolve));
  secretPort = (secret.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => secret.close(resolve));
});

const refused = (ip: string): string => `nc: can't connect to remote host (${ip}): Connection refused\n`;
const HTTP_GET = 'printf "GET / HTTP/1.0\\r\\n\\r\\n"';

/** Holds `host:port` as another process would (`::` for IPv6 only, as docker-proxy opens it). */
async function hold(host: string, port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true, ipv6Only: host === '::' }, () => resolve());
  });
  return server;
}

async function release(server: Server): Promise<void> {
  await new Promise((resolve) => server.close(resolve));
}

/** True when `host:port` can be bound now. */
async function bindable(host: string, port: number): Promise<boolean> {
  try {
    await release(await hold(host, port));
    return true;
  } catch {
    return false;
  }
}

/** An HTTP GET from the host over a real socket: the status line and body, or the error code. */
function hostGet(host: string, port: number): Promise<{ text: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    socket.on('connect', () => socket.write('GET / HTTP/1.0\r\n\r\n'));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code;
    });
    socket.on('close', () => resolve({ text: Buffer.concat(chunks).toString(), ...(error ? { error } : {}) }));
  });
}

/** A container port, the page once httpd answers on it from the host. */
async function pageFrom(host: string, port: number): Promise<string> {
  return eventually(async () => {
    const { text } = await hostGet(host, port);
    return text.includes(TEST_PAGE) ? text : undefined;
  }, `the test page on ${host}:${port}`);
}

/** A network's gateway; Engine 20.10 leaves it out for the default bridge, where it is the subnet's first address. */
async function gatewayOf(ctx: OracleContext, network: string): Promise<string> {
  const info = await (await ctx.engine.networks.get(network)).inspect();
  if (info.gateway !== '') return info.gateway;
  const [base = '', prefix = ''] = info.subnet.split('/');
  const octets = base.split('.').map(Number);
  expect(octets.length === 4 && prefix !== '').toBe(true);
  octets[3] = octets[3]! + 1;
  return octets.join('.');
}

/** Two free ports in a row below the ephemeral range. */
async function freePorts(ctx: OracleContext, count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await ctx.freePort();
    if (!ports.includes(port) && (await bindable('::', port))) ports.push(port);
  }
  return ports;
}

describeOnBackends('host loopback', (ctx) => {
  it('no address or spelling reaches a host service bound to 127.0.0.1', async () => {
    const gateway = await gatewayOf(ctx, 'bridge');
    const c = await sleeper(ctx);
    const before = secretHits;
    const cases: Array<[target: string, stderr: string]> = [
      [gateway, refused(gateway)],
      ['127.0.0.1', refused('127.0.0.1')],
      ['localhost', refused('127.0.0.1')],
      ['0.0.0.0', refused('0.0.0.0')],
      ['2130706433', refused('127.0.0.1')],
      ['0x7f000001', refused('127.0.0.1')],
      ['127.1', refused('127.0.0.1')],
      ['0177.0.0.1', refused('127.0.0.1')],
      ['::1', "nc: can't connect to remote host: Cannot assign requested address\n"],
      ['::ffff:127.0.0.1', "nc: can't connect to remote host: Connection refused\n"],
      [`::ffff:${gateway}`, "nc: can't connect to remote host: Connection refused\n"],
    ];
    for (const [target, stderr] of cases) {
      const r = await c.exec(['nc', '-w', '3', target, String(secretPort)]);
      expect({ target, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ target, exitCode: 1, stdout: '', stderr });
    }
    expect(secretHits).toBe(before);
  });

  it('a user network\'s gateway (and the other bridges\') lead to no host service either', async ({ skip }) => {
    ctx.need('networks', skip);
    const net = await ctx.engine.networks.create({ name: ctx.unique('sec-net') });
    ctx.cleanup(() => net.remove());
    const gateway = await gatewayOf(ctx, net.name);
    const bridgeGateway = await gatewayOf(ctx, 'bridge');
    const c = await sleeper(ctx, { network: net.name });
    const before = secretHits;
    for (const target of [gateway, bridgeGateway]) {
      const r = await c.exec(['nc', '-w', '3', target, String(secretPort)]);
      expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 1, stderr: refused(target) });
    }
    expect(secretHits).toBe(before);
  });

  it('published ports are reachable through any gateway, except those bound to 127.0.0.1', async ({ skip }) => {
    ctx.need('publishPorts', skip);
    const [open = 0, local = 0, empty = 0] = await freePorts(ctx, 3);
    await run(ctx, {
      cmd: ['sh', '-c', 'httpd -p 80 -h /www; httpd -p 81 -h /www; exec sleep 1000'],
      ports: [`${open}:80`, `127.0.0.1:${local}:81`, `${empty}:82`],
    });
    await pageFrom('127.0.0.1', open);
    const gateway = await gatewayOf(ctx, 'bridge');
    const client = await sleeper(ctx);
    const viaGateway = await client.exec(['sh', '-c', `${HTTP_GET} | nc -w 5 ${gateway} ${open}`]);
    expect(viaGateway.exitCode).toBe(0);
    expect(viaGateway.stdout).toMatch(/^HTTP\/1\.[01] 200 OK\r\n/);
    expect(viaGateway.stdout).toContain(TEST_PAGE);
    // docker-proxy for 127.0.0.1 listens there only: the gateway address finds nothing.
    const loopbackOnly = await client.exec(['nc', '-w', '3', gateway, String(local)]);
    expect({ exitCode: loopbackOnly.exitCode, stderr: loopbackOnly.stderr }).toEqual({ exitCode: 1, stderr: refused(gateway) });
    // Published, but nothing listens in the container: the proxy accepts, then closes.
    const nobody = await client.exec(['nc', '-w', '3', gateway, String(empty)]);
    expect({ exitCode: nobody.exitCode, stdout: nobody.stdout, stderr: nobody.stderr }).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    if (ctx.engine.capabilities.networks) {
      // From a user network, the default bridge's gateway is still an address of the host.
      const net = await ctx.engine.networks.create({ name: ctx.unique('sec-net') });
      ctx.cleanup(() => net.remove());
      const other = await sleeper(ctx, { network: net.name });
      const across = await other.exec(['sh', '-c', `${HTTP_GET} | nc -w 5 ${gateway} ${open}`]);
      expect(across.stdout).toContain(TEST_PAGE);
    }
  });

  it('a port without a host IP listens on 0.0.0.0 and ::; a host IP is honoured exactly', async ({ skip }) => {
    ctx.need('publishPorts', skip);
    if (!(await bindable('::1', 0))) skip('this host has no IPv6 loopback');
    const [both = 0, v4 = 0, v6 = 0] = await freePorts(ctx, 3);
    const c = await run(ctx, {
      cmd: ['sh', '-c', 'httpd -p 80 -h /www; httpd -p 81 -h /www; httpd -p 82 -h /www; exec sleep 1000'],
      ports: [`${both}:80`, `127.0.0.1:${v4}:81`, `[::1]:${v6}:82`],
    });
    const rows = (await c.inspect()).ports.map((p) => `${p.containerPort} ${p.hostIp} ${p.hostPort}`).sort();
    expect(rows).toEqual([`80 0.0.0.0 ${both}`, `80 :: ${both}`, `81 127.0.0.1 ${v4}`, `82 ::1 ${v6}`].sort());
    expect(await pageFrom('127.0.0.1', both)).toContain(TEST_PAGE);
    expect(await pageFrom('::1', both)).toContain(TEST_PAGE);
    expect(await pageFrom('127.0.0.1', v4)).toContain(TEST_PAGE);
    expect((await hostGet('::1', v4)).error).toBe('ECONNREFUSED');
    expect(await pageFrom('::1', v6)).toContain(TEST_PAGE);
    expect((await hostGet('127.0.0.1', v6)).error).toBe('ECONNREFUSED');
  });

  it('a host IP this machine does not have fails start with Docker\'s text', async ({ skip }) => {
    ctx.need('publishPorts', skip);
    const [port = 0] = await freePorts(ctx, 1);
    for (const [spec, listen] of [
      [`198.51.100.1:${port}:80`, `listen tcp4 198.51.100.1:${port}`],
      [`[2001:db8::1]:${port}:80`, `listen tcp6 [2001:db8::1]:${port}`],
    ] as const) {
      const c = await ctx.engine.containers.create({ image: ctx.image, name: ctx.unique('badip'), cmd: ['sleep', '1000'], ports: [spec] });
      ctx.cleanup(() => c.remove({ force: true }));
      const error = await c.start().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toContain(`Error starting userland proxy: ${listen}: bind: cannot assign requested address`);
      expect((await c.inspect()).state.status).toBe('created');
    }
  });

  it('a port taken on one family only fails start, and the other family is not left open', async ({ skip }) => {
    ctx.need('publishPorts', skip);
    const [v6Taken = 0, v4Taken = 0] = await freePorts(ctx, 2);
    for (const [held, port, listen, other] of [
      ['::', v6Taken, `listen tcp6 [::]:${v6Taken}`, '0.0.0.0'],
      ['0.0.0.0', v4Taken, `listen tcp4 0.0.0.0:${v4Taken}`, '::'],
    ] as const) {
      const holder = await hold(held, port);
      try {
        const c = await ctx.engine.containers.create({ image: ctx.image, name: ctx.unique('taken'), cmd: ['sleep', '1000'], ports: [`${port}:80`] });
        ctx.cleanup(() => c.remove({ force: true }));
        const error = await c.start().then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(ConflictError);
        expect((error as Error).message).toContain(`Error starting userland proxy: ${listen}: bind: address already in use`);
        expect(await bindable(other, port)).toBe(true);
      } finally {
        await release(holder);
      }
    }
  });
});
