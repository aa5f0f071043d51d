/**
 * The security suites replay each probe on every backend that can run it: the emulator (the
 * backend under test) and the real Docker Engine (the oracle showing what must hold).
 *
 * `forEachBackend` declares one `describe` per backend, opens its engine with the busybox test
 * image seeded, and hands the body the same {@link SuiteContext} the conformance suite uses
 * (unique names, temp dirs removed afterwards, cleanups). A backend whose engine is absent is
 * skipped visibly, unless `STOWAGE_REQUIRE` names it: then its cases fail instead.
 */
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { Engine } from '../../src/index.js';
import { probeDocker } from '../../src/backends/docker/index.js';
import { isRequired, seedTestImage } from '../../src/testing/describe-backend.js';
import { TEST_IMAGE } from '../../src/testing/busybox-rootfs.js';
import { SuiteState, type SuiteContext } from '../../src/testing/suite-context.js';

/** A backend the security suites can open. */
export interface SecurityBackend {
  /** The name `STOWAGE_REQUIRE` uses. */
  name: 'emulator' | 'docker';
  /** Opens an engine. */
  open: () => Promise<Engine>;
  /** Whether the engine is present here. */
  available: () => Promise<boolean>;
}

/** Every backend a security probe runs on. */
export const SECURITY_BACKENDS: readonly SecurityBackend[] = [
  { name: 'emulator', open: () => Engine.open({ backend: 'emulator' }), available: async () => true },
  { name: 'docker', open: () => Engine.open({ backend: 'docker' }), available: () => probeDocker() },
];

/** What a security suite's body gets for one backend. */
export interface BackendContext extends SuiteContext {
  /** The backend's name (`emulator`, `docker`). */
  readonly backend: SecurityBackend['name'];
}

/** Options of {@link forEachBackend}. */
export interface ForEachBackendOptions {
  /** Only these backends (a probe that does not apply to the others). */
  only?: SecurityBackend['name'][];
}

/**
 * Declares `body` once per backend, inside `describe('<title> [<backend>]')`.
 *
 * @example
 * ```ts
 * forEachBackend('bind mounts', (ctx) => {
 *   it('holds', async () => { const c = await ctx.engine.containers.create({ image: ctx.image }); ... });
 * });
 * ```
 */
export function forEachBackend(title: string, body: (ctx: BackendContext) => void, options: ForEachBackendOptions = {}): void {
  for (const backend of SECURITY_BACKENDS) {
    if (options.only && !options.only.includes(backend.name)) continue;
    const state = new SuiteState(TEST_IMAGE, []);
    const ctx: BackendContext = {
      backend: backend.name,
      get engine() {
        return state.engine;
      },
      image: state.image,
      unique: (prefix) => state.unique(prefix),
      tempDir: () => state.tempDir(),
      freePort: () => state.freePort(),
      need: (cap, skip) => state.need(cap, skip),
      cleanup: (fn) => state.cleanup(fn),
    };
    let unavailable: string | undefined;
    describe(`${title} [${backend.name}]`, () => {
      beforeAll(async () => {
        if (!(await backend.available())) {
          if (isRequired(backend.name)) throw new Error(`STOWAGE_REQUIRE names ${backend.name}, but its engine is not available here`);
          unavailable = `${backend.name} engine not available (set STOWAGE_REQUIRE=${backend.name} to fail instead)`;
          return;
        }
        state.engineOrUndefined = await backend.open();
        await seedTestImage(state.engine);
      });
      beforeEach(({ skip }) => {
        if (unavailable) skip(unavailable);
      });
      afterAll(async () => {
        await state.teardown();
        await state.engineOrUndefined?.close();
      });
      body(ctx);
    });
  }
}
