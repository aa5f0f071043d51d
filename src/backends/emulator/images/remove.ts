/**
 * `docker rmi` semantics, after the Engine's `ImageDelete`:
 *
 * - by reference: untag it; refused without `force` when it is the image's only tag and a
 *   container uses the image (the image would be left dangling under a container); the image
 *   is deleted once no tag is left;
 * - by ID: with one tag (or none) every tag goes and the image is deleted; with several tags it
 *   is refused unless `force`, which removes them all;
 * - an image used by a running container cannot be deleted even with `force`; one used by a
 *   stopped container needs `force`; an image with child images is never deleted (after an
 *   untag it just stays, untagged, as in Docker);
 * - after a delete, an untagged parent nothing else depends on is deleted too.
 *
 * @module
 */
import { ConflictError } from '../../../core/errors.js';
import { parseImageRef } from '../../../core/image-ref.js';
import type { ImageRemoveResult } from '../../../core/schemas/image.js';
import type { ImageRecord } from './image-index.js';
import type { StoreCore } from './store-core.js';

/** Docker's 12-character short form of an ID. */
function short(id: string): string {
  return (id.startsWith('sha256:') ? id.slice(7) : id).slice(0, 12);
}

/** How a conflict message names a container (Docker's short ID, when the backend told us). */
function who(user: { id: string }): string {
  return user.id === '' ? 'container' : `container ${short(user.id)}`;
}

/** The container using an image, if any (named when the backend can say which). */
function userOf(core: StoreCore, imageId: string): { id: string; running: boolean } | undefined {
  if (core.options.userOf) return core.options.userOf(imageId);
  // Without details, treat a user as stopped: force may remove the image, as for a stopped one.
  return core.options.isInUse(imageId) ? { id: '', running: false } : undefined;
}

/**
 * Removes a reference or an image.
 *
 * @throws NotFoundError when nothing matches; ConflictError as described in the module notes
 */
export function removeImage(core: StoreCore, ref: string, force: boolean): ImageRemoveResult {
  const record = core.index.resolve(ref);
  const id = record.image.id;
  const { index } = core;
  const result: ImageRemoveResult = { untagged: [], deleted: [] };
  const tags = index.tagsOf(id);
  if (!index.isIdReference(ref, record)) {
    const parsed = parseImageRef(ref);
    const familiar = parsed.digest === undefined ? parsed.familiar : `${parsed.name}@${parsed.digest}`;
    const user = userOf(core, id);
    if (!force && tags.length <= 1 && user) {
      throw new ConflictError(
        `conflict: unable to remove repository reference "${ref}" (must force) - ${who(user)} is using its referenced image ${short(id)}`,
        { details: { ref, imageId: id, containerId: user.id } },
      );
    }
    // A digest reference names a pull record, not a tag.
    if (parsed.digest === undefined) index.removeTag(familiar);
    else record.repoDigests.splice(record.repoDigests.indexOf(familiar), 1);
    core.emit('untag', id, familiar);
    result.untagged.push(familiar);
    if (index.tagsOf(id).length > 0) return result;
    // The last tag is gone: delete the image unless something keeps it (then it stays untagged).
    deleteIfFree(core, record, force, true, result);
    return result;
  }
  if (tags.length > 1 && !force) {
    throw new ConflictError(
      `conflict: unable to delete ${short(id)} (must be forced) - image is referenced in multiple repositories`,
      { details: { ref, imageId: id } },
    );
  }
  checkDeletable(core, record, force);
  for (const tag of tags) {
    index.removeTag(tag);
    core.emit('untag', id, tag);
    result.untagged.push(tag);
  }
  deleteIfFree(core, record, force, false, result);
  return result;
}

/** Throws the conflict that keeps an image from being deleted, if there is one. */
function checkDeletable(core: StoreCore, record: ImageRecord, force: boolean): void {
  const id = record.image.id;
  if (core.index.childrenOf(id).length > 0) {
    throw new ConflictError(`conflict: unable to delete ${short(id)} (cannot be forced) - image has dependent child images`, {
      details: { imageId: id },
    });
  }
  const user = userOf(core, id);
  if (user?.running) {
    throw new ConflictError(
      `conflict: unable to delete ${short(id)} (cannot be forced) - image is being used by running ${who(user)}`,
      { details: { imageId: id, containerId: user.id } },
    );
  }
  if (user && !force) {
    throw new ConflictError(
      `conflict: unable to delete ${short(id)} (must be forced) - image is being used by stopped ${who(user)}`,
      { details: { imageId: id, containerId: user.id } },
    );
  }
}

/**
 * Deletes an untagged image and then its untagged, unused parents. `quiet` (after an untag)
 * leaves an image that cannot go as it is instead of failing, as Docker does.
 */
function deleteIfFree(core: StoreCore, record: ImageRecord, force: boolean, quiet: boolean, result: ImageRemoveResult): void {
  try {
    checkDeletable(core, record, force);
  } catch (e) {
    if (quiet) return;
    throw e;
  }
  const id = record.image.id;
  core.index.delete(id);
  core.emit('delete', id);
  result.deleted.push(id);
  // Prune the parent chain the way `docker rmi` does (never tagged or used parents).
  let parentId = record.parentId;
  while (parentId !== undefined) {
    const parent = core.index.get(parentId);
    if (!parent || core.index.tagsOf(parentId).length > 0 || core.index.childrenOf(parentId).length > 0) break;
    if (core.options.isInUse(parentId)) break;
    core.index.delete(parentId);
    core.emit('delete', parentId);
    result.deleted.push(parentId);
    parentId = parent.parentId;
  }
}
