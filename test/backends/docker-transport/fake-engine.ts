/**
 * A scriptable stand-in for the Docker Engine: node:http on a unix socket in a temp dir.
 * Each test installs route handlers; requests are recorded so tests can check the wire form.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A route: answers an ordinary request. */
export type FakeRoute = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
/** An upgrade route: takes over the socket after the 101 answer, or refuses. */
export type FakeUpgradeRoute = (req: IncomingMessage, socket: Duplex, head: Buffer, body: Buffer) => void;

/** A fake engine listening on `socketPath`. */
export class FakeEngine {
  readonly socketPath: string;
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];
  routes = new Map<string, FakeRoute>();
  upgrades = new Map<string, FakeUpgradeRoute>();
  #dir: string;
  #server: Server;
  #sockets = new Set<Duplex>();

  private constructor(dir: string, server: Server) {
    this.#dir = dir;
    this.socketPath = join(dir, 'docker.sock');
    this.#server = server;
  }

  /** Starts a fake engine that answers `/_ping` with `Api-Version: apiVersion` (none when null). */
  static async start(apiVersion: string | null = '1.41'): Promise<FakeEngine> {
    const dir = mkdtempSync(join(tmpdir(), 'stowage-fake-engine-'));
    const server = createServer();
    const engine = new FakeEngine(dir, server);
    engine.routes.set('GET /_ping', (_req, res) => {
      if (apiVersion) res.setHeader('Api-Version', apiVersion);
      res.setHeader('OSType', 'linux');
      res.end('OK');
    });
    server.on('connection', (socket) => {
      engine.#sockets.add(socket);
      socket.on('close', () => engine.#sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      void readBody(req).then((body) => {
        engine.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const route = engine.#find(engine.routes, req);
        if (route) route(req, res, body);
        else {
          res.statusCode = 404;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ message: `page not found: ${req.url}` }));
        }
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      engine.#sockets.add(socket);
      // node:http does not parse an upgrade request's body: its bytes (exec start's JSON,
      // sent with a content-length) arrive as `head`, possibly in later chunks.
      const length = Number(req.headers['content-length'] ?? 0);
      const parts = [head];
      let size = head.length;
      const proceed = (): void => {
        const all = Buffer.concat(parts);
        const body = all.subarray(0, length);
        engine.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const route = engine.#find(engine.upgrades, req);
        if (route) route(req, socket, all.subarray(length), body);
        else {
          const message = JSON.stringify({ message: `No such exec: ${req.url}` });
          socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
        }
      };
      if (size >= length) return proceed();
      const onData = (chunk: Buffer): void => {
        parts.push(chunk);
        size += chunk.length;
        if (size >= length) {
          socket.off('data', onData);
          socket.pause();
          proceed();
        }
      };
      socket.on('data', onData);
    });
    await new Promise<void>((resolve) => server.listen(engine.socketPath, resolve));
    return engine;
  }

  #find<T>(table: Map<string, T>, req: IncomingMessage): T | undefined {
    const path = (req.url ?? '').split('?')[0]!.replace(/^\/v\d+\.\d+/, '');
    return table.get(`${req.method} ${path}`);
  }

  /** Answers `status` with a JSON `{ message }` body. */
  static error(status: number, message: string): FakeRoute {
    return (_req, res) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ message }));
    };
  }

  /** Stops listening, drops every connection and removes the temp dir. */
  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
