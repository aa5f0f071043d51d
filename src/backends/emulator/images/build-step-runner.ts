/**
 * The emulator's RUN step: the program for the step's argv runs in a temporary container made
 * of the given layers (a fresh union view, BuildKit's `/etc/hosts` for its `buildkitsandbox`
 * hostname and the engine's `/etc/resolv.conf` mounted over it, the step's heredoc scripts
 * mounted read-only) as the stage's USER, on the engine's default bridge as BuildKit's steps
 * are on Engine 20.10, and the container's read-write layer becomes the step's layer. The container is
 * never registered with the engine: nothing is left behind whatever happens, and it does not
 * show in `ps`, as BuildKit's build containers do not.
 *
 * @module
 */
import { PassThrough, Writable } from 'node:stream';
import type { RunStepResult, RunStepSpec } from '../../../builder/host.js';
import { throwIfAborted } from '../../../core/errors.js';
import type { Layer } from '../../../fs-union/layer.js';
import { UnionFS } from '../../../fs-union/union-fs.js';
import { clockSleep, type EmulatorClock } from '../clock.js';
import { launch } from '../exec/launch.js';
import { EngineFile } from '../mounts/engine-file.js';
import { buildStepGroups, buildStepUserEnv, isUnknownAccount, resolveUser } from '../containers/user.js';
import { MountedFs, type MountPoint } from '../mounts/mounted-fs.js';
import type { ProgramContext, ProgramNet, ProgramTable } from '../program.js';
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
    const stdin = new PassThrough();
    stdin.end();
    const controller = new AbortController();
    const onAbort = (): void => controller.abort('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    const sandbox = options.sandbox?.(hostname, controller.signal);
    const ctx: ProgramContext = {
      argv: spec.argv,
      env,
      cwd: spec.workingDir,
      hostname,
      stdin,
      stdout,
      stderr,
      fs,
      net: sandbox?.net ?? noNetwork,
      signal: controller.signal,
      sleep: (ms) => clockSleep(options.clock, ms, controller.signal),
      exec: () => Promise.reject(new Error('exec is provided by the launcher')),
    };
    let exitCode: number;
    try {
      exitCode = await launch(spec.argv, ctx, options.programs ? { programs: options.programs } : {});
    } catch (e) {
      // An executable that is missing or not executable fails the step as the engine says it.
      const code = (e as { exitCode?: unknown }).exitCode;
      spec.onOutput?.(`${(e as Error).message}\n`);
      exitCode = typeof code === 'number' ? code : 1;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // The step's listeners close with it; its address goes back to the network.
      controller.abort('SIGKILL');
      await sandbox?.release();
    }
    throwIfAborted(signal);
    if (exitCode !== 0) return { exitCode };
    return { exitCode, layer: await rootfs.commit(signal ? { signal } : {}) };
  };
}
