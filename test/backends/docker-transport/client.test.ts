import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AbortError,
  BackendUnavailableError,
  ConflictError,
  EngineError,
  InvalidArgumentError,
  NotFoundError,
  UnsupportedError,
} from '../../../src/core/errors.js';
import { DockerClient, hijack } from '../../../src/backends/docker/transport/index.js';
import { FakeEngine } from './fake-engine.js';
import { collect, frame, pollUntil } from './helpers.js';

let engine: FakeEngine | undefined;
let client: DockerClient | undefined;

afterEach(async () => {
  await client?.close();
  await engine?.stop();
  client = undefined;
  engine = undefined;
});

async function setup(apiVersion: string | null = '1.41', maxConnections?: number): Promise<{ engine: FakeEngine; client: DockerClient }> {
  engine = await FakeEngine.start(apiVersion);
  client = new DockerClient({ host: `unix://${engine.socketPath}`, ...(maxConnections ? { maxConnections } : {}) });
  return { engine, client };
}

describe('DockerClient: API version negotiation', () => {
  it('speaks min(engine, 1.43), negotiated once from /_ping', async () => {
    const { engine, client } = await setup('1.45');
    engine.routes.set('GET /info', (_req, res) => res.end('{"ok":true}'));
    expect(await client.json('GET', '/info')).toEqual({ ok: true });
    await client.json('GET', '/info');
    expect(engine.requests.map((r) => r.url)).toEqual(['/_ping', '/v1.43/info', '/v1.43/info']);
  });

  it("uses the engine's version when older", async () => {
    const { engine, client } = await setup('1.41');
    engine.routes.set('GET /info', (_req, res) => res.end('{}'));
    await client.json('GET', '/info');
    expect(engine.requests.at(-1)?.url).toBe('/v1.41/info');
    expect(await client.apiVersion()).toBe('1.41');
  });

  it('falls back to /version when /_ping has no Api-Version header', async () => {
    const { engine, client } = await setup(null);
    engine.routes.set('GET /version', (_req, res) => res.end(JSON.stringify({ Version: '19.03', ApiVersion: '1.40', Os: 'linux', Arch: 'amd64' })));
    expect(await client.apiVersion()).toBe('1.40');
    expect(engine.requests.map((r) => r.url)).toEqual(['/_ping', '/version']);
  });

  it('refuses an engine older than the minimum, and retries negotiation later', async () => {
    const { client } = await setup('1.20');
    await expect(client.apiVersion()).rejects.toBeInstanceOf(UnsupportedError);
    await expect(client.apiVersion()).rejects.toBeInstanceOf(UnsupportedError);
    expect(engine!.requests.filter((r) => r.url === '/_ping')).toHaveLength(2);
  });
});

