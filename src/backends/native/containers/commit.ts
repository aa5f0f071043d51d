/**
 * `docker commit` on the native backend: the container's upper directory becomes a layer
 * through fs-union's `diffDirectoryToLayerTar` (stored as a verified blob, extracted once on
 * top of the image's layers), and the new image's config is the container's config with the
 * changes applied, the image's history plus one step, and the image as parent. A running
 * container is frozen meanwhile unless asked not to be (Docker's default), so the layer is one
 * instant's state.
 *
 * @module
 */
import { applyChanges } from '../../../core/dockerfile/changes.js';
import { parseImageRef, withTag } from '../../../core/image-ref.js';
import type { CommitRequest, CommitResult } from '../../../core/backend.js';
import { diffDirectoryToLayerTar } from '../../../fs-union/index.js';
import type { NativeContext } from '../context.js';
import { encodeImageConfig } from '../images/image-config.js';
import type { ContainerRecord } from './record.js';
import { crashPoint } from '../state/crash-point.js';

/** Commits a container as a new image. */
export async function commitContainer(ctx: NativeContext, record: ContainerRecord, request: CommitRequest, signal?: AbortSignal): Promise<CommitResult> {
  const tag = request.repo !== undefined ? withTag(parseImageRef(request.repo, 'repo'), request.tag ?? 'latest').familiar : undefined;
  const base = await ctx.images.config(record.imageId);
  const config = applyChanges({ ...base.config, ...record.config, stopSignal: record.config.stopSignal === 'SIGTERM' ? base.config.stopSignal : record.config.stopSignal }, request.changes);
  const state = request.pause ? await ctx.runc.state(record.id) : undefined;
  const freeze = state?.status === 'running';
  if (freeze) await ctx.runc.pause(record.id);
  let blob;
  try {
    blob = await ctx.images.blobs.putStream(diffDirectoryToLayerTar(ctx.containers.dir(record.id).upper, signal ? { signal } : {}), signal ? { signal } : {});
  } finally {
    if (freeze) await ctx.runc.resume(record.id).catch(() => undefined);
  }
  crashPoint('commit:after-blob');
  const created = new Date();
  const configBytes = encodeImageConfig({
    config,
    created,
    author: request.author ?? '',
    comment: request.message ?? '',
    architecture: base.architecture || undefined,
    os: base.os || undefined,
    diffIds: [...base.diffIds, blob.digest],
    history: [
      ...base.history,
      { created, createdBy: [...(record.config.entrypoint ?? []), ...(record.config.cmd ?? [])].join(' '), comment: request.message ?? '', author: request.author ?? '', emptyLayer: false },
    ],
  });
  const diffIds = [...base.diffIds, blob.digest];
  const imageId = await ctx.images.add({
    configBytes,
    layers: diffIds.map((diffId) => ({ diffId, open: () => ctx.images.blobs.open(diffId) })),
    ...(tag ? { tags: [tag] } : {}),
    parentId: record.imageId,
  }, signal);
  await ctx.events.append({ type: 'container', action: 'commit', id: record.id, name: record.name, attributes: { imageID: imageId, name: record.name } });
  return { imageId };
}
