/**
 * A RUN step of a Dockerfile build on the native backend: a temporary container made of the
 * step's layers (extracted on disk, an init layer, an upper dir), run by `runc run` from this
 * process (a build step needs nobody to outlive its caller), on the default bridge network as
 * Docker's classic builder gives it. Its upper directory becomes the step's layer. The
 * container is never registered: it does not show in `ps`, and whatever happens its mount,
 * namespace and directory are gone when the step settles.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { RunStepResult, RunStepSpec } from '../../../builder/host.js';
import { abortErrorFrom, throwIfAborted } from '../../../core/errors.js';
import { diffDirectoryToLayerTar } from '../../../fs-union/index.js';
import type { NativeContext } from '../context.js';
import { lookupInLayers } from '../containers/filesystem.js';
import { writeInitLayer } from '../containers/init-layer.js';
import { mountOverlay, unmount } from '../containers/overlay-mount.js';
import { ociSpec, type BundleMount } from '../runtime/bundle.js';
import { containerNofile } from '../runtime/rlimits.js';
import type { LayerRecord } from './layer-store.js';

/** A layer handle of native builds: a stored blob. */
export interface NativeBuildLayer {
  /** diffID of the tar. */
  readonly diffId: string;
  /** Bytes of the tar. */
  readonly size: number;
}

/** Makes sure a stack of layers is extracted; resolves their records, bottom first. */
export async function extractStack(ctx: NativeContext, layers: readonly NativeBuildLayer[], signal?: AbortSignal): Promise<LayerRecord[]> {
  const out: LayerRecord[] = [];
  for (const layer of layers) {
    out.push(await ctx.images.layers.ensure(out.at(-1)?.chainId, layer.diffId, layer.size, () => ctx.images.blobs.open(layer.diffId), signal));
  }
  return out;
}

/** Runs one RUN step; resolves its exit code and, on success, its layer. */
export async function runBuildStep(ctx: NativeContext, spec: RunStepSpec<NativeBuildLayer>, signal?: AbortSignal): Promise<RunStepResult<NativeBuildLayer>> {
  throwIfAborted(signal);
  const stack = await extractStack(ctx, spec.layers, signal);
  const lower = ctx.images.layers.lowerDirs(stack);
  const id = randomBytes(32).toString('hex');
  const dir = join(await ctx.images.blobs.tempDir(), `step-${id.slice(0, 12)}`);
  const d = { init: join(dir, 'init'), upper: join(dir, 'upper'), work: join(dir, 'work'), merged: join(dir, 'merged'), files: join(dir, 'files') };
  for (const p of Object.values(d)) await mkdir(p, { recursive: true });
  await writeInitLayer(d.init, (path) => lookupInLayers(ctx.paths.root, lower, path));
  await mountOverlay({ lower: [relative(ctx.paths.root, d.init), ...lower], upper: relative(ctx.paths.root, d.upper), work: relative(ctx.paths.root, d.work), target: d.merged, cwd: ctx.paths.root }, signal);
  let sandbox = false;
  try {
    await ctx.networks.ensureDefault(signal);
    const hosts = join(dir, 'hosts');
    const resolv = join(dir, 'resolv.conf');
    const hostname = join(dir, 'hostname');
    const { netnsPath } = await ctx.networks.createSandbox(id, { hostname: id.slice(0, 12), hostsPath: hosts, resolvConfPath: resolv }, signal);
    sandbox = true;
    await ctx.networks.connect(id, 'bridge', { name: `build-${id.slice(0, 12)}` }, signal);
    await writeFile(hostname, `${id.slice(0, 12)}\n`);
    const mounts: BundleMount[] = [
      { destination: '/etc/resolv.conf', source: resolv, readOnly: false },
      { destination: '/etc/hostname', source: hostname, readOnly: false },
      { destination: '/etc/hosts', source: hosts, readOnly: false },
    ];
    // The step's own files (heredoc scripts): mounted read-only, never part of its layer.
    const stubs: string[] = [];
    for (const [i, file] of spec.files.entries()) {
      const source = join(d.files, String(i));
      await writeFile(source, file.content, { mode: file.mode });
      if (!(await lookupInLayers(ctx.paths.root, lower, file.path))) stubs.push(file.path);
      mounts.push({ destination: file.path, source, readOnly: true });
    }
    const user = await ctx.resolveUser(d.merged, spec.user);
    const bundle = ociSpec({
      process: { args: spec.argv, env: spec.env, cwd: spec.workingDir || '/', user, terminal: false, nofile: await containerNofile() },
      rootfs: d.merged,
      hostname: id.slice(0, 12),
      mounts,
      netnsPath,
      cgroupsPath: `/stowage/${id}`,
    });
    await writeFile(join(dir, 'config.json'), JSON.stringify(bundle));
    const exitCode = await runRunc(ctx, dir, id, spec.onOutput, signal);
    // runc made mount points for files the image lacked: they are not the step's doing.
    for (const stub of stubs) {
      const path = join(d.upper, stub);
      const info = await lstat(path).catch(() => undefined);
      if (info && (info.isFile() ? info.size === 0 : info.isDirectory())) await rm(path, { recursive: true, force: true });
    }
    if (exitCode !== 0) return { exitCode };
    const blob = await ctx.images.blobs.putStream(diffDirectoryToLayerTar(d.upper, signal ? { signal } : {}), signal ? { signal } : {});
    return { exitCode, layer: { diffId: blob.digest, size: blob.size } };
  } finally {
    if (sandbox) await ctx.networks.destroySandbox(id).catch(() => undefined);
    await ctx.runc.deleteForce(id);
    await unmount(d.merged).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** `runc run` of the step's bundle; output to `onOutput`; SIGKILL on abort. */
function runRunc(ctx: NativeContext, bundle: string, id: string, onOutput: ((chunk: string) => void) | undefined, signal: AbortSignal | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('runc', [...ctx.runc.globalArgs(), 'run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer): void => onOutput?.(chunk.toString('utf8'));
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    const onAbort = (): void => {
      void ctx.runc.kill(id, 'KILL').catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(abortErrorFrom(signal));
      else resolve(code ?? 255);
    });
  });
}
