// The userland port proxy on the host's loopback: relaying with half-close and backpressure,
// Docker's conflict errors with nothing left open, `-P` allocation (also from two processes at
// once), UDP, and failures that must not crash the process. Needs no root.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/core/errors.js';
import { localPortRange, PortProxy, type PortBindingSpec } from '../../../src/backends/native/network/index.js';
import { until } from './helpers.js';

const owner = (name: string) => ({ id: `id-${name}`, name, endpointId: createHash('sha256').update(name).digest('hex') });

/** A block of ports below the ephemeral range, so no outgoing connection takes one meanwhile. */
function portBlock(size: number): [number, number] {
  const low = randomInt(20000, 32000 - size);
  return [low, low + size - 1];
}

async function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<number> {
  server.listen({ port, host, exclusive: true });
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

/** Resolves when a socket closes, however (events.once would reject on its 'error'). */
function whenClosed(socket: Socket): Promise<boolean> {
  socket.on('error', () => undefined);
  return new Promise((resolve) => socket.once('close', resolve));
}

async function isFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  const server = createServer();
  try {
    await listen(server, port, host);
    return true;
  } catch {
    return false;
  } finally {
    if (server.listening) await new Promise((r) => server.close(r));
  }
}

/** Everything a socket reads until its peer half-closes (the socket stays writable). */
function readAll(socket: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  return new Promise((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => parts.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(parts)));
    socket.once('error', reject);
  });
}

