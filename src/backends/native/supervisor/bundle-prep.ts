/**
 * What the supervisor does before `runc run`: mount the root filesystem if it is not, write
 * the engine files (`hosts`, `hostname`, `resolv.conf`), resolve the user in the image's
 * files, and write the OCI bundle's `config.json` into the container's runtime directory.
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NativeContext } from '../context.js';
import { containerResolvConf, formatHostsFile, readHostResolvConf } from '../network/index.js';
import { processEnv } from '../containers/merge-config.js';
import type { ContainerRecord } from '../containers/record.js';
import { ensureRootfs } from '../containers/rootfs.js';
import { ociSpec, type BundleMount } from '../runtime/bundle.js';
import { containerNofile } from '../runtime/rlimits.js';
import type { RunNetwork } from './networking.js';

/** Where a prepared bundle is. */
export interface PreparedBundle {
  /** Bundle directory (`config.json` inside). */
  dir: string;
  /** Where runc writes the init's PID once it runs. */
  pidFile: string;
  /** runc's own log (JSON lines). */
  runcLog: string;
}

/** The argv a container runs: entrypoint then command. */
export function containerArgv(record: ContainerRecord): string[] {
  return [...(record.config.entrypoint ?? []), ...(record.config.cmd ?? [])];
}

/** Prepares a container's bundle for `runc run`. */
export async function prepareBundle(ctx: NativeContext, record: ContainerRecord, network: RunNetwork): Promise<PreparedBundle> {
  const rootfs = await ensureRootfs(ctx.paths, ctx.containers, record);
  const base = ctx.containers.dir(record.id).base;
  const files = { hosts: join(base, 'hosts'), hostname: join(base, 'hostname'), resolv: join(base, 'resolv.conf') };
  const hostname = record.config.hostname;
  // Written afresh at every start (nothing to preserve across a crash): plain writes, no
  // fsync. With a network, the network half wrote hosts and resolv.conf (and keeps hosts up
  // to date as members come and go).
  await writeFile(files.hostname, `${hostname}\n`);
  if (!network.filesWritten) {
    // `--network none`: loopback only, and the host's resolvers as Docker still writes them.
    await Promise.all([writeFile(files.hosts, formatHostsFile([])), writeFile(files.resolv, containerResolvConf(await readHostResolvConf()))]);
  }
  const user = await ctx.resolveUser(rootfs, record.config.user);
  const mounts: BundleMount[] = [
    ...record.mounts.map((m) => ({ destination: m.destination, source: m.source, readOnly: m.readOnly })),
  ];
  // The engine files go last unless a mount of the user's covers them (Docker's rule).
  const covered = new Set(mounts.map((m) => m.destination));
  for (const [destination, source] of [['/etc/resolv.conf', files.resolv], ['/etc/hostname', files.hostname], ['/etc/hosts', files.hosts]] as const) {
    if (!covered.has(destination)) mounts.push({ destination, source, readOnly: false });
  }
  for (const m of record.mounts) if (m.type === 'bind') await mkdir(m.source, { recursive: true });
  const dir = ctx.paths.runContainer(record.id);
  await mkdir(dir, { recursive: true });
  const spec = ociSpec({
    process: {
      args: containerArgv(record),
      env: processEnv(record.config, network.linkEnv),
      cwd: record.config.workingDir || '/',
      user,
      terminal: record.config.tty,
      nofile: await containerNofile(),
    },
    rootfs,
    hostname,
    mounts,
    ...(network.netnsPath ? { netnsPath: network.netnsPath } : {}),
    cgroupsPath: `/stowage/${record.id}`,
  });
  await writeFile(join(dir, 'config.json'), JSON.stringify(spec));
  return { dir, pidFile: join(dir, 'init.pid'), runcLog: join(dir, 'runc.log') };
}
