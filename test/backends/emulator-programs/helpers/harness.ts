/**
 * Runs programs the way the emulator will: a ProgramContext over an in-memory filesystem laid
 * out like an imported busybox rootfs (every applet a symlink to /bin/busybox), a fake virtual
 * network with in-process listeners, and `launch` for dispatch.
 */
import { Duplex, PassThrough, Writable } from 'node:stream';
import { launch, type LaunchOptions } from '../../../../src/backends/emulator/exec/launch.js';
import type { ProgramContext, ProgramNet } from '../../../../src/backends/emulator/program.js';
import type { FileSystemApi } from '../../../../src/fs-union/fs-api.js';
import { builtinPrograms } from '../../../../src/backends/emulator/programs/index.js';
import { PauseGate } from '../../../../src/backends/emulator/containers/pause-gate.js';
import { processControls } from '../../../../src/backends/emulator/containers/process-controls.js';
import { ProcessTable } from '../../../../src/backends/emulator/containers/process-table.js';
import { Scheduler } from '../../../../src/backends/emulator/containers/scheduler.js';
import { MemoryFs } from './memory-fs.js';

/** A connected pair of in-memory sockets. */
export function duplexPair(): [Duplex, Duplex] {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  return [Duplex.from({ readable: bToA, writable: aToB }), Duplex.from({ readable: aToB, writable: bToA })];
}

/** A fake virtual network: names resolve through `hosts`, listeners are keyed by ip:port. */
export class FakeNet {
  readonly hosts = new Map<string, string>([['localhost', '127.0.0.1']]);
  readonly listeners = new Map<string, (socket: Duplex) => void>();

  /** The ProgramNet of a container with address `ip`. */
  forContainer(ip: string): ProgramNet {
    return {
      listen: async (port, handler) => {
        this.listeners.set(`${ip}:${port}`, handler);
        this.listeners.set(`127.0.0.1:${port}@${ip}`, handler);
      },
      resolve: async (name) => {
        if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return name;
        const found = this.hosts.get(name);
        if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
        return found;
      },
      connect: async (host, port) => {
        const addr = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : this.hosts.get(host);
        if (!addr) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
        const handler = this.listeners.get(addr === '127.0.0.1' ? `127.0.0.1:${port}@${ip}` : `${addr}:${port}`);
        if (!handler) throw Object.assign(new Error(`connect ECONNREFUSED ${addr}:${port}`), { code: 'ECONNREFUSED' });
        const [client, server] = duplexPair();
        handler(server);
        return client;
      },
    };
  }
}

/** A Writable that keeps what it is given. */
export class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk);
    cb();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Builds a busybox-like rootfs (in `fs`, by default a fresh in-memory one). */
export async function createRootfs<T extends FileSystemApi = MemoryFs>(fs: T = new MemoryFs() as unknown as T): Promise<T> {
  for (const d of ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/etc', '/tmp', '/root', '/home', '/var/www', '/dev']) {
    await fs.mkdir(d, { recursive: true });
  }
  await fs.writeFile('/bin/busybox', '\x7fELF fake', { mode: 0o755 });
  for (const name of Object.keys(builtinPrograms)) {
    if (name === 'busybox') continue;
    await fs.symlink('busybox', `/bin/${name}`);
  }
  await fs.writeFile('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\nwww:x:33:33:www:/var/www:/bin/false\n');
  await fs.writeFile('/etc/group', 'root:x:0:\nnogroup:x:65534:\nwww-data:x:33:\n');
  return fs;
}

/** Options of {@link run}. */
export interface RunOptions {
  fs?: FileSystemApi;
  stdin?: string | PassThrough;
  env?: Record<string, string>;
  cwd?: string;
  signal?: AbortSignal;
  net?: ProgramNet;
  launch?: LaunchOptions;
  stdout?: Writable;
  /** Called when the program starts a sleep (lets tests know it is waiting). */
  onSleep?: (ms: number) => void;
  /** The container's process table (default: a fresh one with the default limit). */
  processes?: ProcessTable;
}

/** The outcome of a run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  fs: FileSystemApi;
}

/** Builds a context. */
export function makeContext(fs: FileSystemApi, options: RunOptions, stdout: Writable, stderr: Writable): ProgramContext {
  let stdin: PassThrough;
  if (options.stdin instanceof PassThrough) stdin = options.stdin;
  else {
    stdin = new PassThrough();
    stdin.end(options.stdin ?? '');
  }
  const signal = options.signal ?? new AbortController().signal;
  const table = options.processes ?? new ProcessTable();
  const controls = processControls(
    { table, scheduler: new Scheduler(), gate: new PauseGate(), fatal: new AbortController().signal },
    table.add(0, ['sh'], true),
  );
  const ctx: ProgramContext = {
    ...controls,
    argv: [],
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', HOSTNAME: 'box', ...options.env },
    cwd: options.cwd ?? '/',
    hostname: 'box',
    stdin,
    stdout,
    stderr,
    fs,
    net: options.net ?? new FakeNet().forContainer('172.17.0.2'),
    signal,
    sleep: (ms) =>
      new Promise<void>((resolve, reject) => {
        options.onSleep?.(ms);
        if (signal.aborted) return reject(new Error(String(signal.reason)));
        const t = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, ms);
        const onAbort = (): void => {
          clearTimeout(t);
          reject(new Error(String(signal.reason)));
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    exec: () => Promise.reject(new Error('replaced by launch')),
  };
  return ctx;
}

/** Runs `argv` to completion. */
export async function run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const fs = options.fs ?? (await createRootfs());
  const stdout = new Collector();
  const stderr = new Collector();
  const ctx = makeContext(fs, options, options.stdout ?? stdout, stderr);
  const code = await launch(argv, ctx, options.launch);
  return { code, stdout: stdout.text, stderr: stderr.text, fs };
}

/** Runs `sh -c script`. */
export function sh(script: string, options: RunOptions = {}): Promise<RunResult> {
  return run(['sh', '-c', script], options);
}

/** Polls `check` until it is true, at most `tries` times. */
export async function until(check: () => boolean | Promise<boolean>, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}
