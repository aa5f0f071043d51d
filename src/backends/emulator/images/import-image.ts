/**
 * `docker import`: a rootfs tar (plain, gzip, bzip2, xz or zstd) becomes a one-layer image.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { CallOptions } from '../../../core/backend.js';
import { throwIfAborted } from '../../../core/errors.js';
import { parseImageRef } from '../../../core/image-ref.js';
import type { ImageConfig } from '../../../core/schemas/image.js';
import { decompressStream } from '../../../fs-union/compression.js';
import { Layer } from '../../../fs-union/layer.js';
import { emptyImageConfig } from './image-config.js';
import type { StoreCore } from './store-core.js';

/** Options of {@link importImage}. */
export interface ImportImageOptions extends CallOptions {
  /** Reference to tag the image with (untagged when absent). */
  ref?: string;
  /** Dockerfile instructions applied to the empty config (`CMD ["sh"]`). */
  changes: string[];
  /** History comment (default `Imported from -`, as Docker writes for a stream). */
  message?: string;
}

/**
 * Imports a rootfs tar and resolves with the new image's ID.
 *
 * @throws InvalidArgumentError for a bad reference, a bad change or a malformed tar;
 *   UnsupportedError for a compression that cannot be decoded
 */
export async function importImage(core: StoreCore, source: Readable, options: ImportImageOptions): Promise<{ id: string }> {
  throwIfAborted(options.signal);
  // Validate what can fail cheaply before reading the whole stream.
  const familiar = options.ref === undefined ? undefined : parseImageRef(options.ref, 'ref').familiar;
  let config: ImageConfig = emptyImageConfig();
  if (options.changes.length > 0) {
    // The Dockerfile front end is loaded only when there are changes to apply.
    const { applyImageChanges } = await import('./changes.js');
    config = applyImageChanges(config, options.changes);
  }
  const signalOpts = options.signal ? { signal: options.signal } : {};
  // The image's diffID must be the digest of what `save` writes (`toTar()`), not of the bytes
  // imported. The canonical layer shares the read layer's entries and content: re-reading its
  // tar would parse and hash every file again.
  const read = await Layer.fromTar(decompressStream(source, signalOpts), signalOpts);
  const layer = await read.toCanonical(signalOpts);
  const created = core.now();
  const comment = options.message !== undefined && options.message !== '' ? options.message : 'Imported from -';
  const record = core.register({
    layers: [layer],
    config,
    created,
    comment,
    history: [{ created, createdBy: '', comment, author: '', emptyLayer: false }],
  });
  core.emit('import', record.image.id, familiar);
  if (familiar !== undefined) core.tag(familiar, record.image.id);
  return { id: record.image.id };
}