describe('DockerClient: requests', () => {
  it('encodes queries and bodies as the engine expects', async () => {
    const { engine, client } = await setup();
    engine.routes.set('POST /containers/create', (_req, res) => {
      res.statusCode = 201;
      res.end('{"Id":"abc"}');
    });
    engine.routes.set('POST /build', (_req, res) => res.end());
    const created = await client.json<{ Id: string }>('POST', '/containers/create', { query: { name: 'web 1', skip: undefined }, body: { Image: 'busybox' } });
    expect(created.Id).toBe('abc');
    await client.send('POST', '/build', {
      query: { t: ['a:1', 'b:2'], filters: { label: ['x=y'] }, q: true },
      body: Buffer.from('tar bytes'),
      contentType: 'application/x-tar',
    });
    const [, create, build] = engine.requests;
    expect(create?.url).toBe('/v1.41/containers/create?name=web+1');
    expect(create?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(create!.body.toString())).toEqual({ Image: 'busybox' });
    const url = new URL(`http://x${build!.url}`);
    expect(url.searchParams.getAll('t')).toEqual(['a:1', 'b:2']);
    expect(JSON.parse(url.searchParams.get('filters')!)).toEqual({ label: ['x=y'] });
    expect(url.searchParams.get('q')).toBe('true');
    expect(build?.headers['content-type']).toBe('application/x-tar');
    expect(build?.body.toString()).toBe('tar bytes');
  });

  it('maps statuses and messages to typed errors with status, method, path and message', async () => {
    const { engine, client } = await setup();
    engine.routes.set('GET /containers/nope/json', FakeEngine.error(404, 'No such container: nope'));
    engine.routes.set('POST /containers/create', FakeEngine.error(409, 'Conflict. The container name "/web" is already in use by container "abc"'));
    engine.routes.set('POST /containers/bad/kill', FakeEngine.error(400, 'invalid signal: SIGNOPE'));
    engine.routes.set('POST /containers/p/start', FakeEngine.error(500, 'driver failed programming external connectivity: Bind for 0.0.0.0:8080 failed: port is already allocated'));
    engine.routes.set('POST /containers/e/start', FakeEngine.error(400, 'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown'));
    engine.routes.set('POST /containers/s/exec', FakeEngine.error(500, 'Container s is not running'));
    engine.routes.set('GET /boom', FakeEngine.error(500, 'devmapper: unknown device'));
    engine.routes.set('GET /plain', (_req, res) => {
      res.statusCode = 503;
      res.end('engine is shutting down');
    });

    const notFound = await client.json('GET', '/containers/nope/json').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect((notFound as NotFoundError).message).toBe('No such container: nope');
    expect((notFound as NotFoundError).details).toEqual({
      status: 404,
      method: 'GET',
      path: '/v1.41/containers/nope/json',
      message: 'No such container: nope',
      reason: 'no-such-container',
    });
    await expect(client.json('POST', '/containers/create', { body: {} })).rejects.toBeInstanceOf(ConflictError);
    await expect(client.send('POST', '/containers/bad/kill')).rejects.toBeInstanceOf(InvalidArgumentError);
    const port = await client.send('POST', '/containers/p/start').catch((e: unknown) => e);
    expect(port).toBeInstanceOf(ConflictError);
    expect((port as ConflictError).details['reason']).toBe('port-in-use');
    const exec = await client.send('POST', '/containers/e/start').catch((e: unknown) => e);
    expect((exec as InvalidArgumentError).details['reason']).toBe('exec-not-found');
    await expect(client.json('POST', '/containers/s/exec', { body: {} })).rejects.toBeInstanceOf(ConflictError);
    const boom = await client.json('GET', '/boom').catch((e: unknown) => e);
    // The engine answered with a failure: an EngineError, not "unavailable" (that is for sockets).
    expect(boom).toBeInstanceOf(EngineError);
    expect(boom).not.toBeInstanceOf(BackendUnavailableError);
    expect((boom as EngineError).details.status).toBe(500);
    const plain = await client.json('GET', '/plain').catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(EngineError);
    expect((plain as Error).message).toBe('engine is shutting down');
  });

  it('accepts 304 on start/stop when the caller expects it', async () => {
    const { engine, client } = await setup();
    engine.routes.set('POST /containers/a/start', (_req, res) => {
      res.statusCode = 304;
      res.end();
    });
    expect(await client.send('POST', '/containers/a/start', { expect: [204, 304] })).toBe(304);
  });

  it('reuses keep-alive connections for sequential requests', async () => {
    const { engine, client } = await setup();
    let connections = 0;
    const seen = new Set<unknown>();
    engine.routes.set('GET /info', (req, res) => {
      if (!seen.has(req.socket)) {
        seen.add(req.socket);
        connections++;
      }
      res.end('{}');
    });
    for (let i = 0; i < 10; i++) await client.json('GET', '/info');
    // undici may hand the next request to a second idle client while the first is still
    // finishing its bookkeeping; what matters is that connections are reused, not one per request.
    expect(connections).toBeLessThanOrEqual(2);
  });

  it('keeps a pending wait() from blocking stop(), even with one ordinary connection', async () => {
    const { engine, client } = await setup('1.41', 1);
    let release: (() => void) | undefined;
    engine.routes.set('POST /containers/c/wait', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      release = () => res.end('{"StatusCode":137}');
    });
    engine.routes.set('POST /containers/c/stop', (_req, res) => {
      res.statusCode = 204;
      res.end();
      release?.();
    });
    engine.routes.set('GET /containers/c/json', (_req, res) => res.end('{"State":{"Running":true}}'));
    const waiting = client.json<{ StatusCode: number }>('POST', '/containers/c/wait', { longLived: true });
    await pollUntil(() => release);
    // Two ordinary requests in a row over the single ordinary connection, while wait is pending.
    await client.json('GET', '/containers/c/json');
    await client.send('POST', '/containers/c/stop', { expect: [204, 304] });
    expect((await waiting).StatusCode).toBe(137);
  });

  it('aborts a request mid-flight with AbortError carrying the reason', async () => {
    const { engine, client } = await setup();
    let arrived = false;
    engine.routes.set('GET /slow', () => {
      arrived = true; // never answers
    });
    const controller = new AbortController();
    const pending = client.json('GET', '/slow', { signal: controller.signal });
    await pollUntil(() => (arrived ? true : undefined));
    const reason = new Error('stop waiting');
    controller.abort(reason);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe(reason);
    // An already-aborted signal fails before any I/O.
    const before = engine.requests.length;
    await expect(client.json('GET', '/slow', { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(engine.requests.length).toBe(before);
  });

  it('aborts a streaming body, and types a body cut off by the engine', async () => {
    const { engine, client } = await setup();
    engine.routes.set('GET /containers/l/logs', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.docker.raw-stream' });
      res.write('first line\n');
    });
    engine.routes.set('GET /containers/x/export', (req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setImmediate(() => req.socket.destroy());
    });
    const controller = new AbortController();
    const logs = await client.stream('GET', '/containers/l/logs', { longLived: true, signal: controller.signal });
    const first = await new Promise<Buffer>((resolve) => logs.once('data', resolve));
    expect(first.toString()).toBe('first line\n');
    const reason = new Error('enough');
    const done = collect(logs).catch((e: unknown) => e);
    controller.abort(reason);
    const aborted = await done;
    expect(aborted).toBeInstanceOf(AbortError);
    expect((aborted as AbortError).cause).toBe(reason);

    const exported = await client.stream('GET', '/containers/x/export');
    await expect(collect(exported)).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it('reports a missing socket and a refused port as BackendUnavailableError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stowage-nosock-'));
    try {
      const missing = new DockerClient({ host: `unix://${join(dir, 'docker.sock')}` });
      const error = await missing.ping().catch((e: unknown) => e);
      await missing.close();
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as BackendUnavailableError).details).toMatchObject({ errno: 'ENOENT', method: 'GET', path: '/_ping' });
      expect((error as BackendUnavailableError).cause).toBeInstanceOf(Error);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const refused = new DockerClient({ host: 'tcp://127.0.0.1:1' });
    const error = await refused.ping().catch((e: unknown) => e);
    await refused.close();
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).details['errno']).toBe('ECONNREFUSED');
  });

  it('close() ends pending long-lived requests and later calls, and is safe twice', async () => {
    const { engine, client } = await setup();
    let arrived = false;
    engine.routes.set('GET /events', (_req, res) => {
      res.writeHead(200);
      res.write('{"status":"start"}\n');
      arrived = true;
    });
    const events = await client.stream('GET', '/events', { longLived: true });
    const collected = collect(events).catch((e: unknown) => e);
    await pollUntil(() => (arrived ? true : undefined));
    await client.close();
    await client.close();
    expect(await collected).toBeInstanceOf(Error);
    await expect(client.json('GET', '/info')).rejects.toBeInstanceOf(BackendUnavailableError);
  });
});

