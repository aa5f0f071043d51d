/**
 * The `Container` handle: every container operation of the public API, written once over the
 * {@link Backend} interface.
 *
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import type { Backend, WaitResult } from './backend.js';
import { applyAbort } from './abort.js';
import { collect, DEFAULT_MAX_BUFFER, feedStdin, spawnFacade, type ExecResult, type SpawnedProcess } from './exec-io.js';
import { Image } from './image.js';
import { archivePath, imageRefInput, renameTarget } from './edge-checks.js';
import { Ownership } from './owned.js';
import { parseSignal } from './signals.js';
import { normalizeEnv } from './specs/index.js';
import {
  AttachOptionsSchema,
  ChangeSchema,
  CommitOptionsSchema,
  ContainerInfoSchema,
  ContainerRemoveOptionsSchema,
  ExecOptionsSchema,
  KillOptionsSchema,
  LogsOptionsSchema,
  PortNumber,
  PortOptionsSchema,
  SignalOptionSchema,
  SpawnOptionsSchema,
  StopOptionsSchema,
  parseInput,
  parseOutput,
  type AttachOptions,
  type Change,
  type ContainerRemoveOptions,
  type HostBinding,
  type CommitOptions,
  type ContainerInfo,
  type KillOptions,
  type LogLine,
  type LogsOptions,
  type PortOptions,
  type SignalOptions,
  type SpawnOptions,
  type StopOptions,
} from './schemas/index.js';
import { deferredReadable, toReadable, type ByteSource } from './streams.js';

/** Options of `container.exec()`. */
export interface ExecOptions<E extends 'utf8' | 'buffer' = 'utf8' | 'buffer'> extends SignalOptions {
  /** Extra environment (`K=V` strings or a record). */
  env?: Record<string, string> | string[];
  /** Working directory inside the container. */
  workingDir?: string;
  /** User to run as. */
  user?: string;
  /** Data for the process's standard input (then closed). `docker exec -i`. */
  stdin?: string | Uint8Array | Readable;
  /** Cap on collected output per stream (default 64 MiB). */
  maxBuffer?: number;
  /** `utf8` (default) gives strings, `buffer` gives Buffers. */
  encoding?: E;
}

/** The streams of a container's main process, from `container.attach()`. */
export interface AttachedIO {
  /** The main process's standard input (null unless requested and the container has `openStdin`). */
  stdin: Writable | null;
  /** Standard output. */
  stdout: Readable;
  /** Standard error. */
  stderr: Readable;
}

/**
 * A container. Obtained from `engine.containers.create/run/get/list`.
 *
 * @example
 * ```ts
 * await using c = await engine.containers.run({ image: 'busybox', cmd: ['sh', '-c', 'echo hi'] });
 * const { exitCode } = await c.wait();
 * for await (const line of c.logs()) console.log(line.text);
 * ```
 */
export class Container {
  readonly #backend: Backend;
  readonly #ownership: Ownership;
  #name: string;

  /** The full 64-hex ID. */
  readonly id: string;

  /** @internal Use `engine.containers` to obtain containers. */
  constructor(backend: Backend, id: string, name: string, owned: boolean) {
    this.#backend = backend;
    this.id = id;
    this.#name = name;
    this.#ownership = new Ownership(owned);
  }

  /** The name, without Docker's leading slash (kept current by `rename`). */
  get name(): string {
    return this.#name;
  }

