/**
 * Volume specs (`docker run -v`) and `--volumes-from` specs.
 *
 * The grammar, the mode list and the error texts follow moby's Linux mount parser
 * (`volume/mounts/linux_parser.go`) and the local volume driver's name check, so a spec Docker
 * rejects is rejected here with the same words.
 *
 * @module
 */
import { posix } from 'node:path';
import { invalidSpec } from './invalid.js';

/** Mount propagation modes a bind mount accepts. */
export type MountPropagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';

/** The object form of a mount, as API.md's `MountSpec`. */
export interface MountSpec {
  /** `bind` for a host path, `volume` for a named or anonymous volume; inferred when absent. */
  type?: 'bind' | 'volume';
  /** Host path (bind) or volume name (volume); absent for an anonymous volume. */
  source?: string;
  /** Absolute path inside the container. */
  target: string;
  /** Mount read-only. */
  readOnly?: boolean;
}

/** A validated mount: the type is decided, the target is clean and absolute. */
export interface ParsedMount {
  /** `bind` for a host path, `volume` for a named or anonymous volume. */
  type: 'bind' | 'volume';
  /** Clean host path (bind) or volume name (volume); absent for an anonymous volume. */
  source?: string;
  /** Clean absolute path inside the container. */
  target: string;
  /** Whether writes through the mount are refused. */
  readOnly: boolean;
  /** `nocopy`: do not fill a new volume with the image's content at the target. */
  noCopy?: boolean;
  /** Propagation mode named in the spec, if any. */
  propagation?: MountPropagation;
}

/** A parsed `--volumes-from` entry. */
export interface VolumesFromSpec {
  /** Container name or ID whose mounts are shared (without a leading slash). */
  container: string;
  /** `rw` unless the spec says otherwise (the mode string as given, e.g. `ro` or `ro,z`). */
  mode: string;
  /** Whether the shared mounts are read-only in the new container. */
  readOnly: boolean;
}

const rwModes = new Set(['rw', 'ro']);
const labelModes = new Set(['z', 'Z']);
const propagationModes = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);
const copyModes = new Set(['nocopy']);
const consistencyModes = new Set(['consistent', 'cached', 'delegated']);

/** The local driver's name rule (`[a-zA-Z0-9][a-zA-Z0-9_.-]`, two characters at least). */
const volumeNameRe = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/**
 * Tells whether a mode string (`ro`, `rw,z`, `nocopy`...) is valid: known words only, at most
 * one of each kind, as moby's `ValidMountMode`.
 */
export function isValidMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = [0, 0, 0, 0, 0];
  for (const o of mode.split(',')) {
    const kind = rwModes.has(o) ? 0 : labelModes.has(o) ? 1 : propagationModes.has(o) ? 2
      : copyModes.has(o) ? 3 : consistencyModes.has(o) ? 4 : -1;
    if (kind < 0) return false;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts.every((c) => c <= 1);
}

/** Go's path.Clean: no trailing slash, no `.`/`..` segments, `''` becomes `.`. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/**
 * Checks a volume name the way the local driver does.
 *
 * @throws InvalidArgumentError with Docker's text; the "use absolute path" hint is what a
 *   relative host path such as `data/x:/x` earns; a name longer than 255 bytes gets the
 *   local driver's `file name too long`.
 */