describe('DockerClient: hijack', () => {
  it('upgrades, sends the JSON body, demuxes output and half-closes stdin', async () => {
    const { engine, client } = await setup();
    engine.upgrades.set('POST /exec/e1/start', (_req, socket, head) => {
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      const input: Buffer[] = [head];
      socket.on('data', (chunk: Buffer) => input.push(chunk));
      socket.resume();
      // Like `cat`: answer only after stdin's EOF, proving the half-close left output open.
      socket.on('end', () => {
        socket.write(frame(1, Buffer.concat(input)));
        socket.end(frame(2, 'bye\n'));
      });
    });
    const io = await hijack(client, '/exec/e1/start', { body: { Detach: false, Tty: false } });
    const out = collect(io.stdout);
    const err = collect(io.stderr);
    io.stdin.write('hello ');
    io.stdin.end('world');
    expect(await out).toBe('hello world');
    expect(await err).toBe('bye\n');
    const request = engine.requests.at(-1)!;
    expect(request.headers.upgrade).toBe('tcp');
    expect(request.headers.connection?.toLowerCase()).toBe('upgrade');
    expect(JSON.parse(request.body.toString())).toEqual({ Detach: false, Tty: false });
  });

  it("rejects a refused upgrade with the engine's status and message", async () => {
    const { engine, client } = await setup();
    engine.upgrades.set('POST /containers/stopped/attach', (_req, socket) => {
      const message = JSON.stringify({ message: 'Container stopped is not running' });
      socket.end(`HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: ${message.length}\r\n\r\n${message}`);
    });
    const missing = await hijack(client, '/exec/none/start', { body: {} }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).details).toMatchObject({ status: 404, method: 'POST' });
    const conflict = await hijack(client, '/containers/stopped/attach', { query: { stream: true } }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).message).toBe('Container stopped is not running');
  });

  it('aborts an upgrade that the engine does not answer', async () => {
    const { engine, client } = await setup();
    let arrived = false;
    engine.upgrades.set('POST /containers/hang/attach', () => {
      arrived = true;
    });
    const controller = new AbortController();
    const pending = hijack(client, '/containers/hang/attach', { signal: controller.signal });
    await pollUntil(() => (arrived ? true : undefined));
    controller.abort(new Error('give up'));
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(((error as AbortError).cause as Error).message).toBe('give up');
  });
});

describe('DockerClient: hijack session and abort', () => {
  it('destroys an upgraded session when the signal fires, failing the output with AbortError', async () => {
    const { engine, client } = await setup();
    engine.upgrades.set('POST /containers/long/attach', (_req, socket) => {
      socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      socket.write(frame(1, 'started\n'));
      socket.resume();
    });
    const controller = new AbortController();
    const io = await hijack(client, '/containers/long/attach', { query: { stream: true, stdout: true }, signal: controller.signal });
    const first = await new Promise<Buffer>((resolve) => io.stdout.once('data', resolve));
    expect(first.toString()).toBe('started\n');
    const reason = new Error('detach');
    const rest = collect(io.stdout).catch((e: unknown) => e);
    controller.abort(reason);
    const error = await rest;
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe(reason);
    expect(io.socket.destroyed).toBe(true);
  });
});
