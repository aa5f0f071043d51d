/**
 * `docker rmi` on the native image table, after the Engine's image-delete rules:
 *
 * - by reference: the tag goes; when it was the image's last tag and a container uses the
 *   image, that is a conflict unless forced (forced: the image stays, untagged); the image is
 *   deleted once no tag is left;
 * - by ID: an image with several tags is a conflict unless forced (forced: every tag goes);
 * - a running container's image is never deleted; a stopped container's only when forced;
 *   an image with local children is never deleted (it just loses the tag);
 * - after a delete, an untagged parent that nothing else needs goes too.
 *
 * (To be replaced by the shared image-remove rules of src/local-engine when they land.)
 *
 * @module
 */
import { ConflictError, NotFoundError } from '../../../core/errors.js';
import { classifyImageLookup } from '../../../core/image-ref.js';
import type { ImageRemoveResult } from '../../../core/schemas/image.js';
import { lookupImage, tagsOf, type CatalogDraft } from './image-catalog.js';

/** Who uses an image: a container (its ID) and whether it runs. */
export type ImageUser = { containerId: string; running: boolean } | undefined;

const short = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

function hasChildren(draft: CatalogDraft, id: string): boolean {
  for (const record of draft.records.values()) if (record.parentId === id) return true;
  return false;
}

/** Deletes `id` and then its untagged, unused, childless parents; returns the deleted IDs. */
function deleteWithParents(draft: CatalogDraft, id: string, userOf: (id: string) => ImageUser): string[] {
  const deleted: string[] = [];
  let current: string | undefined = id;
  while (current !== undefined) {
    const record = draft.records.get(current);
    if (!record) break;
    draft.records.delete(current);
    deleted.push(current);
    const parent = record.parentId;
    if (parent === undefined || !draft.records.has(parent)) break;
    if (tagsOf(draft, parent).length > 0 || hasChildren(draft, parent) || userOf(parent) !== undefined) break;
    current = parent;
  }
  return deleted;
}

/**
 * Applies `docker rmi ref` to the draft.
 * @throws NotFoundError when nothing matches; ConflictError as the module notes say
 */
export function removeFromCatalog(draft: CatalogDraft, ref: string, force: boolean, userOf: (id: string) => ImageUser): ImageRemoveResult {
  const record = lookupImage(draft, ref);
  if (!record) throw new NotFoundError(`No such image: ${ref}`, { details: { ref } });
  const id = record.id;
  const how = classifyImageLookup(ref);
  const byTag = how.ref !== undefined && how.ref.tag !== undefined && draft.tags.get(how.ref.familiar) === id;
  const user = userOf(id);
  const untagged: string[] = [];

  if (byTag) {
    const tag = how.ref!.familiar;
    const remaining = tagsOf(draft, id).filter((t) => t !== tag);
    if (remaining.length === 0 && user !== undefined && !force) {
      throw new ConflictError(
        `conflict: unable to remove repository reference "${ref}" (must force) - container ${short(user.containerId)} is using its referenced image ${short(id)}`,
        { details: { ref, image: id, container: user.containerId } },
      );
    }
    draft.tags.delete(tag);
    untagged.push(tag);
    if (remaining.length > 0 || user !== undefined || hasChildren(draft, id)) return { untagged, deleted: [] };
    return { untagged, deleted: deleteWithParents(draft, id, userOf) };
  }

  const tags = tagsOf(draft, id);
  if (tags.length > 1 && !force) {
    throw new ConflictError(`conflict: unable to delete ${short(id)} (must be forced) - image is referenced in multiple repositories`, {
      details: { image: id },
    });
  }
  if (user?.running) {
    throw new ConflictError(`conflict: unable to delete ${short(id)} (cannot be forced) - image is being used by running container ${short(user.containerId)}`, {
      details: { image: id, container: user.containerId },
    });
  }
  if (user !== undefined && !force) {
    throw new ConflictError(`conflict: unable to delete ${short(id)} (must be forced) - image is being used by stopped container ${short(user.containerId)}`, {
      details: { image: id, container: user.containerId },
    });
  }
  if (hasChildren(draft, id)) {
    throw new ConflictError(`conflict: unable to delete ${short(id)} (cannot be forced) - image has dependent child images`, { details: { image: id } });
  }
  for (const tag of tags) {
    draft.tags.delete(tag);
    untagged.push(tag);
  }
  for (const digest of record.repoDigests) untagged.push(digest);
  return { untagged, deleted: deleteWithParents(draft, id, userOf) };
}
