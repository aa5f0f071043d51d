/**
 * A backend of your own, from what `stowage/backend` publishes: here a recorder that wraps
 * another backend and logs every container call it passes on, so a test can see what the SDK
 * asked of the engine. Run with `npx tsx examples/custom-backend.ts`.
 */
import { Engine } from 'stowage';
import type { Backend, ContainerBackend } from 'stowage/backend';
import { createEmulatorBackend } from 'stowage/emulator';

/** Wraps `inner`, recording the name and first argument of every container call. */
function createRecordingBackend(inner: Backend, calls: string[]): Backend {
  const containers = new Proxy(inner.containers, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(`${String(key)}(${JSON.stringify(args[0])?.slice(0, 60)})`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) satisfies ContainerBackend;
  // Everything else is the inner backend's; only the name says it is wrapped.
  return { ...inner, name: `recording-${inner.name}`, containers, subscribeEvents: inner.subscribeEvents.bind(inner), close: () => inner.close() };
}

const calls: string[] = [];
await using engine = new Engine(createRecordingBackend(createEmulatorBackend(), calls));
await engine.images.pull('busybox');
await using c = await engine.containers.run({ image: 'busybox', cmd: ['echo', 'recorded'] });
console.log(await c.wait());
// Inputs arrive checked and parsed: the create call carries a ContainerCreateRequest.
console.log(engine.backend, calls);
