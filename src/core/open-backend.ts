/**
 * Loading a backend by name, with a dynamic `import()` so that core never imports a backend
 * (and an app that only uses the emulator never loads undici).
 *
 * @module
 */
import type { Backend } from './backend.js';
import { z } from 'zod';
import { BackendUnavailableError, InvalidArgumentError } from './errors.js';
import { strictObject } from './schemas/strict.js';
import { parseInput } from './schemas/validate.js';

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
  /** The option names the backend takes, when the module says. */
  optionKeys?: readonly string[];
}

/** Where each built-in backend lives and what its factory, probe and option names are called. */
const modules: Record<Exclude<BackendName, 'auto'>, { path: string; factory: string; probe?: string; keys: string }> = {
  emulator: { path: '../backends/emulator/index.js', factory: 'createEmulatorBackend', keys: 'emulatorOptionKeys' },
  docker: { path: '../backends/docker/index.js', factory: 'createDockerBackend', probe: 'probeDocker', keys: 'dockerOptionKeys' },
  native: { path: '../backends/native/index.js', factory: 'createNativeBackend', probe: 'probeNative', keys: 'nativeOptionKeys' },
};

async function loadBackend(name: Exclude<BackendName, 'auto'>): Promise<BackendModule> {
  const { path, factory, probe, keys } = modules[name];
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
  const optionKeys = mod[keys];
  return {
    createBackend: (o) => (create as BackendModule['createBackend'])(o),
    probe: typeof check === 'function' ? (o) => (check as NonNullable<BackendModule['probe']>)(o) : undefined,
    optionKeys: Array.isArray(optionKeys) ? (optionKeys as string[]) : undefined,
  };
}

/** Resolves `options.backend` (or `STOWAGE_BACKEND`) and creates that backend. */
export async function openBackend(options: EngineOpenOptions): Promise<Backend> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`invalid options: expected an object such as { backend: 'emulator' }, received ${options === null ? 'null' : Array.isArray(options) ? 'array' : typeof options}`, {
      details: { path: 'options' },
    });
  }
  const { backend, ...rest } = options as { backend?: unknown } & Record<string, unknown>;
  if (backend !== undefined && typeof backend !== 'string') {
    throw new InvalidArgumentError(`invalid options.backend: expected emulator, docker, native or auto, received ${typeof backend}`, { details: { path: 'options.backend' } });
  }
  const name = backend ?? (process.env.STOWAGE_BACKEND || 'emulator');
  if (name === 'auto') return openAuto(rest);
  if (!Object.hasOwn(modules, name)) {
    throw new InvalidArgumentError(`invalid backend: ${JSON.stringify(name)} (expected emulator, docker, native or auto)`, {
      details: { path: 'options.backend' },
    });
  }
  const mod = await loadBackend(name as keyof typeof modules);
  return mod.createBackend(rest);
}

/**
 * `auto`: the options may be meant for any backend, so each candidate gets only the keys it
 * knows; a key no backend knows is still refused (with the nearest known key as a hint).
 */
async function openAuto(options: Record<string, unknown>): Promise<Backend> {
  const candidates = await Promise.all((['docker', 'native', 'emulator'] as const).map((name) => loadBackend(name).catch(() => undefined)));
  const known = candidates.flatMap((mod) => mod?.optionKeys ?? []);
  if (candidates.every((mod) => mod?.optionKeys !== undefined)) {
    parseInput(strictObject(Object.fromEntries(known.map((k) => [k, z.unknown().optional()]))), options, 'options');
  }
  const only = (mod: BackendModule): Record<string, unknown> =>
    mod.optionKeys ? Object.fromEntries(Object.entries(options).filter(([k]) => mod.optionKeys!.includes(k))) : options;
  const [docker, native, emulator] = candidates;
  for (const mod of [docker, native]) {
    if (mod?.probe && (await mod.probe(only(mod)).catch(() => false))) return mod.createBackend(only(mod));
  }
  if (!emulator) return (await loadBackend('emulator')).createBackend(options);
  return emulator.createBackend(only(emulator));
}
