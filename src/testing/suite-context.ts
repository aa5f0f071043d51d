/**
 * What every conformance case gets: the engine under test, unique names, temp dirs, free
 * ports, bounded polling, and capability gates that skip visibly (or fail, when the backend
 * did not declare that it may lack the capability).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../core/engine.js';
import type { BackendCapabilities } from '../core/backend.js';

/** A capability name. */
export type CapabilityName = keyof BackendCapabilities;

/** Shared state of one `describeBackend` run. */
export interface SuiteContext {
  /** The engine under test (opened in `beforeAll`). */
  readonly engine: Engine;
  /** The test image reference (`stowage-test/busybox:latest`). */
  readonly image: string;
  /** A name nobody else uses: `<prefix>-<random>`. */
  unique(prefix: string): string;
  /** A fresh temp dir, removed after the suite. */
  tempDir(): Promise<string>;
  /** A TCP port that was free a moment ago on 127.0.0.1 and 0.0.0.0. */
  freePort(): Promise<number>;
  /**
   * Skips the running case when the backend lacks `cap` and may lack it; throws when it lacks
   * it without having said so.
   */
  need(cap: CapabilityName, skip: (note?: string) => void): void;
  /** Removes `fn`'s resources after the suite even if the case fails. */
  cleanup(fn: () => Promise<unknown>): void;
}

/** Polls `probe` until it returns a value other than undefined, at most `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** Whether a TCP port can be bound on every address right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** @internal Builds the context `describeBackend` hands to the cases. */
export class SuiteState implements SuiteContext {
  engineOrUndefined: Engine | undefined;
  readonly image: string;
  readonly #mayLack: ReadonlySet<CapabilityName>;
  readonly #cleanups: (() => Promise<unknown>)[] = [];
  readonly #dirs: string[] = [];
  readonly #run = randomBytes(3).toString('hex');
  #counter = 0;

  constructor(image: string, mayLack: readonly CapabilityName[]) {
    this.image = image;
    this.#mayLack = new Set(mayLack);
  }

  get engine(): Engine {
    if (!this.engineOrUndefined) throw new Error('the engine is not open (see the suite setup failure)');
    return this.engineOrUndefined;
  }

  unique(prefix: string): string {
    return `${prefix}-${this.#run}-${++this.#counter}`;
  }

  async tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'stowage-conf-'));
    this.#dirs.push(dir);
    return dir;
  }

  async freePort(): Promise<number> {
    // Below the kernel's ephemeral range (32768+), which engines use for -P and the OS for
    // outgoing connections: a port found free here is not handed to someone else a moment later.
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = 20000 + Math.floor(Math.random() * 12000);
      if (await canListen(port)) return port;
    }
    throw new Error('no free TCP port found between 20000 and 32000');
  }

  need(cap: CapabilityName, skip: (note?: string) => void): void {
    if (this.engine.capabilities[cap]) return;
    if (this.#mayLack.has(cap)) {
      skip(`${this.engine.backend} lacks ${cap}`);
      return;
    }
    throw new Error(`${this.engine.backend} reports no ${cap}, but its test file does not list ${cap} among the capabilities it may lack`);
  }

  cleanup(fn: () => Promise<unknown>): void {
    this.#cleanups.push(fn);
  }

  /** Runs the cleanups (newest first) and removes the temp dirs; errors are ignored. */
  async teardown(): Promise<void> {
    for (const fn of this.#cleanups.reverse()) await fn().catch(() => undefined);
    for (const dir of this.#dirs) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
