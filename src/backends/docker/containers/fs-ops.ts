/**
 * Container filesystem operations: diff, commit, archive in and out, export.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { CallOptions, CommitRequest } from '../../../core/backend.js';
import type { Change } from '../../../core/schemas/index.js';
import { seg, type DockerBackendContext } from '../context.js';

const kinds: Record<number, Change['kind']> = { 0: 'C', 1: 'A', 2: 'D' };

/** Maps `GET /containers/{id}/changes` rows (Kind 0 = C, 1 = A, 2 = D). */
export function mapChanges(rows: { Path: string; Kind: number }[] | null | undefined): Change[] {
  return (rows ?? []).flatMap((r) => {
    const kind = kinds[r.Kind];
    return kind ? [{ kind, path: r.Path }] : [];
  });
}

/** `GET /containers/{id}/changes`. */
export async function containerDiff(ctx: DockerBackendContext, id: string, options: CallOptions = {}): Promise<Change[]> {
  const rows = await ctx.client.json<{ Path: string; Kind: number }[] | null>('GET', `/containers/${seg(id)}/changes`, { signal: options.signal });
  return mapChanges(rows);
}

/** `POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes=`. */
export async function commitContainer(ctx: DockerBackendContext, id: string, request: CommitRequest, options: CallOptions = {}): Promise<{ imageId: string }> {
  const res = await ctx.client.json<{ Id: string }>('POST', '/commit', {
    query: {
      container: id,
      repo: request.repo,
      tag: request.repo !== undefined ? (request.tag ?? 'latest') : undefined,
      comment: request.message,
      author: request.author,
      pause: request.pause,
      changes: request.changes,
    },
    body: {},
    signal: options.signal,
  });
  return { imageId: res.Id };
}

/** `GET /containers/{id}/archive?path=`: a tar named by the path's base name. */
export function getContainerArchive(ctx: DockerBackendContext, id: string, path: string, options: CallOptions = {}): Promise<Readable> {
  return ctx.client.stream('GET', `/containers/${seg(id)}/archive`, { query: { path }, signal: options.signal });
}

/** `PUT /containers/{id}/archive?path=` with the tar as body. */
export async function putContainerArchive(ctx: DockerBackendContext, id: string, path: string, tar: Readable, options: CallOptions = {}): Promise<void> {
  await ctx.client.send('PUT', `/containers/${seg(id)}/archive`, {
    query: { path },
    body: tar,
    contentType: 'application/x-tar',
    signal: options.signal,
  });
}

/** `GET /containers/{id}/export`: the whole filesystem as a tar. */
export function exportContainer(ctx: DockerBackendContext, id: string, options: CallOptions = {}): Promise<Readable> {
  return ctx.client.stream('GET', `/containers/${seg(id)}/export`, { signal: options.signal });
}
