/**
 * Shapes shared by the image archive reader and writer. They work on blobs and bytes only (no
 * `Layer` objects), so every backend can feed them from wherever it keeps layers.
 *
 * @module
 */
import type { Readable } from 'node:stream';

/** One layer of an image to write: its diffID and a way to open its uncompressed tar. */
export interface ArchiveLayerSource {
  /** `sha256:<hex>` of the uncompressed tar; checked while the layer is written. */
  diffId: string;
  /** Opens the layer's uncompressed tar; called once per archive for each distinct layer. */
  open(): Readable;
  /** The tar's byte length when known: the layer then streams straight into the archive instead of being spooled to a temp file first. */
  size?: number;
}

/** An image to write with {@link writeImageArchive}. */
export interface ArchiveImage {
  /** The exact config JSON bytes; the image ID is their sha256. */
  config: Buffer;
  /** The layers, bottom first (their diffIDs must match the config's `rootfs.diff_ids`). */
  layers: ArchiveLayerSource[];
  /** Tags in the familiar form (`busybox:latest`, `myreg:5000/app:1`); may be empty. */
  repoTags: string[];
}

/** Archive formats: docker-archive (`docker save` before Docker 25) or OCI image layout. */
export type ImageArchiveFormat = 'docker' | 'oci';

/** Options of {@link writeImageArchive}. */
export interface WriteImageArchiveOptions {
  /** `docker`: manifest.json + repositories + `<id>/layer.tar`; `oci`: OCI image layout, plus manifest.json and repositories as Docker 25 writes them. */
  format: ImageArchiveFormat;
  /** Aborts the writing; the stream then fails with `AbortError`. */
  signal?: AbortSignal;
  /** Where layers of unknown size are spooled before being written (default: the OS temp dir). */
  spoolDir?: string;
}

/** A layer read from an archive, verified against its diffID. */
export interface ArchiveLayerInfo {
  /** `sha256:<hex>` of the uncompressed tar. */
  diffId: string;
  /** Byte length of the uncompressed tar. */
  size: number;
  /** Opens the uncompressed tar (decompressing a gzip/zstd blob on the fly); may be called many times until the archive is disposed. */
  open(): Readable;
  /**
   * The uncompressed tar as a spool file, when the archive held it uncompressed and it was too
   * large to keep in memory: a store on the same filesystem may rename it into place instead
   * of copying it (it was verified against the diffID while spooled). Gone after dispose.
   */
  file?: string;
}

/** An image read from an archive. */
export interface ArchiveImageInfo {
  /** The exact config JSON bytes. */
  config: Buffer;
  /** `sha256:<hex>` of the config bytes. */
  id: string;
  /** Tags in the familiar form (`busybox:latest`). */
  repoTags: string[];
  /** The layers, bottom first. */
  layers: ArchiveLayerInfo[];
}

/** What {@link readImageArchive} returns; its blobs live in a spool until disposed. */
export interface ImageArchiveContents extends AsyncDisposable {
  /** The format that was detected. */
  format: ImageArchiveFormat;
  /** The images of the archive. */
  images: ArchiveImageInfo[];
  /** Deletes the spooled blobs; layers cannot be opened afterwards. Safe to call twice. */
  dispose(): Promise<void>;
}

/** Options of {@link readImageArchive}. */
export interface ReadImageArchiveOptions {
  /** Aborts the reading with `AbortError`. */
  signal?: AbortSignal;
  /** Parent of the temp dir blobs are spooled into (default: the OS temp dir). */
  spoolDir?: string;
}
