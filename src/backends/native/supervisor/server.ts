/**
 * The supervisor's socket server: reads one request per connection, runs it, writes the
 * response; an `attach` connection then stays open for the streams. It also decides when the
 * supervisor may exit: after `idleMs` with no container running and no connection open.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { readLine, RequestSchema, toWire, type Request, type Response } from './protocol.js';
import type { Supervisor } from './supervisor.js';

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Socket path. */
  path: string;
  /** Exit after this long idle (ms); 0: never. */
  idleMs: number;
  /** Called when the supervisor should exit. */
  onExit(): void;
  /** Called when the socket file disappeared (the runtime root was deleted). */
  onGone(): void;
}

async function handle(supervisor: Supervisor, request: Request, socket: Socket, shutdown: () => void): Promise<unknown> {
  switch (request.op) {
    case 'ping': return { pid: process.pid };
    case 'start': return supervisor.start(request.id);
    case 'stop': return supervisor.stop(request.id, request.timeout);
    case 'kill': return supervisor.kill(request.id, request.signal);
    case 'restart': return supervisor.restart(request.id, request.timeout);
    case 'pause': return supervisor.pause(request.id);
    case 'unpause': return supervisor.unpause(request.id);
    case 'remove': return supervisor.remove(request.id, request.force, request.volumes);
    case 'wait': return { exitCode: await supervisor.wait(request.id) };
    case 'attach': return supervisor.attach(request.id, socket, request.stdin);
    case 'connect': return supervisor.connect(request.id, request.network, request.aliases);
    case 'disconnect': return supervisor.disconnect(request.id, request.network);
    case 'shutdown':
      // Containers die with their supervisor's will: nobody could record their exit after it.
      await supervisor.killAll();
      shutdown();
      return undefined;
  }
}

/** Listens on the socket; resolves the server once it accepts connections. */
export async function serve(supervisor: Supervisor, options: ServeOptions): Promise<Server> {
  const open = new Set<Socket>();
  let idleTimer: NodeJS.Timeout | undefined;
  const busy = (): boolean => open.size > 0 || supervisor.running > 0 || supervisor.tearingDown;
  const checkIdle = (): void => {
    if (options.idleMs <= 0) return;
    if (busy()) {
      clearTimeout(idleTimer);
      idleTimer = undefined;
      return;
    }
    // Already counting down: a later check must not restart the count.
    if (idleTimer !== undefined) return;
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      if (busy()) return;
      options.onExit();
    }, options.idleMs);
  };
  // Half-open: an attached client that ends its stdin still reads the container's output.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    open.add(socket);
    checkIdle();
    socket.on('error', () => undefined);
    socket.on('close', () => {
      open.delete(socket);
      checkIdle();
    });
    void (async () => {
      let response: Response;
      let attach = false;
      try {
        const request = RequestSchema.parse(JSON.parse(await readLine(socket)));
        attach = request.op === 'attach';
        const result = await handle(supervisor, request, socket, options.onExit);
        response = { ok: true, ...(result !== undefined ? { result } : {}) };
      } catch (error) {
        attach = false;
        response = { ok: false, error: toWire(error) };
      }
      if (socket.destroyed) return;
      socket.write(`${JSON.stringify(response)}\n`);
      if (!attach) socket.end();
    })();
  });
  // Containers ending also make the supervisor idle; a runtime root deleted under us (its
  // socket gone) means nobody can reach us again.
  const poll = setInterval(() => {
    if (!existsSync(options.path)) options.onGone();
    else checkIdle();
  }, Math.max(1000, Math.min(options.idleMs || 5000, 5000) / 2));
  poll.unref();
  await rm(options.path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.path, () => resolve());
  });
  checkIdle();
  return server;
}
