/**
 * The few image-reference rules archives need: splitting `repo:tag`, and converting between
 * the familiar form Docker's `manifest.json` uses (`busybox:latest`) and the full form in OCI
 * annotations (`docker.io/library/busybox:latest`).
 *
 * @module
 */
import { InvalidArgumentError } from '../../core/errors.js';

/** A `repo:tag` split in two. */
export interface RepoTagParts {
  /** The repository, familiar form (`busybox`, `myreg:5000/app`). */
  repo: string;
  /** The tag (`latest` when the input had none). */
  tag: string;
}

/** Splits `repo:tag` at the last colon after the last slash (a registry port is not a tag). */
export function splitRepoTag(repoTag: string): RepoTagParts {
  const slash = repoTag.lastIndexOf('/');
  const colon = repoTag.lastIndexOf(':');
  if (repoTag === '' || repoTag.includes('@')) {
    throw new InvalidArgumentError(`not a repo:tag reference: ${JSON.stringify(repoTag)}`, { details: { path: 'repoTags' } });
  }
  return colon > slash ? { repo: repoTag.slice(0, colon), tag: repoTag.slice(colon + 1) } : { repo: repoTag, tag: 'latest' };
}

/** True when the first path component names a registry (has a dot or port, or is localhost). */
function hasRegistry(repo: string): boolean {
  const first = repo.split('/')[0]!;
  return repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
}

/** `busybox:latest` -> `docker.io/library/busybox:latest`, as containerd and Docker 25 annotate. */
export function fullRepoTag(repoTag: string): string {
  const { repo, tag } = splitRepoTag(repoTag);
  if (hasRegistry(repo)) return `${repo}:${tag}`;
  return `docker.io/${repo.includes('/') ? repo : `library/${repo}`}:${tag}`;
}

/** `docker.io/library/busybox:latest` -> `busybox:latest`; other registries are kept. */
export function familiarRepoTag(reference: string): string {
  const { repo, tag } = splitRepoTag(reference);
  let short = repo;
  if (short.startsWith('docker.io/')) short = short.slice('docker.io/'.length);
  else if (short.startsWith('index.docker.io/')) short = short.slice('index.docker.io/'.length);
  if (short.startsWith('library/') && short.split('/').length === 2) short = short.slice('library/'.length);
  return `${short}:${tag}`;
}
