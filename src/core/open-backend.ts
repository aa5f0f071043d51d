/**
 * Loading a backend by name, with a dynamic `import()` so that core never imports a backend
 * (and an app that only uses the emulator never loads undici).
 *
 * @module
 */
import type { Backend } from './backend.js';
import { BackendUnavailableError, InvalidArgumentError } from './errors.js';

/**
 * Options of each built-in backend by name. Backends add their own options type here through
 * declaration merging, so `Engine.open({ backend: 'docker', host })` is type-checked.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface BackendOptionsByName {}

/** The names `Engine.open()` knows. */
export type BackendName = 'emulator' | 'docker' | 'native' | 'auto';

/**
 * Options of `Engine.open()`: the backend's name plus that backend's own options, type-checked
 * through {@link BackendOptionsByName}; with no name (or `auto`) any backend's options.
 */
export type EngineOpenOptions =
  | ({
    /**
     * No name: `STOWAGE_BACKEND` when set, else the emulator. `auto`: docker if an engine
     * answers, else native as root with runc, else the emulator. The other fields go to
     * whichever backend that turns out to be.
     */
    backend?: 'auto';
  } & Record<string, unknown>)
  | {
    [K in keyof BackendOptionsByName]: {
      /** The backend to open; the other fields are that backend's options, type-checked. */
      backend: K;
    } & BackendOptionsByName[K]
  }[keyof BackendOptionsByName];

/** What `Engine.open()` needs of a backend module. */
interface BackendModule {
  createBackend(options: Record<string, unknown>): Backend | Promise<Backend>;
  probe?(options: Record<string, unknown>): Promise<boolean>;
}

/** Where each built-in backend lives and what its factory and probe are called. */
const modules: Record<Exclude<BackendName, 'auto'>, { path: string; factory: string; probe?: string }> = {
  emulator: { path: '../backends/emulator/index.js', factory: 'createEmulatorBackend' },
  docker: { path: '../backends/docker/index.js', factory: 'createDockerBackend', probe: 'probeDocker' },
  native: { path: '../backends/native/index.js', factory: 'createNativeBackend', probe: 'probeNative' },
};

async function loadBackend(name: Exclude<BackendName, 'auto'>): Promise<BackendModule> {
  const { path, factory, probe } = modules[name];
  let mod: Record<string, unknown>;
  try {
    // The specifier is a variable on purpose: core must not depend on any backend at build time.
    mod = (await import(path)) as Record<string, unknown>;
  } catch (cause) {
    throw new BackendUnavailableError(`the ${name} backend is not available in this build`, { details: { backend: name }, cause });
  }
  const create = mod[factory];
  if (typeof create !== 'function') {
    throw new BackendUnavailableError(`the ${name} backend does not export ${factory}()`, { details: { backend: name } });
  }
  const check = probe ? mod[probe] : undefined;
  return {
    createBackend: (o) => (create as BackendModule['createBackend'])(o),
    probe: typeof check === 'function' ? (o) => (check as NonNullable<BackendModule['probe']>)(o) : undefined,
  };
}

/** Resolves `options.backend` (or `STOWAGE_BACKEND`) and creates that backend. */
export async function openBackend(options: EngineOpenOptions): Promise<Backend> {
  const { backend, ...rest } = options as { backend?: string } & Record<string, unknown>;
  const name = backend ?? (process.env.STOWAGE_BACKEND || 'emulator');
  if (name === 'auto') return openAuto(rest);
  if (!(name in modules)) {
    throw new InvalidArgumentError(`invalid backend: ${JSON.stringify(name)} (expected emulator, docker, native or auto)`, {
      details: { path: 'options.backend' },
    });
  }
  const mod = await loadBackend(name as keyof typeof modules);
  return mod.createBackend(rest);
}

async function openAuto(options: Record<string, unknown>): Promise<Backend> {
  for (const name of ['docker', 'native'] as const) {
    const mod = await loadBackend(name).catch(() => undefined);
    if (mod?.probe && (await mod.probe(options).catch(() => false))) return mod.createBackend(options);
  }
  return (await loadBackend('emulator')).createBackend(options);
}
