/**
 * What the containers part needs from the other parts of the emulator, as structural types.
 *
 * The image store (images/) and the virtual network (network/) are separate parts with their
 * own classes; containers depend only on these shapes, which those classes satisfy, so the
 * containers part can be read, and tested, on its own.
 *
 * @module
 */
import type { ContainerInfo, PortBinding, PortRow, Change } from '../../../core/schemas/index.js';
import type { ImageConfig } from '../../../core/schemas/image.js';
import type { FileSystemApi } from '../../../fs-union/fs-api.js';
import type { Layer } from '../../../fs-union/layer.js';
import type { ProgramNet } from '../program.js';

/** An image as containers use it. */
export interface ImageRecordLike {
  /** `sha256:<hex>`. */
  readonly id: string;
  /** Its layers, bottom first (shared, never copied per container). */
  readonly layers: readonly Layer[];
  /** Its runnable config. */
  readonly config: ImageConfig;
}

/** The image store as containers use it. */
export interface ImageStoreLike {
  /** Finds an image by reference, ID or ID prefix (NotFoundError `No such image: <ref>`). */
  resolve(ref: string): ImageRecordLike;
  /** Like {@link resolve}, undefined when missing. */
  find(ref: string): ImageRecordLike | undefined;
  /** Stores a new image with one more layer (commit). */
  addImage(input: {
    parent?: ImageRecordLike; layer: Layer; config: ImageConfig; author?: string; comment?: string;
    createdBy?: string; emptyLayer?: boolean; tags?: string[];
  }): ImageRecordLike;
}

/** A container as the network knows it. */
export interface NetworkContainerInfo {
  /** Container ID. */
  id: string;
  /** Container name. */
  name: string;
  /** Hostname. */
  hostname: string;
  /** Exposed ports, for the link variables of containers linking to this one. */
  exposedPorts?: string[];
  /** Environment, for `<ALIAS>_ENV_*` link variables. */
  env?: string[];
}

/** The virtual network as containers use it. */
export interface NetworkLike {
  /** How the network finds containers by name or ID (for connect/disconnect). */
  setContainerResolver(fn: (ref: string) => { id: string; name: string } | undefined): void;
  /** Records a created container's network settings (NotFoundError for a missing network). */
  configure?(container: NetworkContainerInfo, opts: { network?: string; aliases: string[]; links: { name: string; alias: string }[] }): void;
  /** Follows a rename. */
  rename?(containerId: string, name: string): void;
  /** Forgets a removed container. */
  forget?(containerId: string): Promise<void>;
  /** Joins the container to its network (on start). */
  attach(container: NetworkContainerInfo, opts: { network?: string; aliases: string[]; links: { name: string; alias: string }[] }): Promise<void>;
  /** Leaves every network (on exit). */
  detach(containerId: string): Promise<void>;
  /** The network as the container's programs see it. */
  programNet(containerId: string): ProgramNet;
  /** Opens the host listeners of the container's published ports (all or nothing). */
  publish(containerId: string, bindings: PortBinding[], opts: { publishAll: boolean; exposedPorts: string[] }): Promise<PortRow[]>;
  /** Closes them. */
  unpublish(containerId: string): Promise<void>;
  /** The container's `/etc/hosts`. */
  hostsFile(containerId: string): string;
  /** Docker's legacy link variables for the container's links. */
  linkEnv(containerId: string): string[];
  /** The networks the container is on, for inspect. */
  networksOf(containerId: string): ContainerInfo['networks'];
}

/** A container's own layer stack: the union view over its image plus a read-write layer. */
export interface RootfsLike extends FileSystemApi {
  /** What changed against the image, as `docker diff`. */
  changes(): Change[] | Promise<Change[]>;
  /** The read-write layer as a new layer (with whiteouts for deletions). */
  commit(): Promise<Layer>;
}

/** Makes the root filesystem of a new container from its image's layers. */
export type RootfsFactory = (layers: readonly Layer[]) => RootfsLike;
