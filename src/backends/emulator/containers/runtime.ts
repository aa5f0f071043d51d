/**
 * Running containers: start (network, ports, the main program), the exit that follows, and
 * the signals that end it (stop, kill). Docker's rules and messages throughout.
 *
 * @module
 */
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { AbortError, ConflictError, InvalidArgumentError, throwIfAborted } from '../../../core/errors.js';
import type { EngineEvent } from '../../../core/schemas/index.js';
import { clockSleep, type EmulatorClock } from '../clock.js';
import type { ProgramTable } from '../program.js';
import { isExecFailure } from './exec-failure.js';
import type { NetworkContainerInfo, NetworkLike } from './deps.js';
import { OutputFanout } from './fanout.js';
import { resolveUser, userEnv } from './user.js';
import { EmulatedProcess } from './process.js';
import type { ContainerRecord } from './record.js';
import { TerminalOutput } from './terminal.js';

/** What running containers needs from the backend. */
export interface RuntimeDeps {
  /** The virtual network. */
  network: NetworkLike;
  /** Time and timers. */
  clock: EmulatorClock;
  /** User programs. */
  programs?: ProgramTable;
  /** Publishes an event. */
  emit: (event: EngineEvent) => void;
  /** Called once a run has wound down (autoRemove hooks in here). */
  onExit: (record: ContainerRecord) => void;
}

/**
 * The environment a container's processes get: HOSTNAME, HOME (of the user), link variables,
 * the config's env, then `extra` (exec's env).
 *
 * @throws InvalidArgumentError when the user is not in the container's passwd file
 */
async function processEnv(deps: RuntimeDeps, record: ContainerRecord, extra: string[] = [], user = record.config.user): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const put = (entry: string): void => {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  };
  const ids = await resolveUser(record.fs, user);
  put(`HOSTNAME=${record.config.hostname}`);
  put(`HOME=${ids.home}`);
  for (const e of userEnv(ids)) put(e);
  for (const e of deps.network.linkEnv(record.id)) put(e);
  for (const e of record.config.env) put(e);
  for (const e of extra) put(e);
  return env;
}

/** The working directory programs start in. */
function processCwd(record: ContainerRecord, override?: string): string {
  return override || record.config.workingDir || '/';
}

/** What differs between a container's main process and one started by `docker exec`. */
export interface ContainerProcessSpec {
  /** The argument vector. */
  argv: string[];
  /** Environment entries (`K=V`) over the container's own (exec's `env`). */
  env?: string[];
  /** The user to run as (default: the container's). */
  user?: string;
  /** The working directory (default: the container's, else `/`). */
  workingDir?: string;
  /** True for the container's main process. */
  pid1: boolean;
  /** Standard input, when one is attached. */
  stdin?: Readable;
  /** Standard output. */
  stdout: Writable;
  /** Standard error (the same stream as stdout under a terminal). */
  stderr: Writable;
}

/**
 * Starts a program inside the container: with the container's environment, hostname,
 * filesystem, network, freezer and clock, so the main process and exec'd ones see the same world.
 *
 * @throws an exec failure (`isExecFailure`) when the command cannot be found or run
 */
export async function startContainerProcess(deps: RuntimeDeps, record: ContainerRecord, spec: ContainerProcessSpec): Promise<EmulatedProcess> {
  return EmulatedProcess.start({
    argv: spec.argv,
    env: await processEnv(deps, record, spec.env, spec.user ?? record.config.user),
    cwd: processCwd(record, spec.workingDir),
    hostname: record.config.hostname,
    fs: record.fs,
    net: deps.network.programNet(record.id),
    gate: record.gate,
    table: record.processes,
    scheduler: record.scheduler,
    clock: deps.clock,
    ...(deps.programs === undefined ? {} : { programs: deps.programs }),
    pid1: spec.pid1,
    ...(spec.stdin === undefined ? {} : { stdin: spec.stdin }),
    stdout: spec.stdout,
    stderr: spec.stderr,
  });
}

/** Sends an event about a container. */
export function emitContainer(deps: Pick<RuntimeDeps, 'emit' | 'clock'>, record: ContainerRecord, action: string, attributes: Record<string, string> = {}): void {
  deps.emit({
    type: 'container', action, id: record.id, name: record.name, time: deps.clock.now(),
    attributes: { image: record.imageRef, name: record.name, ...attributes },
  });
}

/**
 * Starts a created or exited container; a running one is left as it is.
 *
 * @throws ConflictError when a host port is taken (nothing stays open, the state is kept);
 *   InvalidArgumentError with Docker's `OCI runtime create failed: ...` text when the command
 *   cannot be found or run (the container stays `created`... or as it was, exit code 127/126)
 */
