// Shared by the native tests: whether this host can run them, and temp roots whose mounts
// are always cleaned up, even when a test fails.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingNativePrerequisites } from '../../../src/backends/native/prerequisites.js';
import { mountsUnder, unmount } from '../../../src/backends/native/containers/overlay-mount.js';
import { isRequired } from '../../../src/testing/describe-backend.js';
import { NativePaths } from '../../../src/backends/native/paths.js';
import type { NativeNetworkSettings } from '../../../src/backends/native/context.js';
import { createNativeNetworks } from '../../../src/backends/native/network/index.js';
import { uniqueSubnet } from '../native-network/helpers.js';
import { SupervisorClient } from '../../../src/backends/native/supervisor/client.js';

/** Why the native tests cannot run here, or undefined when they can. */
export async function nativeUnavailable(): Promise<string | undefined> {
  const missing = await missingNativePrerequisites();
  if (missing.length === 0) return undefined;
  const why = missing.map((m) => m.message).join('; ');
  if (isRequired('native')) throw new Error(`STOWAGE_REQUIRE names native, but: ${why}`);
  return why;
}

/**
 * Shuts the roots' supervisor down (killing its containers), unmounts everything under `dir`
 * and deletes it.
 */
export async function removeNativeRoots(dir: string, roots: { root: string; runRoot: string }): Promise<void> {
  await new SupervisorClient(new NativePaths(roots.root, roots.runRoot), { idleMs: 0 }).shutdown().catch(() => undefined);
  // Bridges, firewall chains, namespaces of this root.
  await createNativeNetworks({ root: roots.root, runRoot: roots.runRoot }).purge().catch(() => undefined);
  for (const mount of await mountsUnder(dir)) await unmount(mount).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

/** Network settings of a test root: subnets no other test (or the host) uses. */
export async function testNetwork(): Promise<NativeNetworkSettings> {
  return { defaultSubnet: await uniqueSubnet(), subnetPool: await uniqueSubnet(), poolPrefix: 26 };
}

/** A temp root and run root under one directory. */
export interface TempRoots {
  /** The parent directory. */
  dir: string;
  /** State root. */
  root: string;
  /** Runtime root. */
  runRoot: string;
  /** Its own subnets. */
  network: NativeNetworkSettings;
  /** Unmounts everything under the directory and deletes it. */
  cleanup(): Promise<void>;
}

/** Makes temp roots; `base` defaults to the OS temp dir (disk), `/dev/shm` for throwaway trees. */
export async function tempRoots(base = tmpdir()): Promise<TempRoots> {
  const dir = await mkdtemp(join(base, 'stowage-native-'));
  const roots = { root: join(dir, 'root'), runRoot: join(dir, 'run') };
  return { dir, ...roots, network: await testNetwork(), cleanup: () => removeNativeRoots(dir, roots) };
}