describe('PortProxy', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  function track<T extends Server | PortProxy>(thing: T): T {
    cleanups.push(() => (thing instanceof PortProxy ? thing.close() : new Promise<void>((resolve) => thing.close(() => resolve()))));
    return thing;
  }

  /** An upstream that answers `got:` + everything it read, after the client half-closes. */
  async function halfCloseServer(): Promise<number> {
    const server = track(createServer({ allowHalfOpen: true }, (socket) => {
      readAll(socket).then((data) => socket.end(Buffer.concat([Buffer.from('got:'), data])), () => undefined);
    }));
    return listen(server);
  }

  it('relays both ways and passes a half-close through', async () => {
    const target = await halfCloseServer();
    const proxy = track(new PortProxy());
    const [port] = portBlock(1);
    const rows = await proxy.publish(owner('web'), [{ protocol: 'tcp', hostIp: '127.0.0.1', hostPort: port, targetIp: '127.0.0.1', targetPort: target }]);
    expect(rows).toEqual([{ protocol: 'tcp', hostIp: '127.0.0.1', hostPort: port, targetIp: '127.0.0.1', targetPort: target }]);
    const client = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    client.end('hello');
    expect((await readAll(client)).toString()).toBe('got:hello');
  });

  it('binds 0.0.0.0 and :: on one port without a host address, as Docker does', async () => {
    const target = await halfCloseServer();
    const proxy = track(new PortProxy());
    const [port] = portBlock(1);
    const rows = await proxy.publish(owner('both'), [{ protocol: 'tcp', hostPort: port, targetIp: '127.0.0.1', targetPort: target }]);
    expect(rows.map((r) => r.hostIp)).toContain('0.0.0.0');
    expect(new Set(rows.map((r) => r.hostPort))).toEqual(new Set([port]));
    for (const host of rows.map((r) => (r.hostIp === '::' ? '::1' : '127.0.0.1'))) {
      const client = connect({ host, port, allowHalfOpen: true });
      client.end(host);
      expect((await readAll(client)).toString()).toBe(`got:${host}`);
    }
  });

  it.each(['client to container', 'container to client'] as const)('keeps backpressure %s: a reader that stops makes the writer wait, and nothing is lost', async (direction) => {
    let target!: Socket;
    const server = track(createServer((socket) => {
      target = socket;
      socket.on('error', () => undefined);
    }));
    const targetPort = await listen(server);
    const proxy = track(new PortProxy());
    const [port] = portBlock(1);
    await proxy.publish(owner('bp'), [{ protocol: 'tcp', hostIp: '127.0.0.1', hostPort: port, targetIp: '127.0.0.1', targetPort }]);
    const client = connect({ host: '127.0.0.1', port });
    client.on('error', () => undefined);
    await once(client, 'connect');
    await until(() => target !== undefined, 'the relayed connection');
    const [writer, reader] = direction === 'client to container' ? [client, target] : [target, client];
    reader.pause();
    // One 1 MiB buffer written 192 times: the writer holds references, not copies.
    const chunk = randomBytes(1 << 20);
    const total = 192;
    for (let i = 0; i < total; i++) writer.write(chunk);
    // Wait until the writer's queue stops shrinking: then every buffer in between is full.
    let last = -1;
    await until(() => {
      const settled = writer.writableLength === last;
      last = writer.writableLength;
      return settled;
    }, 'the pipeline to fill', 20_000);
    // Kernel buffers on the way hold at most (wmem max + rmem max) per hop; a proxy that
    // ignored backpressure would have taken the writer's whole queue into its own memory.
    const [wmem, rmem] = await Promise.all(['tcp_wmem', 'tcp_rmem'].map(async (f) => Number((await readFile(`/proc/sys/net/ipv4/${f}`, 'utf8')).trim().split(/\s+/)[2])));
    const kernelRoom = 2 * ((wmem ?? 0) + (rmem ?? 0));
    expect(writer.writableLength).toBeGreaterThan(total * chunk.length - kernelRoom - (8 << 20));
    // Release the reader: everything arrives, in order.
    const hash = createHash('sha256');
    let received = 0;
    reader.on('data', (data: Buffer) => {
      hash.update(data);
      received += data.length;
    });
    reader.resume();
    writer.end();
    await once(reader, 'end');
    expect(received).toBe(total * chunk.length);
    const expected = createHash('sha256');
    for (let i = 0; i < total; i++) expected.update(chunk);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
  });

  it('a refused target resets the client and the proxy keeps serving', async () => {
    const closed = track(createServer());
    const deadPort = await listen(closed);
    await new Promise((r) => closed.close(r));
    const proxy = track(new PortProxy());
    const [port] = portBlock(1);
    await proxy.publish(owner('dead'), [{ protocol: 'tcp', hostIp: '127.0.0.1', hostPort: port, targetIp: '127.0.0.1', targetPort: deadPort }]);
    for (let i = 0; i < 3; i++) {
      // Reset (hadError), not a clean end: the client learns its data went nowhere.
      expect(await whenClosed(connect({ host: '127.0.0.1', port }))).toBe(true);
    }
    expect(proxy.published('id-dead')).toHaveLength(1);
  });

  it('a taken port is ConflictError in Docker words, and nothing stays open', async () => {
    const [free, held] = portBlock(2) as [number, number];
    const holder = track(createServer());
    await listen(holder, held, '0.0.0.0');
    const proxy = track(new PortProxy());
    const who = owner('web');
    const bindings: PortBindingSpec[] = [
      { protocol: 'tcp', hostPort: free, targetIp: '127.0.0.1', targetPort: 80 },
      { protocol: 'tcp', hostPort: held, targetIp: '127.0.0.1', targetPort: 81 },
    ];
    const error = await proxy.publish(who, bindings).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe(
      `driver failed programming external connectivity on endpoint web (${who.endpointId}): Error starting userland proxy: listen tcp4 0.0.0.0:${held}: bind: address already in use`,
    );
    expect(proxy.published()).toEqual([]);
    expect(await isFree(free)).toBe(true);
    expect(await isFree(free, '::')).toBe(true);

    // A port this proxy holds: the allocator's words.
    await proxy.publish(owner('a'), [{ protocol: 'tcp', hostPort: free, targetIp: '127.0.0.1', targetPort: 80 }]);
    await expect(proxy.publish(owner('b'), [{ protocol: 'tcp', hostIp: '127.0.0.1', hostPort: free, targetIp: '127.0.0.1', targetPort: 80 }])).rejects.toThrow(
      `driver failed programming external connectivity on endpoint b (${owner('b').endpointId}): Bind for 127.0.0.1:${free} failed: port is already allocated`,
    );
    // The same number on UDP is another port.
    await proxy.publish(owner('c'), [{ protocol: 'udp', hostPort: free, targetIp: '127.0.0.1', targetPort: 80 }]);
  });

  it('-P takes ports from the bottom of the range, moving on and skipping ports in use', async () => {
    const [low, high] = portBlock(10);
    const holder = track(createServer());
    await listen(holder, low + 2, '0.0.0.0');
    const proxy = track(new PortProxy({ portRange: [low, high] }));
    const any = (name: string) => proxy.publish(owner(name), [{ protocol: 'tcp', hostIp: '127.0.0.1', targetIp: '127.0.0.1', targetPort: 80 }]);
    expect((await any('a'))[0]?.hostPort).toBe(low);
    expect((await any('b'))[0]?.hostPort).toBe(low + 1);
    expect((await any('c'))[0]?.hostPort).toBe(low + 3);
    // Docker's allocator moves on rather than giving a just-freed port again at once.
    await proxy.unpublish('id-a');
    expect((await any('d'))[0]?.hostPort).toBe(low + 4);
    // A range binding takes its first free port.
    const ranged = await proxy.publish(owner('r'), [{ protocol: 'tcp', hostIp: '127.0.0.1', hostPort: low + 1, hostPortEnd: low + 6, targetIp: '127.0.0.1', targetPort: 80 }]);
    expect(ranged[0]?.hostPort).toBe(low + 5);
  });

  it('-P draws from ip_local_port_range by default', async () => {
    const [low, high] = await localPortRange();
    const proxy = track(new PortProxy());
    const [row] = await proxy.publish(owner('p'), [{ protocol: 'tcp', hostIp: '127.0.0.1', targetIp: '127.0.0.1', targetPort: 80 }]);
    expect(row?.hostPort).toBeGreaterThanOrEqual(low);
    expect(row?.hostPort).toBeLessThanOrEqual(high);
  });

  it('30 concurrent -P from two processes give 30 distinct ports', async () => {
    const [low, high] = portBlock(100);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/publish-child.ts', import.meta.url)), String(low), String(high), '15'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      child.stdin.end();
      if (child.exitCode === null) await once(child, 'exit');
    });
    const proxy = track(new PortProxy({ portRange: [low, high] }));
    const mine = Promise.all(
      Array.from({ length: 15 }, (_, i) => proxy.publish(owner(`p${i}`), [{ protocol: 'tcp', hostIp: '127.0.0.1', targetIp: '127.0.0.1', targetPort: 9 }])),
    );
    let line = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { line += d; });
    await until(() => line.includes('\n'), 'the child to publish', 30_000);
    const theirs = JSON.parse(line) as number[];
    const ours = (await mine).map((r) => r[0]?.hostPort as number);
    const all = [...ours, ...theirs];
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
    for (const port of all) expect(port >= low && port <= high).toBe(true);
  });

  it('relays UDP datagrams and their replies', async () => {
    const echo = createSocket('udp4');
    cleanups.push(() => new Promise((r) => echo.close(() => r(undefined))));
    echo.on('message', (msg, from) => echo.send(Buffer.concat([Buffer.from('echo:'), msg]), from.port, from.address));
    echo.bind(0, '127.0.0.1');
    await once(echo, 'listening');
    const proxy = track(new PortProxy());
    const [port] = portBlock(1);
    await proxy.publish(owner('u'), [{ protocol: 'udp', hostIp: '127.0.0.1', hostPort: port, targetIp: '127.0.0.1', targetPort: echo.address().port }]);
    const client = createSocket('udp4');
    cleanups.push(() => new Promise((r) => client.close(() => r(undefined))));
    const replies: string[] = [];
    client.on('message', (m) => replies.push(m.toString()));
    // UDP may drop: resend until the reply comes (bounded).
    await until(() => {
      client.send('ping', port, '127.0.0.1');
      return replies.length > 0;
    }, 'a UDP reply');
    expect(replies[0]).toBe('echo:ping');
    // The port is held for UDP: another proxy cannot take it.
    const other = track(new PortProxy());
    await expect(other.publish(owner('v'), [{ protocol: 'udp', hostIp: '127.0.0.1', hostPort: port, targetIp: '127.0.0.1', targetPort: 1 }])).rejects.toThrow(
      /listen udp4 127\.0\.0\.1:\d+: bind: address already in use/,
    );
  });

  it('unpublish resets live connections; close() ends everything and refuses more', async () => {
    const server = track(createServer({ allowHalfOpen: true }, (socket) => socket.on('error', () => undefined)));
    const targetPort = await listen(server);
    const proxy = new PortProxy();
    const [port] = portBlock(1);
    await proxy.publish(owner('x'), [{ protocol: 'tcp', hostIp: '127.0.0.1', hostPort: port, targetIp: '127.0.0.1', targetPort }]);
    const client = connect({ host: '127.0.0.1', port });
    client.on('error', () => undefined);
    await once(client, 'connect');
    const gone = whenClosed(client);
    await proxy.unpublish('id-x');
    expect(await gone).toBe(true);
    expect(await isFree(port, '127.0.0.1')).toBe(true);
    await proxy.publish(owner('y'), [{ protocol: 'tcp', hostIp: '127.0.0.1', hostPort: port, targetIp: '127.0.0.1', targetPort }]);
    await proxy.close();
    await proxy.close();
    expect(await isFree(port, '127.0.0.1')).toBe(true);
    await expect(proxy.publish(owner('z'), [])).rejects.toThrow(/closed/);
  });
});
