/**
 * The supervisor: one per state root, owner of every container's processes. It runs each
 * container as a `runc run` child, writes its logs and its state (running, exited with its
 * code and time), and carries out what SDK processes ask over its socket: start, stop, kill,
 * restart, pause, unpause, remove, wait, attach. Operations on one container are serialised;
 * different containers proceed in parallel.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { ConflictError, InvalidArgumentError, UnsupportedError } from '../../../core/errors.js';
import { PortProxy } from '../network/index.js';
import { setUpNetwork, tearDownNetwork } from './networking.js';
import type { NativeContext } from '../context.js';
import { releaseRootfs } from '../containers/rootfs.js';
import type { ContainerState } from '../containers/record.js';
import { prepareBundle } from './bundle-prep.js';
import { frameHeader } from './protocol.js';
import { ContainerRun, StartFailure, type OutputSink } from './runner.js';
import { normalizeSignal } from './signals.js';
import { crashPoint } from '../state/crash-point.js';

/** The supervisor's state for one root. */
export class Supervisor {
  readonly ctx: NativeContext;
  readonly #runs = new Map<string, ContainerRun>();
  /** Attach clients waiting for a container to start. */
  readonly #waitingAttach = new Map<string, Set<OutputSink & { stdin?: Socket }>>();
  /** Per-container operation queues. */
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Resolved once each run's exit is recorded. */
  readonly #recorded = new Map<string, Promise<void>>();
  /** Published ports of every running container. */
  readonly #proxy = new PortProxy();
  /**
   * Network teardowns still running, by container. A namespace takes ~80 ms to take apart
   * (CNI DEL, the namespace itself): that happens after the exit is recorded and waiters are
   * answered, off everyone's path; only a new start of the same container waits for it.
   */
  readonly #teardowns = new Map<string, Promise<void>>();
  #defaultNetwork: Promise<unknown> | undefined;

  constructor(ctx: NativeContext) {
    this.ctx = ctx;
  }

