/**
 * Where the native backend keeps things. Two roots, as Docker has: `root` holds what must
 * survive a reboot (images, layers, containers, volumes), `runRoot` what belongs to the running
 * system only (runc's state, the supervisor's socket, pid files), normally on a tmpfs.
 *
 * ```
 * root/
 *   blobs/sha256/<hex>           layer tars (by diffID) and image configs (by image ID), verified
 *   layers/<chainID hex>/        diff/ (overlay format), link (its short name), layer.json (last: complete)
 *   l/<short>                    -> ../layers/<chainID hex>/diff, short lowerdir names
 *   images/<id hex>.json         image records; repositories.json: the tag index
 *   containers/<id>/             container.json, state.json, init/, upper/, work/, merged/, logs
 *   names/<name>                 -> container ID (a name is taken by creating this link)
 *   volumes/<name>/              volume.json, _data/
 *   tmp/                         staging on the same filesystem (renames stay atomic)
 * runRoot/
 *   supervisor.sock, supervisor.log
 *   runc/                        runc --root
 *   containers/<id>/             pid files, console sockets
 * ```
 *
 * @module
 */
import { join } from 'node:path';

/** Default state root. */
export const DEFAULT_ROOT = '/var/lib/stowage';
/** Default runtime root. */
export const DEFAULT_RUN_ROOT = '/run/stowage';

/** The layout of one native engine's state. */
export class NativePaths {
  /** The persistent root. */
  readonly root: string;
  /** The runtime root. */
  readonly runRoot: string;

  constructor(root: string, runRoot: string) {
    this.root = root;
    this.runRoot = runRoot;
  }

  /** Content-addressed blobs (`blobs/sha256`). */
  get blobs(): string {
    return join(this.root, 'blobs', 'sha256');
  }
  /** Path of the blob with this `sha256:<hex>` digest. */
  blob(digest: string): string {
    return join(this.blobs, digest.replace(/^sha256:/, ''));
  }
  /** Extracted layers, by chainID hex. */
  get layers(): string {
    return join(this.root, 'layers');
  }
  /** One layer's directory. */
  layer(chainHex: string): string {
    return join(this.layers, chainHex);
  }
  /** Short links to layer diff dirs (relative to `root`: `l/<short>`). */
  get links(): string {
    return join(this.root, 'l');
  }
  /** Image records. */
  get images(): string {
    return join(this.root, 'images');
  }
  /** One image's record. */
  image(idHex: string): string {
    return join(this.images, `${idHex}.json`);
  }
  /** The tag index. */
  get repositories(): string {
    return join(this.root, 'repositories.json');
  }
  /** Container directories. */
  get containers(): string {
    return join(this.root, 'containers');
  }
  /** One container's directory. */
  container(id: string): string {
    return join(this.containers, id);
  }
  /** Container name links. */
  get names(): string {
    return join(this.root, 'names');
  }
  /** Volumes. */
  get volumes(): string {
    return join(this.root, 'volumes');
  }
  /** Staging on the root's filesystem. */
  get tmp(): string {
    return join(this.root, 'tmp');
  }
  /** runc's state directory (`runc --root`). */
  get runc(): string {
    return join(this.runRoot, 'runc');
  }
  /** The supervisor's control socket. */
  get supervisorSocket(): string {
    return join(this.runRoot, 'supervisor.sock');
  }
  /** The supervisor's own log (its stderr). */
  get supervisorLog(): string {
    return join(this.runRoot, 'supervisor.log');
  }
  /** One container's runtime directory. */
  runContainer(id: string): string {
    return join(this.runRoot, 'containers', id);
  }
}
