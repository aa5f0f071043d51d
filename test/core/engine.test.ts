import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendUnavailableError, Engine, InvalidArgumentError, NotFoundError, UnsupportedError } from '../../src/index.js';
import { missingNativePrerequisites } from '../../src/backends/native/index.js';

describe('Engine.open', () => {
  const saved = process.env.STOWAGE_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.STOWAGE_BACKEND;
    else process.env.STOWAGE_BACKEND = saved;
  });

  it('opens the emulator by default', async () => {
    delete process.env.STOWAGE_BACKEND;
    await using engine = await Engine.open();
    expect(engine.backend).toBe('emulator');
    expect(engine.capabilities.pause).toBe(true);
  });

  it('honours STOWAGE_BACKEND', async () => {
    process.env.STOWAGE_BACKEND = 'emulator';
    await using engine = await Engine.open();
    expect(engine.backend).toBe('emulator');
  });

  it('rejects an unknown backend name with InvalidArgumentError naming the field', async () => {
    const err = await Engine.open({ backend: 'nope' as 'emulator' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).details.path).toBe('options.backend');
  });

  it('native opens where the host has what it needs, else names what is missing', async () => {
    const missing = await missingNativePrerequisites();
    const dir = await mkdtemp(join(tmpdir(), 'stowage-engine-native-'));
    try {
      const opening = Engine.open({ backend: 'native', root: join(dir, 'root'), runRoot: join(dir, 'run') });
      if (missing.length > 0) {
        const err = await opening.catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BackendUnavailableError);
        expect((err as Error).message).toContain(missing[0]!.message);
      } else {
        const engine = await opening;
        expect(engine.backend).toBe('native');
        await engine.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('auto falls back to an engine that works', async () => {
    await using engine = await Engine.open({ backend: 'auto' });
    expect(['docker', 'native', 'emulator']).toContain(engine.backend);
  });

  it('close is safe to call twice', async () => {
    const engine = await Engine.open({ backend: 'emulator' });
    await engine.close();
    await engine.close();
  });
});

describe('resource handles', () => {
  it('dispose removes what the engine created, and get() handles are a no-op', async () => {
    await using engine = await Engine.open({ backend: 'emulator' });
    await engine.images.pull('busybox');
    {
      await using created = await engine.containers.create({ image: 'busybox', name: 'owned', cmd: ['true'] });
      const fetched = await engine.containers.get('owned');
      await fetched[Symbol.asyncDispose]();
      expect((await engine.containers.get('owned')).id).toBe(created.id);
    }
    await expect(engine.containers.get('owned')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('disposing twice is safe', async () => {
    await using engine = await Engine.open({ backend: 'emulator' });
    const v = await engine.volumes.create({ name: 'twice' });
    await v[Symbol.asyncDispose]();
    await v[Symbol.asyncDispose]();
    await expect(engine.volumes.get('twice')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('synchronous streams report a missing container as a stream error', async () => {
    await using engine = await Engine.open({ backend: 'emulator' });
    await engine.images.pull('busybox');
    const c = await engine.containers.create({ image: 'busybox', cmd: ['true'] });
    await c.remove();
    const stream = c.export();
    const err = await new Promise((resolve) => stream.once('error', resolve));
    expect(err).toBeInstanceOf(NotFoundError);
  });

  it('validates specs at the edge with Docker-style messages naming the field', async () => {
    await using engine = await Engine.open({ backend: 'emulator' });
    await engine.images.pull('busybox');
    const bad = await engine.containers.create({ image: 'busybox', ports: ['abc:80:tcp:x'] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidArgumentError);
    const badName = await engine.containers.create({ image: 'busybox', name: 'no spaces' }).catch((e: unknown) => e);
    expect(badName).toBeInstanceOf(InvalidArgumentError);
    expect((badName as InvalidArgumentError).details.path).toBe('spec.name');
  });
});

describe('engine.events', () => {
  it('subscribes lazily and delivers typed events', async () => {
    await using engine = await Engine.open({ backend: 'emulator' });
    await engine.images.pull('busybox');
    const seen: string[] = [];
    engine.events.on('container.create', (e) => seen.push(`${e.type}.${e.action}:${e.name}`));
    await engine.containers.create({ image: 'busybox', name: 'evented', cmd: ['true'] });
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(['container.create:evented']);
  });
});

describe('Engine.open options are typed per backend', () => {
  it('rejects another backend\'s or a wrong option at compile time', async () => {
    // These lines are checked by `tsc --noEmit` (CI's type-check), not at run time.
    const typed = async () => {
      // @ts-expect-error: `programs` must be a table of programs
      await Engine.open({ backend: 'emulator', programs: 42 });
      // @ts-expect-error: `host` must be a string
      await Engine.open({ backend: 'docker', host: 42 });
      // @ts-expect-error: no such backend
      await Engine.open({ backend: 'podman' });
      await Engine.open({ backend: 'emulator', programs: { hello: async () => 0 } });
      await Engine.open({ backend: 'native', root: '/var/lib/stowage' });
    };
    expect(typeof typed).toBe('function');
  });
});
