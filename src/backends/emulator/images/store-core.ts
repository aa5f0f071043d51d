/**
 * The state every image operation works on: the index, the injected clock and container
 * checks, event delivery, and the one way images get registered (config bytes written here,
 * so the ID always is the sha256 of what a save will carry).
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../../core/errors.js';
import type { EngineEvent, ImageAction } from '../../../core/schemas/events.js';
import type { ImageConfig } from '../../../core/schemas/image.js';
import { parseImageRef, type ImageRef } from '../../../core/image-ref.js';
import type { Layer } from '../../../fs-union/layer.js';
import type { RunStepResult, RunStepSpec } from '../../../builder/host.js';
import {
  type BuildConfigExtras,
  decodeImageConfig,
  encodeImageConfig,
  imageIdOf,
  type ImageHistorySpec,
} from './image-config.js';
import { ImageIndex, type ImageRecord } from './image-index.js';
import type { EmulatorRegistry } from './registry-access.js';

/** A container that uses an image, as the container part reports it. */
export interface ImageUserInfo {
  /** The container's ID. */
  id: string;
  /** Whether it is running (a running user cannot be forced away). */
  running: boolean;
}

/** What a configured image source returns for a reference. */
export type ImageSourceResult =
  /** An image archive (docker-archive or OCI layout tar); its first image gets the reference. */
  | Readable
  /** Layers (bottom first) and config to make an image of. */
  | {
    /** The image's layers, bottom first. */
    layers: Layer[];
    /** Config fields to set; the rest keep the empty config's defaults (no env, no cmd, root, `/`). */
    config?: Partial<ImageConfig>;
    /** The image's creation time; absent: the engine's clock at pull time. */
    created?: Date;
  };

/**
 * Supplies images `pull` does not find in the built-in catalogue (tests, offline mirrors).
 * Returns undefined for references it does not have.
 */
export type ImageSource = (
  ref: ImageRef,
  options: { signal?: AbortSignal },
) => ImageSourceResult | undefined | Promise<ImageSourceResult | undefined>;

/** Options of {@link EmulatorImageStore}. */
export interface EmulatorImageStoreOptions {
  /** The engine's clock (creation times of new images, event times). */
  clock: () => Date;
  /** Whether any container uses the image (`rmi` refuses without `force`). */
  isInUse: (imageId: string) => boolean;
  /** A container using the image, to name it in conflict messages as Docker does (optional). */
  userOf?: (imageId: string) => ImageUserInfo | undefined;
  /** Where `pull` looks after the built-in catalogue. */
  sources?: ImageSource;
  /** Runs a build's RUN steps (builds are unsupported without it). */
  stepRunner?: BuildStepRunner;
  /** Registry access for pulls and pushes (names with a registry host, or all with a mirror). */
  registry?: EmulatorRegistry;
}

/** Runs one RUN step of a build in a temporary container over the given layers. */
export type BuildStepRunner = (spec: RunStepSpec<Layer>, signal?: AbortSignal) => Promise<RunStepResult<Layer>>;

/** What {@link StoreCore.register} makes an image from. */
export interface RegisterImageSpec {
  /** Layers, bottom first. */
  layers: readonly Layer[];
  /** Runnable config. */
  config: ImageConfig;
  /** Creation time. */
  created: Date;
  /** Steps, oldest first. */
  history: readonly ImageHistorySpec[];
  /** Top-level author. */
  author?: string;
  /** Top-level comment. */
  comment?: string;
  /** The local parent image. */
  parentId?: string;
  /** Manifest digests it was pulled by. */
  repoDigests?: string[];
  /** Build-only config fields (ONBUILD, HEALTHCHECK, SHELL). */
  extras?: BuildConfigExtras;
}

/** Shared state of one image store. */
export class StoreCore {
  /** Images and tags. */
  readonly index = new ImageIndex();
  /** The store's options. */
  readonly options: EmulatorImageStoreOptions;
  /** Receives image events (set by the backend). */
  onEvent: ((e: EngineEvent) => void) | undefined;

  /** Creates the empty state of a store. */
  constructor(options: EmulatorImageStoreOptions) {
    this.options = options;
  }

  /** The engine's current time. */
  now(): Date {
    return this.options.clock();
  }

  /** Delivers an image event; a throwing listener never breaks the operation. */
  emit(action: ImageAction, id: string, name?: string): void {
    const listener = this.onEvent;
    if (!listener) return;
    const event: EngineEvent = {
      type: 'image', action, id, time: this.now(), attributes: name === undefined ? {} : { name },
    };
    if (name !== undefined) event.name = name;
    try {
      listener(event);
    } catch {
      // Listeners are observers; their failures are theirs.
    }
  }

  /** Writes the config bytes for a spec and registers the image (an identical one is reused). */
  register(spec: RegisterImageSpec): ImageRecord {
    const configBytes = encodeImageConfig({
      config: spec.config,
      created: spec.created,
      author: spec.author ?? '',
      comment: spec.comment ?? '',
      diffIds: spec.layers.map((l) => l.diffId),
      history: spec.history,
      ...(spec.extras ? { extras: spec.extras } : {}),
    });
    return this.registerBytes(configBytes, spec.layers, spec.parentId, spec.repoDigests ?? []);
  }

  /** Registers an image from exact config bytes (loads keep the archive's bytes and so its ID). */
  registerBytes(configBytes: Buffer, layers: readonly Layer[], parentId?: string, repoDigests: string[] = []): ImageRecord {
    const meta = decodeImageConfig(configBytes);
    const record: ImageRecord = {
      image: Object.freeze({
        id: imageIdOf(configBytes), configBytes, layers: Object.freeze([...layers]), config: meta.config, created: meta.created,
      }),
      meta,
      repoDigests: [...repoDigests],
      ...(parentId === undefined ? {} : { parentId }),
    };
    return this.index.add(record);
  }

  /**
   * Points `ref` at an image and reports it. Returns the familiar tag.
   *
   * @throws InvalidArgumentError for an invalid reference or one with a digest
   */
  tag(ref: string, imageId: string): string {
    const parsed = parseImageRef(ref, 'ref');
    if (parsed.digest !== undefined || parsed.tag === undefined) {
      throw new InvalidArgumentError('refusing to create a tag with a digest reference', { details: { path: 'ref' } });
    }
    this.index.setTag(parsed.familiar, imageId);
    this.emit('tag', imageId, parsed.familiar);
    return parsed.familiar;
  }
}
