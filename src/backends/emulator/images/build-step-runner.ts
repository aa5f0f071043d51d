/**
 * The emulator's RUN step: the program for the step's argv runs in a temporary container made
 * of the given layers (a fresh union view, BuildKit's `/etc/hosts` for its `buildkitsandbox`
 * hostname and the engine's `/etc/resolv.conf` mounted over it, the step's heredoc scripts
 * mounted read-only) as the stage's USER, on the engine's default bridge as BuildKit's steps
 * are on Engine 20.10, and the container's read-write layer becomes the step's layer. The
 * container is never registered with the engine: nothing is left behind whatever happens, and
 * it does not show in `ps`, as BuildKit's build containers do not.
 *
 * @module
 */
import { Writable } from 'node:stream';
import type { RunStepResult, RunStepSpec } from '../../../builder/host.js';
import { throwIfAborted } from '../../../core/errors.js';
import type { Layer } from '../../../fs-union/layer.js';
import { UnionFS } from '../../../fs-union/union-fs.js';
import type { EmulatorClock } from '../clock.js';
import { PauseGate } from '../containers/pause-gate.js';
import { EmulatedProcess } from '../containers/process.js';
import { DEFAULT_PIDS_LIMIT, ProcessTable } from '../containers/process-table.js';
import { Scheduler } from '../containers/scheduler.js';
import { buildStepGroups, buildStepUserEnv, isUnknownAccount, resolveUser } from '../containers/user.js';
import { EngineFile } from '../mounts/engine-file.js';
import { MountedFs, type MountPoint } from '../mounts/mounted-fs.js';
import type { ProgramNet, ProgramTable } from '../program.js';
import type { BuildStepRunner } from './store-core.js';

/** Options of {@link createBuildStepRunner}. */
export interface BuildStepRunnerOptions {
  /** The engine's user programs (they shadow built-ins, as in containers). */
  programs?: ProgramTable;
  /** The engine's clock. */
  clock: EmulatorClock;
  /**
   * Puts a step on the engine's default network (`VirtualNetwork.buildSandbox`); without it a
   * step has no network at all (names do not resolve, nothing connects).
   */
  sandbox?: (hostname: string, signal: AbortSignal) => { net: ProgramNet; release(): Promise<void> };
}

/** BuildKit's hostname for every RUN step (it mounts no `/etc/hostname`). */
const SANDBOX_HOSTNAME = 'buildkitsandbox';

const noNetwork: ProgramNet = {
  listen: async () => undefined,
  connect: async (host) => {
    throw Object.assign(new Error(`connect ECONNREFUSED ${host}`), { code: 'ECONNREFUSED' });
  },
  resolve: async (name) => {
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  },
};

function envRecord(env: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env) {
    const eq = e.indexOf('=');
    out[eq < 0 ? e : e.slice(0, eq)] = eq < 0 ? '' : e.slice(eq + 1);
  }
  return out;
}

async function isDirectory(fs: UnionFS, path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Creates the runner the emulator's image store uses for RUN steps. */
export function createBuildStepRunner(options: BuildStepRunnerOptions): BuildStepRunner {
  return async (spec: RunStepSpec<Layer>, signal?: AbortSignal): Promise<RunStepResult<Layer>> => {
    throwIfAborted(signal);
    const now = (): Date => options.clock.now();
    const rootfs = new UnionFS(spec.layers, { now });
    const hostname = SANDBOX_HOSTNAME;
    const mounts: MountPoint[] = [];
    if (await isDirectory(rootfs, '/etc')) {
      mounts.push(
        { target: '/etc/hosts', fs: new EngineFile(`127.0.0.1\tlocalhost ${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`, now()), readOnly: false },
        { target: '/etc/resolv.conf', fs: new EngineFile('nameserver 127.0.0.11\noptions ndots:0\n', now()), readOnly: false },
      );
    }
    for (const file of spec.files) {
      const fs = new EngineFile(file.content, now());
      await fs.chmod('/', file.mode);
      mounts.push({ target: file.path, fs, readOnly: true });
    }
    const fs = new MountedFs(rootfs, mounts);
    // The stage's USER, resolved in the step's own passwd and group files as runc does; the
    // runtime's error when a name is missing (the command never starts).
    let ids;
    try {
      ids = await resolveUser(fs, spec.user);
    } catch (e) {
      if (isUnknownAccount(e)) return { exitCode: 1, error: e.message };
      throw e;
    }
    const env = envRecord([...buildStepUserEnv(ids, await buildStepGroups(fs, spec.user)), ...spec.env]);
    // runc gives HOME from passwd unless the environment has one.
    env['HOME'] ??= ids.home;
    const output = (): Writable => new Writable({
      write(chunk: Buffer, _enc, done) {
        spec.onOutput?.(chunk.toString('utf8'));
        done();
      },
    });
    const stdout = output();
    const stderr = output();
    // The step runs as a container's main process would: with its own freezer, PID space
    // (and process limit) and time slices, so a busy RUN step cannot stall the engine and
    // an abort kills it like `docker kill`.
    let exitCode: number;
    let proc: EmulatedProcess | undefined;
    const onAbort = (): void => proc?.deliver('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    const network = new AbortController();
    const sandbox = options.sandbox?.(hostname, network.signal);
    try {
      proc = await EmulatedProcess.start({
        argv: spec.argv,
        env,
        cwd: spec.workingDir,
        hostname,
        fs,
        net: sandbox?.net ?? noNetwork,
        gate: new PauseGate(),
        table: new ProcessTable(DEFAULT_PIDS_LIMIT),
        scheduler: new Scheduler(),
        clock: options.clock,
        ...(options.programs ? { programs: options.programs } : {}),
        pid1: true,
        stdout,
        stderr,
      });
      if (signal?.aborted) proc.deliver('SIGKILL');
      exitCode = await proc.exit;
    } catch (e) {
      // An executable that is missing or not executable fails the step as the engine says it.
      const code = (e as { exitCode?: unknown }).exitCode;
      spec.onOutput?.(`${(e as Error).message}\n`);
      exitCode = typeof code === 'number' ? code : 1;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // The step's listeners close with it; its address goes back to the network.
      network.abort();
      await sandbox?.release();
    }
    throwIfAborted(signal);
    if (exitCode !== 0) return { exitCode };
    return { exitCode, layer: await rootfs.commit(signal ? { signal } : {}) };
  };
}
