/**
 * `changes` of import and commit (`CMD ["sh"]`, `ENV a=b`, ...) applied to an image config
 * through the Dockerfile front end of core, mapped back to the schema's {@link ImageConfig}.
 *
 * @module
 */
import { applyChanges } from '../../../core/dockerfile/changes.js';
import type { ImageConfig } from '../../../core/schemas/image.js';

/**
 * Applies Dockerfile instructions to a config and returns the new config (the input is not
 * changed).
 *
 * @throws InvalidArgumentError with Docker's text for an instruction that is not a valid change
 */
export function applyImageChanges(config: ImageConfig, changes: readonly string[]): ImageConfig {
  const next = applyChanges(structuredClone(config), [...changes]);
  return {
    env: [...next.env],
    cmd: next.cmd === null ? null : [...next.cmd],
    entrypoint: next.entrypoint === null ? null : [...next.entrypoint],
    workingDir: next.workingDir,
    user: next.user,
    exposedPorts: [...next.exposedPorts],
    volumes: [...next.volumes],
    labels: { ...next.labels },
    stopSignal: next.stopSignal ?? '',
  };
}
