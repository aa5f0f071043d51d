/**
 * Shared fixtures of the native network tests: whether they can run here, a unique state
 * root, unique subnets, and helpers to run busybox inside a namespace.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach } from 'vitest';
import { createNativeNetworks, missingNetworkParts, type NativeNetworks, type NativeNetworksOptions } from '../../../src/backends/native/network/index.js';

const run = promisify(execFile);

/** True when `STOWAGE_REQUIRE` names the native backend: then a missing part fails instead of skipping. */
export const nativeRequired = (process.env.STOWAGE_REQUIRE ?? '').split(/[,\s]+/).includes('native');

/** Why the kernel-level tests cannot run here (undefined when they can). */
export async function whyUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  const missing = await missingNetworkParts();
  if (missing.length > 0) return missing.map((m) => m.message).join('; ');
  return undefined;
}

/**
 * Resolves whether to run; logs why not (a visible skip), or throws when STOWAGE_REQUIRE names
 * native.
 */
export async function kernelTestsRun(): Promise<boolean> {
  const why = await whyUnavailable();
  if (why === undefined) return true;
  if (nativeRequired) throw new Error(`STOWAGE_REQUIRE names native, but the network tests cannot run: ${why}`);
  console.warn(`native network tests skipped: ${why} (set STOWAGE_REQUIRE=native to fail instead)`);
  return false;
}

const handedOut = new Set<number>();

/**
 * A fresh /24 inside 10.64.0.0/10 (which neither Docker's pools nor the module's defaults
 * touch): picked at random among the 16384 there, never one this process gave before nor one
 * the host has a route into (another test file's network, running side by side).
 */
export async function uniqueSubnet(): Promise<string> {
  const routes = (JSON.parse(await host('ip', ['-j', '-4', 'route', 'show'])) as Array<{ dst: string }>).map((r) => r.dst);
  for (;;) {
    const index = randomInt(0, 16384);
    if (handedOut.has(index)) continue;
    const prefix = `10.${64 + (index >> 8)}.${index & 255}.`;
    if (routes.some((r) => r.startsWith(prefix))) continue;
    handedOut.add(index);
    return `${prefix}0/24`;
  }
}

/** A network manager over a fresh temp root, and how to get rid of it all. */
export interface TestRoot {
  /** The manager. */
  nets: NativeNetworks;
  /** State root. */
  root: string;
  /** Runtime root. */
  runRoot: string;
  /** Purges the host of this root and deletes the directories. */
  cleanup(): Promise<void>;
}

/** A manager on a unique root in /dev/shm, its default network on a unique subnet. */
export async function testRoot(options: Partial<NativeNetworksOptions> = {}): Promise<TestRoot> {
  const dir = await mkdtemp(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'stw-net-'));
  const root = join(dir, 'root');
  const runRoot = join(dir, 'run');
  const nets = createNativeNetworks({ root, runRoot, defaultSubnet: await uniqueSubnet(), subnetPool: await uniqueSubnet(), poolPrefix: 26, ...options });
  return {
    nets,
    root,
    runRoot,
    async cleanup() {
      try {
        await nets.purge();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A fresh 64-hex container ID. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

/** Runs a command inside the namespace file `netns`; resolves stdout and the exit code. */
export async function inNetns(netns: string, args: string[], timeoutMs = 15_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('nsenter', [`--net=${netns}`, ...args], { timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * Runs busybox in `netns` with `hosts` as its /etc/hosts (a private mount namespace, so the
 * host's file is untouched), as the container will see it.
 */
export async function busyboxWithHosts(netns: string, hostsPath: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = 'mount --bind "$1" /etc/hosts && shift && exec nsenter --net="$NETNS" /usr/bin/busybox "$@"';
  try {
    const { stdout, stderr } = await run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', hostsPath, ...args], {
      timeout: 15_000,
      env: { ...process.env, NETNS: netns },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs a host command; resolves stdout. */
export async function host(file: string, args: string[]): Promise<string> {
  return (await run(file, args)).stdout;
}

/** The interfaces whose name starts with `prefix` on the host. */
export async function hostLinks(prefix = 'stw-'): Promise<string[]> {
  const links = JSON.parse(await host('ip', ['-j', 'link', 'show'])) as Array<{ ifname: string }>;
  return links.map((l) => l.ifname).filter((n) => n.startsWith(prefix));
}

/** Polls `probe` until it returns true (bounded; no fixed sleeps). */
export async function until(probe: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * Registers an afterEach that runs, last first, every cleanup added during a test, even when
 * the test failed; `fresh()` is a {@link testRoot} purged that way.
 */
export function cleanupAfterEach(): { add(cleanup: () => Promise<unknown>): void; fresh(options?: Partial<NativeNetworksOptions>): Promise<TestRoot> } {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    add: (cleanup) => cleanups.push(cleanup),
    async fresh(options) {
      const t = await testRoot(options);
      cleanups.push(() => t.cleanup());
      return t;
    },
  };
}
