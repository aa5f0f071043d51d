/**
 * Making sure an image's layers serialise to the bytes its config names.
 *
 * A layer read from a foreign tar keeps the digest of the bytes it came from, but `toTar()`
 * (what `save` writes) may produce different bytes. An image's `rootfs.diff_ids` must match
 * what a save carries, so imported layers are normalised once: re-read from their own
 * deterministic tar, which gives a layer whose diffId is the sha256 of `toTar()`. File content
 * is interned in the shared content store, so this costs time, not memory.
 *
 * @module
 */
import { throwIfAborted } from '../../../core/errors.js';
import { Layer } from '../../../fs-union/layer.js';

/**
 * A layer equal to `layer` whose `diffId` is the sha256 of its `toTar()` bytes (the same object
 * when that already holds).
 */
export async function canonicalLayer(layer: Layer, signal?: AbortSignal): Promise<Layer> {
  throwIfAborted(signal);
  if (layer.canonical) return layer;
  const opts = signal ? { signal } : {};
  const digest = await layer.canonicalDiffId(opts);
  if (digest === layer.diffId) return layer;
  return Layer.fromTar(layer.toTar(opts), opts);
}
