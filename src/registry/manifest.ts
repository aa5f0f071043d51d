/**
 * Image manifests and indexes as registries serve them: Docker schema 2 manifests and manifest
 * lists, OCI manifests and indexes. Schema 1 (signed or not) is refused: registries have not
 * served it by default since 2019 and Docker 20.10 itself no longer pushes it.
 *
 * @module
 */
import { z } from 'zod';
import { RegistryError, UnsupportedError } from '../core/errors.js';

/** The media types the client reads and writes. */
export const MediaTypes = {
  /** Docker image manifest, schema 2. */
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  /** Docker manifest list (multi-platform). */
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** Docker image config. */
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  /** Docker layer, gzip. */
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** OCI image manifest. */
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  /** OCI image index (multi-platform). */
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  /** OCI image config. */
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  /** OCI layer, uncompressed. */
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  /** OCI layer, gzip. */
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  /** OCI layer, zstd. */
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

const schema1Types = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

/** What a manifest request accepts, most preferred first (Docker's own order). */
export const MANIFEST_ACCEPT = [
  MediaTypes.ociIndex,
  MediaTypes.dockerManifestList,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifest,
].join(', ');

/** The platform a manifest list entry is for. */
export interface Platform {
  /** Operating system (`linux`). */
  os: string;
  /** CPU architecture in Go's spelling (`amd64`, `arm64`). */
  architecture: string;
  /** CPU variant (`v7`, `v8`), where the architecture has them. */
  variant?: string;
}

/** A content descriptor: what a manifest says about a blob or another manifest. */
export interface Descriptor {
  /** The blob's media type. */
  mediaType: string;
  /** `sha256:<hex>` (or another algorithm) of its bytes. */
  digest: string;
  /** Its length in bytes. */
  size: number;
  /** For manifest list entries: the platform the manifest is for. */
  platform?: Platform;
  /** Where a foreign (non-distributable) blob can be downloaded from instead. */
  urls?: string[];
}

/** An image manifest: one config and its layers, bottom first. */
export interface ImageManifest {
  /** Always `manifest`. */
  kind: 'manifest';
  /** The manifest's media type. */
  mediaType: string;
  /** The image config blob. */
  config: Descriptor;
  /** The layer blobs, bottom first. */
  layers: Descriptor[];
}

/** A manifest list / OCI index: one manifest per platform. */
export interface ImageIndex {
  /** Always `index`. */
  kind: 'index';
  /** The index's media type. */
  mediaType: string;
  /** The manifests it lists. */
  manifests: Descriptor[];
}

/** Either kind of document a manifest endpoint serves. */
export type ManifestDocument = ImageManifest | ImageIndex;

const digestSchema = z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/);

const platformSchema = z.object({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
});

const descriptorSchema = z.object({
  mediaType: z.string().optional(),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  platform: platformSchema.optional(),
  urls: z.array(z.string()).optional(),
});

const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
});

const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
});

function descriptor(d: z.infer<typeof descriptorSchema>, fallbackType: string): Descriptor {
  const out: Descriptor = { mediaType: d.mediaType ?? fallbackType, digest: d.digest, size: d.size };
  if (d.platform) {
    out.platform = { os: d.platform.os, architecture: d.platform.architecture };
    if (d.platform.variant) out.platform.variant = d.platform.variant;
  }
  if (d.urls) out.urls = d.urls;
  return out;
}

function isIndexType(type: string): boolean {
  return type === MediaTypes.ociIndex || type === MediaTypes.dockerManifestList;
}

/**
 * Parses a manifest endpoint's answer. The document's own `mediaType` decides its kind; the
 * `Content-Type` header stands in when the document has none (OCI makes the field optional);
 * failing both, the shape does.
 *
 * @throws UnsupportedError for schema 1 and unknown media types; RegistryError for a body that
 *   is not a manifest
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined, where: Record<string, unknown> = {}): ManifestDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new RegistryError('the registry answered with a manifest that is not JSON', { details: where, cause });
  }
  const declared = (doc as { mediaType?: unknown } | null)?.mediaType;
  const header = contentType?.split(';')[0]?.trim();
  let type = typeof declared === 'string' && declared !== '' ? declared : header;
  if (type === undefined || type === '' || type === 'application/json' || type === 'application/octet-stream') {
    // No usable type: the shape says which document this is (OCI allows an untyped manifest).
    type = (doc as { manifests?: unknown } | null)?.manifests !== undefined ? MediaTypes.ociIndex : MediaTypes.ociManifest;
  }
  if (schema1Types.has(type) || (doc as { schemaVersion?: unknown } | null)?.schemaVersion === 1) {
    throw new UnsupportedError('schema 1 image manifests are not supported (push the image again with a current Docker)', { details: { ...where, mediaType: type } });
  }
  if (isIndexType(type)) {
    const parsed = indexSchema.safeParse(doc);
    if (!parsed.success) throw malformed(where, parsed.error);
    return { kind: 'index', mediaType: type, manifests: parsed.data.manifests.map((d) => descriptor(d, MediaTypes.ociManifest)) };
  }
  if (type !== MediaTypes.ociManifest && type !== MediaTypes.dockerManifest) {
    throw new UnsupportedError(`unsupported manifest media type ${type}`, { details: { ...where, mediaType: type } });
  }
  const parsed = manifestSchema.safeParse(doc);
  if (!parsed.success) throw malformed(where, parsed.error);
  const layerFallback = type === MediaTypes.dockerManifest ? MediaTypes.dockerLayerGzip : MediaTypes.ociLayerGzip;
  return {
    kind: 'manifest',
    mediaType: type,
    config: descriptor(parsed.data.config, type === MediaTypes.dockerManifest ? MediaTypes.dockerConfig : MediaTypes.ociConfig),
    layers: parsed.data.layers.map((d) => descriptor(d, layerFallback)),
  };
}

function malformed(where: Record<string, unknown>, error: z.ZodError): RegistryError {
  return new RegistryError(`the registry answered with a malformed manifest: ${error.issues[0]?.message ?? 'invalid'}`, { details: where, cause: error });
}

/**
 * A Docker schema 2 manifest for a config and layers, laid out byte for byte as Docker
 * writes one (three-space indentation), so a push from here and one from `docker push` of the
 * same blobs give the same digest.
 */
export function encodeDockerManifest(config: Descriptor, layers: readonly Descriptor[]): Buffer {
  const d = (x: Descriptor) => ({ mediaType: x.mediaType, size: x.size, digest: x.digest });
  const doc = {
    schemaVersion: 2,
    mediaType: MediaTypes.dockerManifest,
    config: d(config),
    layers: layers.map(d),
  };
  return Buffer.from(JSON.stringify(doc, null, 3), 'utf8');
}

/** True when a layer media type is one a Linux engine unpacks (tar, gzip or zstd). */
export function isLayerMediaType(type: string): boolean {
  return type === MediaTypes.dockerLayerGzip
    || type === 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'
    || type.startsWith('application/vnd.oci.image.layer.');
}
