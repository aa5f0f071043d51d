/**
 * The built-in image catalogue: what `pull` serves without a registry.
 *
 * Each image is made once per process and cached, so every store (and every container of every
 * engine in the process) shares the same {@link Layer} objects and bytes. Dates are fixed, so
 * the config bytes, and with them the image IDs, are the same in every run on one architecture.
 *
 * @module
 */
import type { ImageConfig } from '../../../core/schemas/image.js';
import { Layer } from '../../../fs-union/layer.js';
import { LayerBuilder } from '../../../fs-union/layer-builder.js';
import { emptyImageConfig, type ImageHistorySpec } from './image-config.js';
import {
  OS_RELEASE,
  distroRootfs,
  nginxLayerEntries,
  type DistroSpec,
  type RootfsEntrySpec,
} from './rootfs-spec.js';

/** The PATH the official images set. */
export const STANDARD_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A built-in image, ready to be registered in a store. */
export interface CatalogueImageSpec {
  /** Familiar repository name (`centos`). */
  repository: string;
  /** Tags it answers to (`['7', 'centos7']`). */
  tags: readonly string[];
  /** Layers, bottom first (shared across the process). */
  layers: readonly Layer[];
  /** Runnable config. */
  config: ImageConfig;
  /** Creation time (fixed). */
  created: Date;
  /** Steps, oldest first. */
  history: readonly ImageHistorySpec[];
}

/** Builds a layer from an entry list; the mtime of every entry is `mtime`. */
export async function buildRootfsLayer(entries: readonly RootfsEntrySpec[], mtime: Date): Promise<Layer> {
  const builder = new LayerBuilder({ mtime });
  for (const e of entries) {
    if (e.type === 'directory') builder.addDirectory(e.path, e.mode === undefined ? {} : { mode: e.mode });
    else if (e.type === 'file') builder.addFile(e.path, e.content, { mode: e.mode ?? 0o644 });
    else builder.addSymlink(e.path, e.target);
  }
  return builder.build();
}

function step(created: Date, createdBy: string, emptyLayer: boolean): ImageHistorySpec {
  return { created, createdBy, comment: '', author: '', emptyLayer };
}

function nop(instruction: string): string {
  return `/bin/sh -c #(nop)  ${instruction}`;
}

interface BaseDefinition {
  repository: string;
  tags: readonly string[];
  created: string;
  distro: DistroSpec;
  cmd: string[];
  labels?: Record<string, string>;
}

const BASES: readonly BaseDefinition[] = [
  {
    repository: 'busybox', tags: ['latest', '1.36', '1.36.1', 'stable'], created: '2024-09-26T21:31:42Z', cmd: ['sh'],
    distro: { osRelease: OS_RELEASE.busybox, rootShell: '/bin/sh', usrMerge: false, bash: false },
  },
  {
    repository: 'alpine', tags: ['latest', '3.20', '3.20.3', '3'], created: '2024-09-06T22:20:07Z', cmd: ['/bin/sh'],
    distro: { osRelease: OS_RELEASE.alpine, rootShell: '/bin/ash', usrMerge: false, bash: false,
      extra: [{ type: 'file', path: '/etc/alpine-release', content: '3.20.3\n' }] },
  },
  {
    repository: 'centos', tags: ['7', 'latest', 'centos7', '7.9.2009'], created: '2021-09-15T18:20:05Z', cmd: ['/bin/bash'],
    labels: {
      'org.label-schema.build-date': '20210915', 'org.label-schema.license': 'GPLv2', 'org.label-schema.name': 'CentOS Base Image',
      'org.label-schema.schema-version': '1.0', 'org.label-schema.vendor': 'CentOS',
    },
    distro: { osRelease: OS_RELEASE.centos7, rootShell: '/bin/bash', usrMerge: true, bash: true,
      extra: [{ type: 'file', path: '/etc/centos-release', content: 'CentOS Linux release 7.9.2009 (Core)\n' },
        { type: 'symlink', path: '/etc/redhat-release', target: 'centos-release' }] },
  },
  {
    repository: 'debian', tags: ['latest', 'bookworm', '12'], created: '2024-09-26T00:00:00Z', cmd: ['bash'],
    distro: { osRelease: OS_RELEASE.debian, rootShell: '/bin/bash', usrMerge: true, bash: true,
      extra: [{ type: 'file', path: '/etc/debian_version', content: '12.7\n' }] },
  },
  {
    repository: 'ubuntu', tags: ['latest', '24.04', 'noble'], created: '2024-09-16T08:50:15Z', cmd: ['/bin/bash'],
    labels: { 'org.opencontainers.image.ref.name': 'ubuntu', 'org.opencontainers.image.version': '24.04' },
    distro: { osRelease: OS_RELEASE.ubuntu, rootShell: '/bin/bash', usrMerge: true, bash: true,
      extra: [{ type: 'file', path: '/etc/debian_version', content: 'trixie/sid\n' }] },
  },
];