  /** Starts the container (a running one is left as it is). */
  async start(options: SignalOptions = {}): Promise<void> {
    const opts = signalOptions(options);
    await applyAbort(opts.signal, () => this.#backend.containers.start(this.id, opts));
  }

  /** Resolves with the exit code once the container is not running. */
  async wait(options: SignalOptions = {}): Promise<WaitResult> {
    const opts = signalOptions(options);
    return applyAbort(opts.signal, () => this.#backend.containers.wait(this.id, opts));
  }

  /**
   * Sends the stop signal, then SIGKILL after `timeout` seconds (default 10; negative: no
   * limit, as the engine does).
   */
  async stop(options: StopOptions = {}): Promise<void> {
    const opts = parseInput(StopOptionsSchema, options, 'options');
    await applyAbort(opts.signal, () => this.#backend.containers.stop(this.id, opts));
  }

  /**
   * Sends a signal to the main process (default SIGKILL; `KILL`, `kill`, `9`, `SIGRTMIN+3` as
   * the engine takes them; others are refused). The POSIX signal is `signal`; an AbortSignal
   * goes in the second argument.
   */
  async kill(options: KillOptions = {}, call: SignalOptions = {}): Promise<void> {
    const opts = parseInput(KillOptionsSchema, options, 'options');
    const posix = opts.signal === undefined ? '' : parseSignal(opts.signal, 'options.signal');
    const callOpts = signalOptions(call, 'call');
    await applyAbort(callOpts.signal, () => this.#backend.containers.kill(this.id, posix || 'SIGKILL', callOpts));
  }

  /** Stops (see {@link Container.stop} for `timeout`) and starts the container again. */
  async restart(options: StopOptions = {}): Promise<void> {
    const opts = parseInput(StopOptionsSchema, options, 'options');
    await applyAbort(opts.signal, () => this.#backend.containers.restart(this.id, opts));
  }

  /** Freezes the container's processes. */
  async pause(options: SignalOptions = {}): Promise<void> {
    const opts = signalOptions(options);
    await applyAbort(opts.signal, () => this.#backend.containers.pause(this.id, opts));
  }

  /** Thaws a paused container. */
  async unpause(options: SignalOptions = {}): Promise<void> {
    const opts = signalOptions(options);
    await applyAbort(opts.signal, () => this.#backend.containers.unpause(this.id, opts));
  }

  /**
   * Renames the container (`web9`; a leading `/` is dropped). ConflictError when the name is
   * taken; InvalidArgumentError, in the engine's words, for an empty or malformed name.
   */
  async rename(name: string, options: SignalOptions = {}): Promise<void> {
    const next = renameTarget(name);
    const opts = signalOptions(options);
    await applyAbort(opts.signal, () => this.#backend.containers.rename(this.id, next, opts));
    this.#name = next;
  }

  /** Removes the container (ConflictError when running, unless `force`). */
  async remove(options: ContainerRemoveOptions = {}): Promise<void> {
    const opts = parseInput(ContainerRemoveOptionsSchema, options, 'options');
    await applyAbort(opts.signal, () => this.#backend.containers.remove(this.id, opts));
  }

  /** Inspects the container. */
  async inspect(options: SignalOptions = {}): Promise<ContainerInfo> {
    const opts = signalOptions(options);
    const info = parseOutput(ContainerInfoSchema, await applyAbort(opts.signal, () => this.#backend.containers.inspect(this.id, opts)), 'ContainerInfo');
    this.#name = info.name;
    return info;
  }

  /**
   * Runs a command inside the running container and collects its output.
   *
   * @example
   * ```ts
   * const { exitCode, stdout } = await c.exec(['cat', '/data1/abc.txt']);
   * ```
   */
  exec(argv: string[], options?: ExecOptions<'utf8'>): Promise<ExecResult<string>>;
  /** Runs a command and collects its output as Buffers. */
  exec(argv: string[], options: ExecOptions<'buffer'>): Promise<ExecResult<Buffer>>;
  async exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const opts = parseInput(ExecOptionsSchema, options, 'options');
    const command = parseArgv(argv);
    const hasStdin = opts.stdin !== undefined;
    return applyAbort(opts.signal, async () => {
      const proc = await this.#backend.containers.exec(this.id, {
        argv: command,
        env: normalizeEnv(opts.env, 'options.env'),
        workingDir: opts.workingDir,
        user: opts.user,
        stdin: hasStdin,
        tty: false,
      }, { signal: opts.signal });
      const max = opts.maxBuffer ?? DEFAULT_MAX_BUFFER;
      const feeding = hasStdin && proc.stdin ? feedStdin(proc.stdin, opts.stdin!) : Promise.resolve();
      const [out, err, exitCode] = await Promise.all([
        collect(proc.stdout, max, 'stdout'),
        collect(proc.stderr, max, 'stderr'),
        proc.exit,
        feeding.catch(() => undefined), // a process that exits without reading stdin is not an error
      ]);
      return opts.encoding === 'buffer'
        ? { exitCode, stdout: out, stderr: err }
        : { exitCode, stdout: out.toString('utf8'), stderr: err.toString('utf8') };
    });
  }

  /**
   * Starts a command inside the running container and returns its streams at once.
   *
   * @example
   * ```ts
   * const p = c.spawn(['sh'], { stdin: true });
   * p.stdin!.end('echo hi\n');
   * const code = await p.exit;
   * ```
   */
  spawn(argv: string[], options: SpawnOptions = {}): SpawnedProcess {
    const command = parseArgv(argv);
    const opts = parseInput(SpawnOptionsSchema, options, 'options');
    const env = normalizeEnv(opts.env, 'options.env');
    const starting = applyAbort(opts.signal, () => this.#backend.containers.exec(this.id, {
      argv: command,
      env,
      workingDir: opts.workingDir,
      user: opts.user,
      stdin: opts.stdin === true,
      tty: opts.tty === true,
    }, { signal: opts.signal }));
    return spawnFacade(starting, opts.stdin === true);
  }

  /** Attaches to the main process's streams. */
  async attach(options: AttachOptions = {}): Promise<AttachedIO> {
    const opts = parseInput(AttachOptionsSchema, options, 'options');
    return applyAbort(opts.signal, () => this.#backend.containers.attach(this.id, opts));
  }

  /**
   * The container's output, line by line. Failures (NotFoundError included) reject the
   * iteration.
   */
  logs(options: LogsOptions = {}): AsyncIterable<LogLine> {
    const backend = this.#backend;
    const id = this.id;
    return {
      async *[Symbol.asyncIterator]() {
        const opts = parseInput(LogsOptionsSchema, options, 'options');
        const toDate = (v: Date | number | undefined) => (v === undefined ? undefined : new Date(v));
        yield* backend.containers.logs(id, {
          follow: opts.follow ?? false,
          stdout: opts.stdout ?? true,
          stderr: opts.stderr ?? true,
          since: toDate(opts.since),
          until: toDate(opts.until),
          tail: opts.tail === 'all' ? undefined : opts.tail,
        }, { signal: opts.signal });
      },
    };
  }

  /** Filesystem changes against the image, as `docker diff`. */
  async diff(options: SignalOptions = {}): Promise<Change[]> {
    const opts = signalOptions(options);
    const changes = await applyAbort(opts.signal, () => this.#backend.containers.diff(this.id, opts));
    return parseOutput(ChangeListSchema, changes, 'Change[]');
  }

  /** Commits the container's changes as a new image (owned by this engine). */
  async commit(options: CommitOptions = {}): Promise<Image> {
    const opts = parseInput(CommitOptionsSchema, options, 'options');
    if (opts.repo !== undefined && opts.repo !== '') {
      imageRefInput(opts.tag === undefined || opts.tag === '' ? opts.repo : `${opts.repo}:${opts.tag}`, 'options.repo', { tagOnly: true });
    }
    const { imageId } = await applyAbort(opts.signal, () => this.#backend.containers.commit(this.id, {
      repo: opts.repo,
      tag: opts.tag,
      message: opts.message,
      author: opts.author,
      pause: opts.pause ?? true,
      changes: opts.changes ?? [],
    }, { signal: opts.signal }));
    const ref = opts.repo ? `${opts.repo}:${opts.tag ?? 'latest'}` : imageId;
    return new Image(this.#backend, imageId, ref, true);
  }

  /** Unpacks a tar into the existing directory `path` of the container. */
  async putArchive(path: string, tar: ByteSource, options: SignalOptions = {}): Promise<void> {
    const target = archivePath(path);
    const opts = signalOptions(options);
    const stream = toReadable(tar, 'tar');
    await applyAbort(opts.signal, () => this.#backend.containers.putArchive(this.id, target, stream, opts));
  }

  /**
   * A tar of `path` (named by its base name), like `docker cp` out of the container. A bad
   * `path` or option throws at once; failures of the copy itself error the stream.
   */
  getArchive(path: string, options: SignalOptions = {}): Readable {
    const source = archivePath(path);
    const opts = signalOptions(options);
    return deferredReadable(() => applyAbort(opts.signal, () => this.#backend.containers.getArchive(this.id, source, opts)));
  }

  /** A tar of the whole filesystem, like `docker export`. */
  export(options: SignalOptions = {}): Readable {
    const opts = signalOptions(options);
    return deferredReadable(() => applyAbort(opts.signal, () => this.#backend.containers.export(this.id, opts)));
  }

  /** The host bindings of a container port (`docker port`), one row per binding. */
  async port(containerPort: number, options: PortOptions = {}): Promise<HostBinding[]> {
    parseInput(PortNumber, containerPort, 'containerPort');
    const { protocol = 'tcp', ...opts } = parseInput(PortOptionsSchema, options, 'options');
    const info = await this.inspect(opts);
    return info.ports
      .filter((p) => p.containerPort === containerPort && p.protocol === protocol && p.hostPort > 0)
      .map(({ hostIp, hostPort }) => ({ hostIp, hostPort }));
  }

  /** Removes the container (forcibly, with its anonymous volumes) if this engine created it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#ownership.dispose(() => this.#backend.containers.remove(this.id, { force: true, volumes: true }));
  }
}

function parseArgv(argv: unknown): string[] {
  return parseInput(ExecArgvSchema, argv, 'argv');
}

/** Parses the `{ signal }` bag of a method that takes nothing else. */
function signalOptions(options: unknown, what = 'options'): SignalOptions {
  return parseInput(SignalOptionSchema, options, what);
}

const ExecArgvSchema = z.array(z.string()).min(1, 'at least the command is needed');
const ChangeListSchema = z.array(ChangeSchema);
