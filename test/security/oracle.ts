/**
 * Runs one block of security cases on the emulator and on docker, the oracle: the same calls,
 * the same expectations. Docker skips visibly when no engine answers, unless STOWAGE_REQUIRE
 * names it (then every case fails).
 *
 * @module
 */
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { probeDocker } from '../../src/backends/docker/index.js';
import { probeNative } from '../../src/backends/native/index.js';
import { Engine } from '../../src/index.js';
import { isRequired, seedTestImage } from '../../src/testing/describe-backend.js';
import { TEST_IMAGE } from '../../src/testing/busybox-rootfs.js';
import { SuiteState } from '../../src/testing/suite-context.js';
import { tempRoots, type TempRoots } from '../backends/native/helpers.js';

/** The backends a block runs on (native only where a block asks for it). */
export type OracleBackend = 'emulator' | 'docker' | 'native';

/** What a block's cases get: the conformance suite's context, plus the backend's name. */
export interface OracleContext extends SuiteState {
  /** `emulator` or `docker`. */
  readonly backend: OracleBackend;
}

const available: Record<OracleBackend, () => Promise<boolean>> = {
  emulator: async () => true,
  docker: () => probeDocker(),
  native: () => probeNative(),
};

/**
 * Declares `body` once per backend, as `title (backend)`.
 *
 * @param options.engineOptions extra options for `Engine.open` of a backend (`portRange`)
 */
export function describeOnBackends(
  title: string,
  body: (ctx: OracleContext) => void,
  options: { backends?: OracleBackend[]; engineOptions?: Partial<Record<OracleBackend, Record<string, unknown>>> } = {},
): void {
  for (const backend of options.backends ?? ['emulator', 'docker']) {
    const state = Object.assign(new SuiteState(TEST_IMAGE, []), { backend }) as OracleContext;
    let unavailable: string | undefined;
    let roots: TempRoots | undefined;
    describe(`${title} (${backend})`, () => {
      beforeAll(async () => {
        if (!(await available[backend]())) {
          if (isRequired(backend)) throw new Error(`STOWAGE_REQUIRE names ${backend}, but its engine is not available here`);
          unavailable = `${backend} engine not available (set STOWAGE_REQUIRE=${backend} to fail instead)`;
          return;
        }
        // Native: state and runtime roots and subnets of the block's own, removed after it.
        if (backend === 'native') roots = await tempRoots();
        const own = roots ? { root: roots.root, runRoot: roots.runRoot, network: roots.network, supervisorIdleMs: 5_000 } : {};
        state.engineOrUndefined = await Engine.open({ backend, ...own, ...(options.engineOptions?.[backend] ?? {}) } as Parameters<typeof Engine.open>[0]);
        await seedTestImage(state.engine);
      });
      beforeEach(({ skip }) => {
        if (unavailable) skip(unavailable);
      });
      afterAll(async () => {
        await state.teardown();
        await state.engineOrUndefined?.close();
        await roots?.cleanup();
      });
      body(state);
    });
  }
}