  /** Makes the default network once per supervisor (retried after a failure). */
  #ensureDefault = async (): Promise<void> => {
    this.#defaultNetwork ??= this.ctx.networks.ensureDefault().catch((error: unknown) => {
      this.#defaultNetwork = undefined;
      throw error;
    });
    await this.#defaultNetwork;
  };

  /** How many containers run now. */
  get running(): number {
    return this.#runs.size;
  }

  /** Runs `fn` after every earlier operation on container `id`. */
  #serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.#queues.set(id, next);
    void next.finally(() => {
      if (this.#queues.get(id) === next) this.#queues.delete(id);
    }).catch(() => undefined);
    return next;
  }

  async #state(id: string): Promise<{ name: string; state: ContainerState; autoRemove: boolean; stopSignal: string; stopTimeout: number | undefined; openStdin: boolean }> {
    const { record, state } = await this.ctx.containers.get(id);
    return { name: record.name, state, autoRemove: record.host.autoRemove, stopSignal: record.config.stopSignal, stopTimeout: record.config.stopTimeout, openStdin: record.config.openStdin };
  }

  /** Starts a container (a running one is left as it is). */
  start(id: string): Promise<void> {
    return this.#serial(id, () => this.#start(id));
  }

  async #start(id: string): Promise<void> {
    if (this.#runs.has(id)) return;
    await this.#teardowns.get(id);
    const { record, state } = await this.ctx.containers.get(id);
    const network = await setUpNetwork(this.ctx, record, this.#proxy, this.#ensureDefault);
    const sinks = this.#waitingAttach.get(id) ?? new Set();
    let run: ContainerRun;
    try {
      const bundle = await prepareBundle(this.ctx, record, network);
      this.#waitingAttach.delete(id);
      run = await ContainerRun.start(this.ctx.runc, id, bundle, { logPath: this.ctx.containers.dir(id).log, openStdin: record.config.openStdin, tty: record.config.tty, sinks });
    } catch (error) {
      await tearDownNetwork(this.ctx, id, this.#proxy);
      if (!(error instanceof StartFailure)) throw error;
      await this.ctx.containers.putState(id, { ...state, exitCode: error.exitCode, error: error.message });
      for (const sink of sinks) sink.end();
      throw new InvalidArgumentError(error.message, { details: { container: id, exitCode: error.exitCode } });
    }
    this.#runs.set(id, run);
    crashPoint('start:after-runc');
    for (const sink of sinks) if (sink.stdin && run.stdin) sink.stdin.pipe(run.stdin, { end: false });
    const startedAt = new Date().toISOString();
    await this.ctx.containers.putState(id, {
      status: 'running', pid: run.pid, exitCode: 0, startedAt, starts: (state.starts ?? 0) + 1, ports: network.ports, networks: network.networks,
    });
    await this.ctx.events.append({ type: 'container', action: 'start', id, name: record.name, attributes: { image: record.image, name: record.name } });
    this.#recorded.set(id, run.exited.then((code) => this.#onExit(id, run, code, startedAt)));
  }

  async #onExit(id: string, run: ContainerRun, exitCode: number, startedAt: string): Promise<void> {
    if (this.#runs.get(id) === run) this.#runs.delete(id);
    // The ports close at once (a new container may want them); the namespace goes after.
    await this.#proxy.unpublish(id);
    this.#tearDownLater(id);
    const found = await this.ctx.containers.read(id).catch(() => undefined);
    if (!found) return;
    await this.ctx.containers.putState(id, { status: 'exited', exitCode, startedAt, finishedAt: new Date().toISOString(), starts: found.state.starts });
    await this.ctx.events.append({ type: 'container', action: 'die', id, name: found.record.name, attributes: { exitCode: String(exitCode), image: found.record.image, name: found.record.name } });
    if (found.record.host.autoRemove) {
      // Not serialised behind an operation that waits for this very exit (stop, restart).
      void this.#remove(id, true, true).catch(() => undefined);
    }
  }

  /** Resolves once the current run (if any) has ended and its exit is recorded. */
  async #ended(id: string): Promise<void> {
    const run = this.#runs.get(id);
    if (run) await run.exited;
    await this.#recorded.get(id);
  }

  async #signal(id: string, signal: string): Promise<void> {
    await this.ctx.runc.kill(id, signal).catch(() => undefined);
    const { state } = await this.#state(id);
    // A frozen process cannot act on a signal; SIGKILL must reach it, so thaw it.
    if (state.status === 'paused' && signal === 'KILL') {
      await this.ctx.runc.resume(id).catch(() => undefined);
      await this.ctx.containers.putState(id, { ...state, status: 'running' });
    }
  }

  /** Stops a container: its stop signal, then SIGKILL after `timeout` seconds (-1: wait for ever). */
  stop(id: string, timeout?: number): Promise<void> {
    return this.#serial(id, () => this.#stop(id, timeout));
  }

  async #stop(id: string, timeout?: number): Promise<void> {
    const run = this.#runs.get(id);
    if (!run) return;
    const info = await this.#state(id);
    const seconds = timeout ?? info.stopTimeout ?? 10;
    await this.#signal(id, normalizeSignal(info.stopSignal));
    if (info.state.status === 'paused') {
      await this.ctx.runc.resume(id).catch(() => undefined);
      await this.ctx.containers.putState(id, { ...info.state, status: 'running' });
    }
    let timer: NodeJS.Timeout | undefined;
    const expired = seconds < 0 ? new Promise<never>(() => undefined) : new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), seconds * 1000); });
    const outcome = await Promise.race([run.exited.then(() => 'exited' as const), expired]);
    clearTimeout(timer);
    if (outcome === 'timeout') await this.#signal(id, 'KILL');
    await this.#ended(id);
    await this.ctx.events.append({ type: 'container', action: 'stop', id, name: info.name, attributes: { name: info.name } });
  }

  /** Sends a signal to the container's init. @throws ConflictError when it is not running */
  kill(id: string, posixSignal: string): Promise<void> {
    return this.#serial(id, async () => {
      const signal = normalizeSignal(posixSignal);
      const info = await this.#state(id);
      if (!this.#runs.has(id)) throw new ConflictError(`Container ${id} is not running`, { details: { container: id } });
      await this.#signal(id, signal);
      await this.ctx.events.append({ type: 'container', action: 'kill', id, name: info.name, attributes: { name: info.name, signal } });
    });
  }

  /** Stops (with `timeout`) and starts again. */
  restart(id: string, timeout?: number): Promise<void> {
    return this.#serial(id, async () => {
      await this.#stop(id, timeout);
      await this.#start(id);
    });
  }

  /** Freezes a running container. */
  pause(id: string): Promise<void> {
    return this.#serial(id, async () => {
      const info = await this.#state(id);
      if (!this.#runs.has(id)) throw new ConflictError(`Container ${id} is not running`, { details: { container: id } });
      if (info.state.status === 'paused') throw new ConflictError(`Container ${id} is already paused`, { details: { container: id } });
      await this.ctx.runc.pause(id);
      await this.ctx.containers.putState(id, { ...info.state, status: 'paused' });
      await this.ctx.events.append({ type: 'container', action: 'pause', id, name: info.name, attributes: { name: info.name } });
    });
  }

  /** Thaws a paused container. */
  unpause(id: string): Promise<void> {
    return this.#serial(id, async () => {
      const info = await this.#state(id);
      if (info.state.status !== 'paused') throw new ConflictError(`Container ${id} is not paused`, { details: { container: id } });
      await this.ctx.runc.resume(id);
      await this.ctx.containers.putState(id, { ...info.state, status: 'running' });
      await this.ctx.events.append({ type: 'container', action: 'unpause', id, name: info.name, attributes: { name: info.name } });
    });
  }

  /** Resolves with the exit code once the container is not running. */
  async wait(id: string): Promise<number> {
    await this.#ended(id);
    return (await this.#state(id)).state.exitCode;
  }

  /** Removes a container (ConflictError while it runs, unless forced). */
  remove(id: string, force: boolean, volumes: boolean): Promise<void> {
    return this.#serial(id, () => this.#remove(id, force, volumes));
  }

  async #remove(id: string, force: boolean, volumes: boolean): Promise<void> {
    const found = await this.ctx.containers.read(id);
    if (!found) return;
    if (this.#runs.has(id)) {
      if (!force) {
        throw new ConflictError(`You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`, { details: { container: id } });
      }
      await this.#signal(id, 'KILL');
      await this.#ended(id);
    }
    // The network half may still write this container's hosts file (in its directory) until
    // its sandbox is gone: the directory goes after the teardown.
    await this.#teardowns.get(id);
    await this.ctx.locked(async () => {
      await releaseRootfs(this.ctx.containers, id);
      crashPoint('remove:after-unmount');
      await this.ctx.runc.deleteForce(id);
      await this.ctx.containers.delete(id, found.record.name);
      if (volumes) {
        const inUse = new Set((await this.ctx.containers.all()).flatMap((c) => c.record.mounts.map((m) => m.name)));
        for (const m of found.record.mounts) if (m.anonymous && m.name && !inUse.has(m.name)) await this.ctx.volumes.delete(m.name);
      }
    });
    this.#recorded.delete(id);
    await this.ctx.events.append({ type: 'container', action: 'destroy', id, name: found.record.name, attributes: { name: found.record.name } });
  }

  /** Attaches a client: output frames to it, its bytes to the container's stdin. */
  async attach(id: string, socket: Socket, stdin: boolean): Promise<void> {
    await this.ctx.containers.get(id);
    const sink: OutputSink & { stdin?: Socket } = {
      write: (stream, chunk) => {
        socket.write(Buffer.concat([frameHeader(stream, chunk.length), chunk]));
      },
      end: () => socket.end(),
      ...(stdin ? { stdin: socket } : {}),
    };
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#runs.get(id)?.detach(sink);
      this.#waitingAttach.get(id)?.delete(sink);
    });
    const run = this.#runs.get(id);
    if (run) {
      run.attach(sink);
      if (stdin && run.stdin) socket.pipe(run.stdin, { end: false });
      else socket.resume();
    } else {
      let set = this.#waitingAttach.get(id);
      if (!set) this.#waitingAttach.set(id, (set = new Set()));
      set.add(sink);
      if (!stdin) socket.resume();
    }
  }

  /** Takes a container's network apart in the background (tracked: see #teardowns). */
  #tearDownLater(id: string): void {
    const previous = this.#teardowns.get(id) ?? Promise.resolve();
    const next = previous.then(() => tearDownNetwork(this.ctx, id, this.#proxy)).catch(() => undefined);
    this.#teardowns.set(id, next);
    void next.then(() => {
      if (this.#teardowns.get(id) === next) this.#teardowns.delete(id);
    });
  }

  /** Whether network teardowns are still running (the supervisor is not idle then). */
  get tearingDown(): boolean {
    return this.#teardowns.size > 0;
  }

  /** Kills every container this supervisor runs, finishes teardowns, closes the port proxy (shutdown). */
  async killAll(): Promise<void> {
    for (const id of [...this.#runs.keys()]) await this.#signal(id, 'KILL');
    await Promise.all([...this.#recorded.values()]);
    await Promise.all([...this.#teardowns.values()]);
    await this.#proxy.close();
  }

  /** Connects a running container to another network. */
  connect(id: string, network: string, aliases: string[]): Promise<void> {
    return this.#serial(id, async () => {
      const { record, state } = await this.ctx.containers.get(id);
      if (!this.#runs.has(id)) {
        throw new UnsupportedError('the native backend connects running containers only', { details: { container: id, network } });
      }
      const endpoint = await this.ctx.networks.connect(id, network, { name: record.name, aliases });
      const info = await this.ctx.networks.inspect(network);
      await this.ctx.containers.putState(id, {
        ...state,
        networks: { ...state.networks, [info.name]: { ipAddress: endpoint.ipAddress, aliases: endpoint.aliases, gateway: endpoint.gateway, macAddress: endpoint.macAddress } },
      });
      await this.ctx.events.append({ type: 'network', action: 'connect', id: info.id, name: info.name, attributes: { container: id, name: info.name } });
    });
  }

  /** Disconnects a running container from a network. */
  disconnect(id: string, network: string): Promise<void> {
    return this.#serial(id, async () => {
      const { state } = await this.ctx.containers.get(id);
      const info = await this.ctx.networks.inspect(network);
      if (!this.#runs.has(id)) {
        throw new UnsupportedError('the native backend disconnects running containers only', { details: { container: id, network } });
      }
      await this.ctx.networks.disconnect(id, info.name);
      const networks = { ...state.networks };
      delete networks[info.name];
      await this.ctx.containers.putState(id, { ...state, networks });
      await this.ctx.events.append({ type: 'network', action: 'disconnect', id: info.id, name: info.name, attributes: { container: id, name: info.name } });
    });
  }
}
