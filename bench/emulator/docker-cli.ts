/**
 * The Docker peer of the emulator benchmarks, driven through the `docker` command as a user
 * would: probe for an engine, import the busybox test image from a rootfs tar, time
 * `docker run --rm`, and remove the image afterwards.
 *
 * @module
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The reference the benchmark imports its busybox image as, in Docker and in the emulator. */
export const BENCH_IMAGE = 'stowage-bench/busybox:latest';

/** Options of the docker CLI helpers. */
export interface DockerCliOptions {
  /** Cancels the running `docker` command. */
  signal?: AbortSignal;
}

/**
 * The engine's version when `docker version` answers, else `undefined` (no CLI, no daemon,
 * no permission): the benchmark then reports no peer instead of failing.
 */
export async function dockerServerVersion(options: DockerCliOptions = {}): Promise<string | undefined> {
  try {
    const { stdout } = await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 15_000, signal: options.signal });
    const version = stdout.trim();
    return version === '' ? undefined : version;
  } catch {
    return undefined;
  }
}

/**
 * Pipes a (plain or gzip) rootfs tar into `docker import - <ref>`.
 *
 * @returns the new image's ID as docker prints it
 */
export async function dockerImport(tar: Readable, ref: string, options: DockerCliOptions = {}): Promise<string> {
  options.signal?.throwIfAborted();
  const child = spawn('docker', ['import', '-', ref], { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  await pipeline(tar, child.stdin);
  const [code] = await exited;
  if (code !== 0) throw new Error(`docker import ${ref} exited ${code}: ${stderr.trim()}`);
  return stdout.trim();
}

/** `docker rmi <ref>`, ignoring an image that is already gone. */
export async function dockerRemoveImage(ref: string, options: DockerCliOptions = {}): Promise<void> {
  try {
    await run('docker', ['rmi', ref], { timeout: 60_000, signal: options.signal });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    if (!/No such image/i.test(stderr)) throw err;
  }
}

/**
 * Runs `docker run --rm <image> <argv...>` once and checks it exited 0, so the timing never
 * counts a run that failed early.
 */
export async function dockerRunRm(image: string, argv: string[], options: DockerCliOptions = {}): Promise<void> {
  await run('docker', ['run', '--rm', image, ...argv], { timeout: 120_000, signal: options.signal });
}
