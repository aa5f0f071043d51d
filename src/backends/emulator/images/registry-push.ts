/**
 * `docker push` for the emulator: the image's blobs and manifest through the registry client,
 * then the pushed digest recorded (`RepoDigests`) and the `push` event sent.
 *
 * @module
 */
import type { CallOptions } from '../../../core/backend.js';
import { parseImageRef } from '../../../core/image-ref.js';
import type { ProgressEvent } from '../../../core/schemas/image.js';
import type { ImageRecord } from './image-index.js';
import type { EmulatorRegistry } from './registry-access.js';
import type { StoreCore } from './store-core.js';

/**
 * Pushes the image `input` names (a tag of it) to that name's registry.
 *
 * @throws UnsupportedError for a Docker Hub name without a configured mirror; the registry
 *   client's errors (AuthenticationError, RateLimitError, RegistryError...)
 */
export async function pushImage(
  core: StoreCore,
  registry: EmulatorRegistry,
  record: ImageRecord,
  input: string,
  options: CallOptions & { onProgress?: (e: ProgressEvent) => void },
): Promise<void> {
  const ref = parseImageRef(input, 'ref');
  const result = await registry.push(record, ref, options);
  const pinned = `${ref.name}@${result.digest}`;
  if (!record.repoDigests.includes(pinned)) record.repoDigests.push(pinned);
  core.emit('push', record.image.id, ref.familiar);
}
