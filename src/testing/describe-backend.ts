/**
 * `describeBackend`: the one conformance suite every backend runs, built-in or third-party.
 *
 * @module
 */
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import type { Engine } from '../core/engine.js';
import { NotFoundError } from '../core/errors.js';
import { busyboxRootfsTar, TEST_IMAGE } from './busybox-rootfs.js';
import { buildCases } from './cases/build.js';
import { execLogsCases } from './cases/exec-logs.js';
import { imageFsCases } from './cases/images-fs.js';
import { lifecycleCases } from './cases/lifecycle.js';
import { networkCases } from './cases/network.js';
import { volumeCases } from './cases/volumes.js';
import { SuiteState, type CapabilityName } from './suite-context.js';

/** The groups of cases the conformance suite has, in the order they run. */
export const CONFORMANCE_GROUPS = ['lifecycle', 'exec', 'volumes', 'network', 'images', 'build'] as const;

/** A group of conformance cases: `lifecycle`, `exec` (exec, attach, logs), `volumes`, `network` (ports, links, networks), `images` (images and filesystems), `build` (Dockerfile builds). */
export type ConformanceGroup = (typeof CONFORMANCE_GROUPS)[number];

/** Options of {@link describeBackend}. */
export interface DescribeBackendOptions {
  /** The backend's name, as `STOWAGE_REQUIRE` names it (`emulator`, `docker`, `native`, ...). */
  name: string;
  /** Opens an engine over the backend under test. */
  open: () => Promise<Engine>;
  /**
   * Whether the backend's engine is present here. When it is not, the suite is skipped
   * visibly — unless `STOWAGE_REQUIRE` names the backend, when every case fails instead.
   */
  available?: () => Promise<boolean>;
  /** Seeds the images the cases use (default: {@link seedTestImage}). */
  fixtures?: (engine: Engine) => Promise<void>;
  /** Capabilities this backend may lack: their cases skip. Any other missing one fails. */
  mayLack?: CapabilityName[];
  /**
   * Only these groups of cases (default: all). For a quick check of a setup, not for judging
   * a backend: a group left out is not declared at all, so it shows neither as passed nor as
   * skipped.
   */
  groups?: ConformanceGroup[];
}

/**
 * Imports the busybox test image (`stowage-test/busybox:latest`) unless the engine has it.
 * Backends that run real binaries need Debian's `busybox-static` on the host.
 */
export async function seedTestImage(engine: Engine): Promise<void> {
  try {
    await engine.images.get(TEST_IMAGE);
    return;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  await engine.images.import(busyboxRootfsTar({ requireBinary: engine.backend !== 'emulator' }), {
    ref: TEST_IMAGE,
    changes: ['CMD ["sh"]', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    message: 'stowage test image (busybox-static)',
  });
}

/** True when `STOWAGE_REQUIRE` (comma-separated backend names) names `name`. */
export function isRequired(name: string): boolean {
  return (process.env.STOWAGE_REQUIRE ?? '').split(',').map((s) => s.trim()).includes(name);
}

/**
 * Declares the conformance suite for one backend.
 *
 * @example
 * ```ts
 * // test/backends/emulator.test.ts
 * import { Engine } from 'stowage';
 * import { describeBackend } from 'stowage/testing';
 * describeBackend({ name: 'emulator', open: () => Engine.open({ backend: 'emulator' }), mayLack: [] });
 * ```
 */
export function describeBackend(options: DescribeBackendOptions): void {
  const unknown = (options.groups ?? []).filter((g) => !(CONFORMANCE_GROUPS as readonly string[]).includes(g));
  if (unknown.length > 0) throw new Error(`describeBackend: unknown group(s) ${unknown.join(', ')} (known: ${CONFORMANCE_GROUPS.join(', ')})`);
  const state = new SuiteState(TEST_IMAGE, options.mayLack ?? []);
  let unavailable: string | undefined;

  describe(`conformance: ${options.name}`, () => {
    beforeAll(async () => {
      const present = options.available ? await options.available() : true;
      if (!present) {
        if (isRequired(options.name)) {
          throw new Error(`STOWAGE_REQUIRE names ${options.name}, but its engine is not available here`);
        }
        unavailable = `${options.name} engine not available (set STOWAGE_REQUIRE=${options.name} to fail instead)`;
        return;
      }
      state.engineOrUndefined = await options.open();
      await (options.fixtures ?? seedTestImage)(state.engine);
    });

    beforeEach(({ skip }) => {
      if (unavailable) skip(unavailable);
    });

    afterAll(async () => {
      await state.teardown();
      await state.engineOrUndefined?.close();
    });

    const wanted = new Set<ConformanceGroup>(options.groups ?? CONFORMANCE_GROUPS);
    if (wanted.has('lifecycle')) describe('lifecycle', () => lifecycleCases(state));
    if (wanted.has('exec')) describe('exec, attach and logs', () => execLogsCases(state));
    if (wanted.has('volumes')) describe('volumes', () => volumeCases(state));
    if (wanted.has('network')) describe('ports, links and networks', () => networkCases(state));
    if (wanted.has('images')) describe('images and filesystems', () => imageFsCases(state));
    if (wanted.has('build')) describe('Dockerfile builds', () => buildCases(state));
  });
}
