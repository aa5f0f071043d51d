/**
 * Shared fixtures of the emulator backend tests: a backend with the built-in busybox image
 * pulled, a create-request builder with core's defaults, and bounded polling.
 */
import type { Backend } from '../../../src/core/backend.js';
import type { ContainerCreateRequest, LogLine } from '../../../src/core/schemas/index.js';
import { createEmulatorBackend, type EmulatorOptions } from '../../../src/backends/emulator/index.js';

/** A create request with the defaults core would fill in. */
export function req(partial: Partial<ContainerCreateRequest> & { image?: string }): ContainerCreateRequest {
  return {
    image: 'busybox',
    env: [],
    labels: {},
    tty: false,
    openStdin: false,
    mounts: [],
    volumesFrom: [],
    ports: [],
    publishAll: false,
    exposedPorts: [],
    links: [],
    networkAliases: [],
    autoRemove: false,
    ...partial,
  };
}

/** A backend with busybox pulled. */
export async function openBackend(options: EmulatorOptions = {}): Promise<Backend> {
  const backend = createEmulatorBackend(options);
  await backend.images.pull('busybox');
  return backend;
}

/** Every log line of a container (no follow). */
export async function allLogs(backend: Backend, id: string): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const line of backend.containers.logs(id, { follow: false, stdout: true, stderr: true })) out.push(line);
  return out;
}

/** Polls `check` until it returns true, failing after `attempts` tries (no fixed sleeps). */
export async function pollUntil(check: () => boolean | Promise<boolean>, attempts = 500): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}