export async function startContainer(deps: RuntimeDeps, record: ContainerRecord): Promise<void> {
  if (record.state.status === 'running' || record.state.status === 'paused') return;
  if (record.exited) await record.exited;
  const argv = [...(record.config.entrypoint ?? []), ...(record.config.cmd ?? [])];
  await deps.network.attach(networkIdentity(record), networkSettings(record));
  try {
    record.ports = await deps.network.publish(record.id, record.request.ports, {
      publishAll: record.request.publishAll,
      exposedPorts: record.config.exposedPorts,
    });
  } catch (e) {
    await deps.network.detach(record.id);
    throw e;
  }

  const fanout = new OutputFanout(record.logs, 'stdout', record.attached.stdout);
  // A TTY container has one output stream, through the terminal's line discipline.
  const terminal = record.config.tty ? new TerminalOutput(fanout) : undefined;
  const stdout: Writable = terminal ?? fanout;
  const stderr: Writable = terminal ?? new OutputFanout(record.logs, 'stderr', record.attached.stderr);
  // stdin stays the same stream between attach and start; a run that ended it gets a new one.
  if (record.config.openStdin && (!record.stdin || record.stdin.writableEnded || record.stdin.destroyed)) record.stdin = new PassThrough();
  const stdin = record.config.openStdin ? record.stdin : undefined;
  let main: EmulatedProcess;
  try {
    main = await startContainerProcess(deps, record, { argv, pid1: true, ...(stdin === undefined ? {} : { stdin }), stdout, stderr });
  } catch (e) {
    await deps.network.unpublish(record.id);
    await deps.network.detach(record.id);
    record.ports = [];
    if (isExecFailure(e)) {
      record.state.exitCode = e.exitCode;
      throw new InvalidArgumentError(
        `failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${e.message}: unknown`,
        { cause: e, details: { container: record.id, exitCode: e.exitCode } },
      );
    }
    throw e;
  }
  record.main = main;
  record.output = { stdout, stderr };
  record.state = { status: 'running', exitCode: 0, startedAt: deps.clock.now() };
  record.logs.open();
  emitContainer(deps, record, 'start');
  record.exited = main.exit.then((code) => windDown(deps, record, main, code));
  // Like `docker start`, return once the program has begun: one turn of the event loop lets
  // it run up to its first real wait, so its first output is not lost to an immediate stop.
  await new Promise<void>((resolve) => setImmediate(resolve));
}

async function windDown(deps: RuntimeDeps, record: ContainerRecord, main: EmulatedProcess, code: number): Promise<void> {
  // The rest of the container dies with its PID 1, as in a PID namespace.
  for (const p of record.execs) p.deliver('SIGKILL');
  record.execs.clear();
  record.processes.clear();
  record.gate.resume();
  record.output?.stdout.end();
  record.output?.stderr.end();
  record.stdin?.end();
  record.logs.close();
  record.state = { status: 'exited', exitCode: code, finishedAt: deps.clock.now(), ...(record.state.startedAt ? { startedAt: record.state.startedAt } : {}) };
  record.ports = [];
  await deps.network.unpublish(record.id).catch(() => undefined);
  await deps.network.detach(record.id).catch(() => undefined);
  if (record.main === main) {
    delete record.main;
    delete record.output;
  }
  emitContainer(deps, record, 'die', { exitCode: String(code) });
  record.exited = undefined;
  deps.onExit(record);
}

/** The container as the network part knows it. */
export function networkIdentity(record: ContainerRecord): NetworkContainerInfo {
  return {
    id: record.id, name: record.name, hostname: record.config.hostname,
    exposedPorts: [...record.config.exposedPorts], env: [...record.config.env],
  };
}

/** The network, aliases and links the container was created with. */
export function networkSettings(record: ContainerRecord): { network?: string; aliases: string[]; links: { name: string; alias: string }[] } {
  const { network, networkAliases, links } = record.request;
  return { ...(network === undefined ? {} : { network }), aliases: networkAliases, links };
}

/** Whether the container's main process is running (paused counts as running). */
export function isRunning(record: ContainerRecord): boolean {
  return record.state.status === 'running' || record.state.status === 'paused';
}

/** Resolves once the current run (if any) has wound down. */
export async function waitExit(record: ContainerRecord, signal?: AbortSignal): Promise<number> {
  const exited = record.exited;
  if (exited) {
    if (!signal) await exited;
    else await Promise.race([exited, abortPromise(signal)]);
  }
  return record.state.exitCode;
}

/**
 * `docker stop`: the stop signal, then SIGKILL once `timeout` seconds have passed.
 * Stopping a container that is not running succeeds (Docker answers 304).
 */
export async function stopContainer(deps: RuntimeDeps, record: ContainerRecord, timeout: number | undefined, signal?: AbortSignal): Promise<void> {
  const main = record.main;
  if (!main || !isRunning(record)) return;
  const seconds = timeout ?? record.stopTimeout;
  emitContainer(deps, record, 'kill', { signal: record.stopSignal });
  // A paused program sees the signal when it is thawed; SIGKILL below ends it even frozen.
  main.deliver(record.stopSignal);
  // A negative timeout waits as long as it takes, as the engine does (`docker stop -t -1`).
  if (seconds !== 0) {
    const timer = new AbortController();
    const onAbort = (): void => timer.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const limit = seconds > 0
      ? clockSleep(deps.clock, seconds * 1000, timer.signal).catch(() => undefined)
      : new Promise<void>((resolve) => timer.signal.addEventListener('abort', () => resolve(), { once: true }));
    try {
      await Promise.race([main.exit, limit]);
    } finally {
      timer.abort();
      signal?.removeEventListener('abort', onAbort);
    }
    throwIfAborted(signal);
  }
  if (main.running) {
    emitContainer(deps, record, 'kill', { signal: 'SIGKILL' });
    main.deliver('SIGKILL');
  }
  await waitExit(record);
  emitContainer(deps, record, 'stop');
}

/**
 * `docker kill`: delivers `signalName` to the main process.
 *
 * @throws ConflictError when the container is not running
 */
export async function killContainer(deps: RuntimeDeps, record: ContainerRecord, signalName: string): Promise<void> {
  const main = record.main;
  if (!main || !isRunning(record)) {
    throw new ConflictError(`Cannot kill container: ${record.id}: Container ${record.id} is not running`, { details: { container: record.id } });
  }
  emitContainer(deps, record, 'kill', { signal: signalName });
  main.deliver(signalName);
  if (/^(SIG)?KILL$|^9$/i.test(signalName)) await waitExit(record);
}

function abortPromise(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = (): void => reject(new AbortError(undefined, { cause: signal.reason }));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
