/**
 * The container config `create` derives from the request and the image, by Docker's merge
 * rules: the request's command replaces the image's (and an entrypoint given without a command
 * drops the image's command), the request's env entries come first followed by the image's it
 * did not override, labels and exposed ports are unions, the hostname defaults to the first 12
 * characters of the ID.
 *
 * (An interim home: the shared `mergeConfig` of src/local-engine replaces this when it lands.)
 *
 * @module
 */
import type { ContainerCreateRequest } from '../../../core/schemas/index.js';
import type { ChangeableConfig } from '../../../core/dockerfile/changes.js';
import type { ContainerRecord } from './record.js';

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq === -1 ? entry : entry.slice(0, eq);
}

/** Request env first, then the image's entries whose names it does not set. */
export function mergeEnv(requestEnv: readonly string[], imageEnv: readonly string[]): string[] {
  const own = new Set(requestEnv.map(envKey));
  return [...requestEnv, ...imageEnv.filter((e) => !own.has(envKey(e)))];
}

/** The merged `config` of a new container. */
export function mergeConfig(request: ContainerCreateRequest, image: ChangeableConfig, id: string): ContainerRecord['config'] {
  const exposed = new Set(image.exposedPorts);
  for (const p of request.exposedPorts) exposed.add(p.includes('/') ? p : `${p}/tcp`);
  for (const p of request.ports) exposed.add(`${p.containerPort}/${p.protocol}`);
  return {
    cmd: request.cmd ?? (request.entrypoint !== undefined ? null : image.cmd),
    entrypoint: request.entrypoint ?? image.entrypoint,
    env: mergeEnv(request.env, image.env),
    workingDir: request.workingDir ?? image.workingDir,
    user: request.user ?? image.user,
    hostname: request.hostname ?? id.slice(0, 12),
    labels: { ...image.labels, ...request.labels },
    tty: request.tty,
    openStdin: request.openStdin,
    exposedPorts: [...exposed],
    stopSignal: request.stopSignal ?? image.stopSignal ?? 'SIGTERM',
    ...(request.stopTimeout !== undefined ? { stopTimeout: request.stopTimeout } : {}),
  };
}

/** Docker's default PATH for Linux containers. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The environment the main process gets, in Docker's order: `PATH` (default), `HOSTNAME`,
 * `TERM=xterm` with a TTY, the link variables, then the container's env replacing entries of
 * the same name or appended. (HOME is runc's: it sets it from the user's passwd entry when the
 * environment has none.)
 */
export function processEnv(config: ContainerRecord['config'], linkEnv: readonly string[] = []): string[] {
  const base = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${config.hostname}`, ...(config.tty ? ['TERM=xterm'] : []), ...linkEnv];
  return replaceOrAppend(base, config.env);
}

/** Replaces entries of `base` named in `overrides` (in place), appends the rest. */
export function replaceOrAppend(base: readonly string[], overrides: readonly string[]): string[] {
  const out = [...base];
  for (const entry of overrides) {
    const key = envKey(entry);
    const at = out.findIndex((e) => envKey(e) === key);
    if (!entry.includes('=')) {
      // `FOO` without a value removes FOO, as Docker's ReplaceOrAppendEnvValues does.
      if (at !== -1) out.splice(at, 1);
      continue;
    }
    if (at === -1) out.push(entry);
    else out[at] = entry;
  }
  return out;
}
