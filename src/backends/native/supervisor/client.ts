/**
 * The SDK's side of the supervisor: one connection per request, and the supervisor started on
 * demand (detached, in its own session, output to `runRoot/supervisor.log`, unref'd so the SDK
 * process can exit while containers run on). Several SDK processes may race to start it: each
 * spawns one, all but one exit at once (the singleton lock), and everyone connects to the one
 * that listens.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { abortErrorFrom, BackendUnavailableError, StowageError, throwIfAborted } from '../../../core/errors.js';
import type { NativeNetworkSettings } from '../context.js';
import type { NativePaths } from '../paths.js';
import { fromWire, readLine, type Request, type Response } from './protocol.js';

/** How long a fresh supervisor may take to listen. */
const START_TIMEOUT_MS = 20_000;

/** The command that runs the supervisor: the compiled `main.js`, or `main.ts` through tsx in a source checkout. */
export function supervisorCommand(): { command: string; args: string[] } {
  const here = dirname(fileURLToPath(import.meta.url));
  const js = join(here, 'main.js');
  if (existsSync(js)) return { command: process.execPath, args: [js] };
  const ts = join(here, 'main.ts');
  if (existsSync(ts)) {
    const loader = createRequire(import.meta.url).resolve('tsx');
    return { command: process.execPath, args: ['--import', pathToFileURL(loader).href, ts] };
  }
  throw new BackendUnavailableError('the native supervisor entry point is missing from this installation', { details: { dir: here } });
}

function tryConnect(path: string): Promise<Socket | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve(undefined);
      else reject(error);
    });
  });
}

/** Talks to (and starts) the supervisor of one root. */
export class SupervisorClient {
  readonly #paths: NativePaths;
  readonly #idleMs: number;
  #starting: Promise<void> | undefined;

  readonly #network: NativeNetworkSettings | undefined;

  constructor(paths: NativePaths, options: { idleMs: number; network?: NativeNetworkSettings }) {
    this.#paths = paths;
    this.#idleMs = options.idleMs;
    this.#network = options.network;
  }

  /** A connection to the supervisor, starting it when none listens. */
  async connect(signal?: AbortSignal): Promise<Socket> {
    throwIfAborted(signal);
    const first = await tryConnect(this.#paths.supervisorSocket);
    if (first) return first;
    this.#starting ??= this.#start(signal).finally(() => { this.#starting = undefined; });
    await this.#starting;
    const socket = await tryConnect(this.#paths.supervisorSocket);
    if (!socket) throw new BackendUnavailableError('the native supervisor is not listening', { details: { socket: this.#paths.supervisorSocket } });
    return socket;
  }

  async #start(signal?: AbortSignal): Promise<void> {
    const { command, args } = supervisorCommand();
    const log = openSync(this.#paths.supervisorLog, 'a');
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    let exited: number | null | undefined;
    try {
      const child = spawn(command, [...args, JSON.stringify({ root: this.#paths.root, runRoot: this.#paths.runRoot, idleMs: this.#idleMs, network: this.#network })], {
        detached: true,
        stdio: ['ignore', log, log],
        cwd: '/',
        env,
      });
      child.on('exit', (code) => { exited = code; });
      child.unref();
    } finally {
      closeSync(log);
    }
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      if (signal?.aborted) throw abortErrorFrom(signal);
      const socket = await tryConnect(this.#paths.supervisorSocket);
      if (socket) {
        socket.destroy();
        return;
      }
      // Exit code 0 means another supervisor holds the root: keep waiting for it to listen.
      if ((exited !== undefined && exited !== 0) || Date.now() > deadline) {
        const tail = (await readFile(this.#paths.supervisorLog, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
        throw new BackendUnavailableError(`the native supervisor did not start${exited !== undefined ? ` (exit ${exited})` : ''}: ${tail.trim()}`, {
          details: { log: this.#paths.supervisorLog },
        });
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** Sends a request; resolves its result. @throws the error the supervisor reported */
  async request(request: Request, signal?: AbortSignal): Promise<unknown> {
    const socket = await this.connect(signal);
    const onAbort = (): void => { socket.destroy(); };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      socket.write(`${JSON.stringify(request)}\n`);
      const response = JSON.parse(await readLine(socket)) as Response;
      if (!response.ok) throw fromWire(response.error);
      return response.result;
    } catch (error) {
      if (signal?.aborted) throw abortErrorFrom(signal);
      if (error instanceof StowageError) throw error;
      throw new BackendUnavailableError(`lost the native supervisor: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (request.op !== 'attach') socket.destroy();
    }
  }

  /** Opens an attach stream: the socket carries frames out and stdin in. */
  async attach(id: string, stdin: boolean, signal?: AbortSignal): Promise<Socket> {
    const socket = await this.connect(signal);
    socket.write(`${JSON.stringify({ op: 'attach', id, stdin })}\n`);
    const response = JSON.parse(await readLine(socket)) as Response;
    if (!response.ok) {
      socket.destroy();
      throw fromWire(response.error);
    }
    return socket;
  }

  /** Asks the supervisor to kill every container it runs and exit (tests, shutdown). */
  async shutdown(): Promise<void> {
    const socket = await tryConnect(this.#paths.supervisorSocket);
    if (!socket) return;
    socket.write(`${JSON.stringify({ op: 'shutdown' })}\n`);
    await readLine(socket).catch(() => undefined);
    socket.destroy();
  }
}
