/**
 * Engine-wide events from `GET /events`, streamed on a long-lived connection.
 *
 * @module
 */
import type { EventSubscription } from '../../core/backend.js';
import { BackendUnavailableError } from '../../core/errors.js';
import type { EngineEvent, EventType } from '../../core/schemas/index.js';
import type { DockerBackendContext } from './context.js';
import type { EngineEventMessage } from './engine-types.js';
import { JsonObjectSplitter } from './transport/index.js';

const types: ReadonlySet<string> = new Set<EventType>(['container', 'image', 'volume', 'network']);

/**
 * Normalises an action: `exec_start: sh -c ...` is the SDK's `exec`; other `name: detail`
 * actions (`exec_create: ...`, `health_status: healthy`) lose their detail.
 */
export function normaliseAction(action: string): string {
  const word = action.split(':', 1)[0]!.trim();
  return word === 'exec_start' ? 'exec' : word;
}

/** One `/events` message -> an `EngineEvent`, or undefined for kinds the SDK does not model. */
export function mapEngineEvent(raw: EngineEventMessage): EngineEvent | undefined {
  if (!raw.Type || !types.has(raw.Type) || !raw.Action) return undefined;
  const attributes = { ...(raw.Actor?.Attributes ?? {}) };
  const time = raw.timeNano !== undefined ? new Date(Math.floor(raw.timeNano / 1e6)) : new Date((raw.time ?? 0) * 1000);
  const event: EngineEvent = { type: raw.Type as EventType, action: normaliseAction(raw.Action), id: raw.Actor?.ID ?? '', time, attributes };
  if (attributes['name'] !== undefined) event.name = attributes['name'];
  return event;
}

/**
 * Subscribes to `/events`. Resolves once the engine accepted the request, so events after
 * that point are delivered. A stream that ends or fails while open goes to `onError`.
 */
export async function subscribeDockerEvents(
  ctx: DockerBackendContext,
  listener: (event: EngineEvent) => void,
  onError: (error: unknown) => void,
): Promise<EventSubscription> {
  const body = await ctx.client.stream('GET', '/events', {
    query: { filters: { type: [...types] } },
    longLived: true,
  });
  const splitter = new JsonObjectSplitter();
  let closed = false;
  body.on('data', (chunk: Buffer) => {
    try {
      for (const value of splitter.push(chunk)) {
        const event = mapEngineEvent(value as EngineEventMessage);
        if (event) listener(event);
      }
    } catch (error) {
      closed = true;
      body.destroy();
      onError(error);
    }
  });
  body.once('error', (error) => {
    if (!closed) onError(error);
    closed = true;
  });
  body.once('end', () => {
    if (!closed) onError(new BackendUnavailableError('the Docker Engine closed the event stream'));
    closed = true;
  });
  return {
    async close() {
      closed = true;
      body.destroy();
    },
  };
}
