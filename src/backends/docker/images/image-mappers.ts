/**
 * Engine image JSON -> the SDK's `ImageInfo`, `ImageSummary`, `HistoryEntry` and
 * `ImageRemoveResult`. Pure, pinned by unit tests with recorded engine JSON.
 *
 * @module
 */
import type { HistoryEntry, ImageInfo, ImageRemoveResult, ImageSummary } from '../../../core/schemas/index.js';
import { engineDate } from '../containers/inspect-mapper.js';
import type { EngineHistoryRow, EngineImageInspect, EngineImageSummary } from '../engine-types.js';

/** Tags without Docker's `<none>:<none>` placeholder. */
export function realTags(tags: readonly string[] | null | undefined): string[] {
  return (tags ?? []).filter((t) => t !== '<none>:<none>' && t !== '<none>@<none>');
}

/** `GET /images/{name}/json` -> `ImageInfo`. */
export function mapImageInfo(raw: EngineImageInspect): ImageInfo {
  const c = raw.Config ?? {};
  return {
    id: raw.Id,
    repoTags: realTags(raw.RepoTags),
    created: engineDate(raw.Created) ?? new Date(0),
    author: raw.Author ?? '',
    comment: raw.Comment ?? '',
    architecture: raw.Architecture ?? '',
    os: raw.Os ?? '',
    config: {
      env: c.Env ?? [],
      cmd: c.Cmd ?? null,
      entrypoint: c.Entrypoint ?? null,
      workingDir: c.WorkingDir ?? '',
      user: c.User ?? '',
      exposedPorts: Object.keys(c.ExposedPorts ?? {}),
      volumes: Object.keys(c.Volumes ?? {}),
      labels: c.Labels ?? {},
      stopSignal: c.StopSignal ?? '',
    },
    rootfs: { diffIds: raw.RootFS?.Layers ?? [] },
    size: Math.max(0, raw.Size ?? 0),
  };
}

/** A row of `GET /images/json` -> `ImageSummary`. */
export function mapImageSummary(raw: EngineImageSummary): ImageSummary {
  return { id: raw.Id, repoTags: realTags(raw.RepoTags), created: new Date((raw.Created ?? 0) * 1000), size: Math.max(0, raw.Size ?? 0) };
}

/** `GET /images/{name}/history` -> rows (newest first, `<missing>` IDs kept, `emptyLayer` from a zero size). */
export function mapHistory(rows: readonly EngineHistoryRow[] | null | undefined): HistoryEntry[] {
  return (rows ?? []).map((r) => ({
    id: r.Id,
    created: new Date((r.Created ?? 0) * 1000),
    createdBy: r.CreatedBy ?? '',
    size: Math.max(0, r.Size ?? 0),
    comment: r.Comment ?? '',
    emptyLayer: (r.Size ?? 0) === 0,
  }));
}

/** `DELETE /images/{name}` rows -> what was untagged and deleted. */
export function mapRemoveResult(rows: readonly { Untagged?: string; Deleted?: string }[] | null | undefined): ImageRemoveResult {
  const result: ImageRemoveResult = { untagged: [], deleted: [] };
  for (const r of rows ?? []) {
    if (r.Untagged) result.untagged.push(r.Untagged);
    if (r.Deleted) result.deleted.push(r.Deleted);
  }
  return result;
}

/**
 * The images named by `POST /images/load`'s messages: `Loaded image: repo:tag` gives a tag,
 * `Loaded image ID: sha256:...` an untagged image's ID.
 */
export function loadedReferences(streams: readonly string[]): { tags: string[]; ids: string[] } {
  const tags: string[] = [];
  const ids: string[] = [];
  for (const text of streams) {
    for (const line of text.split('\n')) {
      const id = /^Loaded image ID: (sha256:[0-9a-f]{64})\s*$/.exec(line);
      if (id) {
        ids.push(id[1]!);
        continue;
      }
      const tag = /^Loaded image: (\S+)\s*$/.exec(line);
      if (tag) tags.push(tag[1]!);
    }
  }
  return { tags, ids };
}