export function validateVolumeName(name: string, path?: string): void {
  // The local driver makes a directory of that name: past NAME_MAX (255 bytes) mkdir fails,
  // and Engine 20.10 reports it in these words (for its default data root).
  if (Buffer.byteLength(name) > 255) {
    const root = `/var/lib/docker/volumes/${name}`;
    throw invalidSpec(`create ${name}: error while creating volume root path '${root}': mkdir ${root}: file name too long`, path, name);
  }
  if (name.length === 1) {
    throw invalidSpec('volume name is too short, names should be at least two alphanumeric characters', path, name);
  }
  if (!volumeNameRe.test(name)) {
    throw invalidSpec(
      `${JSON.stringify(name)} includes invalid characters for a local volume name, only ` +
        `"[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      path, name);
  }
}

/**
 * Parses one `-v` spec or {@link MountSpec}.
 *
 * Forms: `/ctr` (anonymous volume), `/host:/ctr`, `/host:/ctr:ro`, `name:/ctr`, `name:/ctr:ro`,
 * with any mode moby accepts (`rw`, `ro`, `z`, `Z`, `nocopy`, propagation, consistency).
 *
 * @throws InvalidArgumentError: `invalid volume specification: '<spec>'`, `invalid mode: x`,
 *   `invalid mount config for type "bind": invalid mount path: 'ctr' mount path must be absolute`,
 *   or the volume-name message for a relative host path.
 * @example
 * ```ts
 * parseVolumeSpec('/var/www:/data1:ro');
 * // { type: 'bind', source: '/var/www', target: '/data1', readOnly: true }
 * ```
 */
export function parseVolumeSpec(spec: string | MountSpec, path?: string): ParsedMount {
  if (typeof spec !== 'string') return mountSpecObject(spec, path);
  const arr = splitN(spec, ':', 4);
  if ((arr[0] ?? '') === '') throw invalidSpec(`invalid volume specification: '${spec}'`, path, spec);
  let source: string | undefined;
  let target: string;
  let mode = '';
  if (arr.length === 1) {
    target = arr[0] ?? '';
  } else if (arr.length === 2) {
    // `/foo:rw` names a mode but no destination: a volume cannot carry a mode alone.
    if (isValidMountMode(arr[1] ?? '')) throw invalidSpec(`invalid volume specification: '${spec}'`, path, spec);
    source = arr[0];
    target = arr[1] ?? '';
  } else if (arr.length === 3) {
    source = arr[0];
    target = arr[1] ?? '';
    mode = arr[2] ?? '';
  } else {
    throw invalidSpec(`invalid volume specification: '${spec}'`, path, spec);
  }
  if (!isValidMountMode(mode)) throw invalidSpec(`invalid mode: ${mode}`, path, spec);
  const type = source !== undefined && source.startsWith('/') ? 'bind' : 'volume';
  const words = mode === '' ? [] : mode.split(',');
  const mount = finish(type, source, target, !words.includes('ro') ? false : true, path, spec);
  if (type === 'volume' && words.includes('nocopy')) mount.noCopy = true;
  const prop = words.find((w) => propagationModes.has(w));
  if (prop) mount.propagation = prop as MountPropagation;
  return mount;
}

/** Parses every `-v` spec of a list, naming `path[i]` in errors. */
export function parseVolumeSpecs(specs: readonly (string | MountSpec)[], path = 'volumes'): ParsedMount[] {
  return specs.map((s, i) => parseVolumeSpec(s, `${path}[${i}]`));
}

function mountSpecObject(spec: MountSpec, path: string | undefined): ParsedMount {
  const type = spec.type ?? (spec.source?.startsWith('/') ? 'bind' : 'volume');
  if (type !== 'bind' && type !== 'volume') {
    throw invalidSpec(`mount type unknown: ${JSON.stringify(type)}`, sub(path, 'type'), spec);
  }
  if (type === 'bind' && !spec.source) {
    throw invalidSpec(`invalid mount config for type "bind": field Source must not be empty`, sub(path, 'source'), spec);
  }
  const source = spec.source === '' ? undefined : spec.source;
  return finish(type, source, spec.target, spec.readOnly ?? false, path, spec);
}

function finish(type: 'bind' | 'volume', source: string | undefined, target: string, readOnly: boolean,
  path: string | undefined, spec: unknown): ParsedMount {
  const prefix = `invalid mount config for type "${type}": `;
  if (target === '') throw invalidSpec(`${prefix}field Target must not be empty`, path, spec);
  if (!target.startsWith('/')) {
    throw invalidSpec(`${prefix}invalid mount path: '${target}' mount path must be absolute`, path, spec);
  }
  const cleanTarget = cleanPath(target);
  if (cleanTarget === '/') throw invalidSpec(`${prefix}invalid specification: destination can't be '/'`, path, spec);
  const mount: ParsedMount = { type, target: cleanTarget, readOnly };
  if (source !== undefined) {
    if (type === 'bind') {
      if (!source.startsWith('/')) {
        throw invalidSpec(`${prefix}invalid mount path: '${source}' mount path must be absolute`, path, spec);
      }
      mount.source = cleanPath(source);
    } else {
      validateVolumeName(source, path);
      mount.source = source;
    }
  }
  return mount;
}

/**
 * Parses a `--volumes-from` entry: `web2`, `web2:ro`, `web2:rw`.
 *
 * @throws InvalidArgumentError: `volumes-from specification cannot be an empty string`, or
 *   `invalid mode: x` (propagation and copy modes are refused here, as Docker does).
 */
export function parseVolumesFrom(spec: string, path?: string): VolumesFromSpec {
  if (spec === '') throw invalidSpec('volumes-from specification cannot be an empty string', path, spec);
  const [id = '', modePart] = splitN(spec, ':', 2);
  let mode = 'rw';
  if (modePart !== undefined) {
    mode = modePart;
    const words = mode.split(',');
    if (!isValidMountMode(mode) || words.some((w) => propagationModes.has(w) || copyModes.has(w))) {
      throw invalidSpec(`invalid mode: ${mode}`, path, spec);
    }
  }
  const container = id.startsWith('/') ? id.slice(1) : id;
  return { container, mode, readOnly: mode.split(',').includes('ro') };
}

function sub(path: string | undefined, field: string): string {
  return path === undefined ? field : `${path}.${field}`;
}

/** Go's strings.SplitN: at most n parts, the last one keeps the rest. */
function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}