async function buildBase(def: BaseDefinition): Promise<CatalogueImageSpec> {
  const created = new Date(def.created);
  const layer = await buildRootfsLayer(distroRootfs(def.distro), created);
  const config: ImageConfig = { ...emptyImageConfig(), env: [STANDARD_PATH], cmd: def.cmd, labels: def.labels ?? {} };
  const history: ImageHistorySpec[] = [step(created, `/bin/sh -c #(nop) ADD file:${layer.diffId.slice(7)} in / `, false)];
  if (def.labels) {
    const text = Object.entries(def.labels).map(([k, v]) => `${k}=${v}`).join(' ');
    history.push(step(created, nop(`LABEL ${text}`), true));
  }
  history.push(step(created, nop(`CMD ${JSON.stringify(def.cmd)}`), true));
  return { repository: def.repository, tags: def.tags, layers: [layer], config, created, history };
}

async function buildNginx(debian: CatalogueImageSpec): Promise<CatalogueImageSpec> {
  const created = new Date('2024-10-02T17:55:35Z');
  const layer = await buildRootfsLayer(nginxLayerEntries(), created);
  const env = [STANDARD_PATH, 'NGINX_VERSION=1.27.2', 'NJS_VERSION=0.8.6', 'PKG_RELEASE=1~bookworm'];
  const labels = { maintainer: 'NGINX Docker Maintainers <docker-maint@nginx.com>' };
  const cmd = ['nginx', '-g', 'daemon off;'];
  const config: ImageConfig = {
    ...emptyImageConfig(), env, cmd, labels, exposedPorts: ['80/tcp'], stopSignal: 'SIGQUIT',
  };
  const history: ImageHistorySpec[] = [
    ...debian.history,
    step(created, `LABEL maintainer=${labels.maintainer}`, true),
    step(created, 'ENV NGINX_VERSION=1.27.2', true),
    step(created, 'ENV NJS_VERSION=0.8.6', true),
    step(created, 'ENV PKG_RELEASE=1~bookworm', true),
    step(created, 'RUN /bin/sh -c set -x && groupadd --system --gid 101 nginx && useradd --system --gid nginx nginx && apt-get install --no-install-recommends -y nginx # buildkit', false),
    step(created, 'EXPOSE map[80/tcp:{}]', true),
    step(created, 'STOPSIGNAL SIGQUIT', true),
    step(created, `CMD ${JSON.stringify(cmd)}`, true),
  ];
  return { repository: 'nginx', tags: ['latest', '1.27', '1.27.2', 'mainline'], layers: [...debian.layers, layer], config, created, history };
}

let cached: Promise<readonly CatalogueImageSpec[]> | undefined;

/**
 * Every built-in image. Built on first use and shared for the life of the process (the nginx
 * image reuses the Debian layer object itself).
 */
export function builtinCatalogue(): Promise<readonly CatalogueImageSpec[]> {
  cached ??= (async () => {
    const bases = await Promise.all(BASES.map(buildBase));
    const debian = bases.find((b) => b.repository === 'debian')!;
    return [...bases, await buildNginx(debian)];
  })();
  // A failed build is not cached, so a later pull can try again.
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

/** The names the catalogue has, for Docker's "manifest unknown" vs "repository does not exist". */
export async function findCatalogueImage(
  repository: string,
  tag: string,
): Promise<{ repositoryKnown: boolean; image?: CatalogueImageSpec }> {
  const all = await builtinCatalogue();
  const candidates = all.filter((c) => c.repository === repository);
  const image = candidates.find((c) => c.tags.includes(tag));
  return image ? { repositoryKnown: true, image } : { repositoryKnown: candidates.length > 0 };
}
