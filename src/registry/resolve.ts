/**
 * From a reference to the one image manifest to pull: fetch what the tag or digest names,
 * verify its digest, and when it is a manifest list / OCI index pick the platform's entry and
 * fetch that.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { NotFoundError, RegistryError } from '../core/errors.js';
import type { ImageRef } from '../core/image-ref.js';
import { digestOf, hashFor, mismatch } from './blob-download.js';
import type { RegistryEndpoint } from './endpoint.js';
import { MANIFEST_ACCEPT, parseManifest, type ImageManifest, type ManifestDocument, type Platform } from './manifest.js';
import { formatPlatform, selectPlatform } from './platform.js';
import { describeErrors } from './registry-errors.js';
import { header, release, type RegistryTransport } from './transport.js';

/** Manifests larger than this are refused (containerd's limit): they are JSON, not data. */
const MANIFEST_LIMIT = 4 * 1024 * 1024;

/** A manifest document and the exact bytes it was read from. */
export interface FetchedManifest {
  /** The digest of `bytes`. */
  digest: string;
  /** Media type. */
  mediaType: string;
  /** The document as served (its digest is what a `repo@digest` reference pins). */
  bytes: Buffer;
}

/** What a reference resolves to on its registry. */
export interface ResolvedImage {
  /** What the tag or digest names directly: Docker's RepoDigest (the index, for a multi-platform image). */
  digest: string;
  /** The index, when the reference named one. */
  index?: FetchedManifest;
  /** The image manifest chosen (the one for the platform when there is an index). */
  manifest: FetchedManifest;
  /** Its parsed form. */
  parsed: ImageManifest;
  /** The platform the index listed for it, when there was an index. */
  platform?: Platform;
}

/** Where and how to fetch. */
export interface ResolveContext {
  /** HTTP with auth. */
  transport: RegistryTransport;
  /** The registry. */
  endpoint: RegistryEndpoint;
  /** Scopes for the requests. */
  scope: readonly string[];
  /** Cancels the requests. */
  signal?: AbortSignal | undefined;
}

/** `manifest for 127.0.0.1:5000/app:1 not found: manifest unknown: manifest unknown`, as Docker says it. */
function notFoundText(ref: ImageRef, reference: string): (errors: readonly { code: string; message: string }[]) => string {
  // A tag never holds a colon; a digest always does.
  const name = reference.includes(':') ? `${ref.name}@${reference}` : `${ref.name}:${reference}`;
  return (errors) => {
    if (errors.some((e) => e.code === 'NAME_UNKNOWN')) {
      return `repository ${ref.name} not found: ${describeErrors(errors)}`;
    }
    return `manifest for ${name} not found${errors.length > 0 ? `: ${describeErrors(errors)}` : ''}`;
  };
}

/**
 * Fetches the manifest a tag or digest names and checks its digest (against the digest
 * asked for, or the registry's `Docker-Content-Digest`).
 */
export async function fetchManifest(ctx: ResolveContext, ref: ImageRef, reference: string): Promise<FetchedManifest & { document: ManifestDocument }> {
  const res = await ctx.transport.send(ctx.endpoint, {
    method: 'GET',
    url: `/v2/${ref.path}/manifests/${reference}`,
    headers: { accept: MANIFEST_ACCEPT },
    scope: ctx.scope,
    expect: [200],
    notFound: notFoundText(ref, reference),
    signal: ctx.signal,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MANIFEST_LIMIT) {
        throw new RegistryError(`${ctx.endpoint.name}: the manifest of ${ref.name} is larger than ${MANIFEST_LIMIT} bytes`, { details: { registry: ctx.endpoint.name } });
      }
      chunks.push(chunk as Buffer);
    }
  } finally {
    release(res.body);
  }
  const bytes = Buffer.concat(chunks);
  const pinned = reference.includes(':') ? reference : undefined;
  const served = header(res.headers, 'docker-content-digest');
  const expected = pinned ?? (served && /^sha(256|512):/.test(served) ? served : undefined);
  let digest: string;
  if (expected !== undefined) {
    digest = digestOf(hashFor(expected).update(bytes), expected);
    if (digest !== expected) throw mismatch(`manifest ${ref.name}@${reference}`, expected, digest, { registry: ctx.endpoint.name });
  } else {
    digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  }
  const where = { registry: ctx.endpoint.name, repository: ref.path, reference };
  const document = parseManifest(bytes, header(res.headers, 'content-type'), where);
  return { digest, mediaType: document.mediaType, bytes, document };
}

/**
 * Resolves a reference to the image manifest for `platform`.
 *
 * @throws NotFoundError (unknown repository, tag or platform), and the transport's errors
 */
export async function resolveImage(ctx: ResolveContext, ref: ImageRef, platform: Platform): Promise<ResolvedImage> {
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const top = await fetchManifest(ctx, ref, reference);
  const { document, ...topManifest } = top;
  if (document.kind === 'manifest') return { digest: top.digest, manifest: topManifest, parsed: document };
  const entry = selectPlatform(document, platform, { registry: ctx.endpoint.name, repository: ref.path });
  const chosen = await fetchManifest(ctx, ref, entry.digest);
  const { document: inner, ...manifest } = chosen;
  if (inner.kind !== 'manifest') {
    throw new NotFoundError(`the ${formatPlatform(platform)} entry of ${ref.familiar} is another index, not an image`, { details: { digest: entry.digest } });
  }
  const out: ResolvedImage = { digest: top.digest, index: topManifest, manifest, parsed: inner };
  if (entry.platform) out.platform = entry.platform;
  return out;
}
