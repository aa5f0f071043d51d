/**
 * The typed event map of `engine.events`.
 *
 * @module
 */

/** The resource kinds events are about. */
export type EventType = 'container' | 'image' | 'volume' | 'network';

/** The payload of every engine event. */
export interface EngineEvent {
  /** The kind of resource. */
  type: EventType;
  /** What happened (`start`, `die`, `pull`, ...). */
  action: string;
  /** The resource's ID (for images, the image ID or the reference the engine reports). */
  id: string;
  /** The resource's name, when it has one. */
  name?: string;
  /** When it happened. */
  time: Date;
  /** Extra facts (`exitCode`, `image`, `signal`, labels, ...). */
  attributes: Record<string, string>;
}

/** Container actions reported as events. */
export type ContainerAction =
  | 'create' | 'start' | 'restart' | 'die' | 'stop' | 'kill' | 'pause' | 'unpause'
  | 'destroy' | 'commit' | 'rename' | 'exec';
/** Image actions reported as events. */
export type ImageAction = 'pull' | 'push' | 'import' | 'build' | 'tag' | 'untag' | 'delete' | 'load';
/** Volume actions reported as events. */
export type VolumeAction = 'create' | 'destroy';
/** Network actions reported as events. */
export type NetworkAction = 'create' | 'connect' | 'disconnect' | 'destroy';

/** Every event name, `<type>.<action>`. */
export type EngineEventName =
  | `container.${ContainerAction}`
  | `image.${ImageAction}`
  | `volume.${VolumeAction}`
  | `network.${NetworkAction}`;

/** The listener signatures of `engine.events` (eventemitter3's typed map). */
export type EngineEventMap = { [K in EngineEventName]: (event: EngineEvent) => void };
