/**
 * Strict inputs at the edge (issue 12): unknown keys are refused by path with a hint, every
 * option bag is checked, and signals, names, paths and references fail in the engine's words.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Engine } from '../../src/core/engine.js';
import { EngineError, InvalidArgumentError, StowageError } from '../../src/core/errors.js';
import { archivePath, imageRefInput, renameTarget } from '../../src/core/edge-checks.js';
import {
  ContainerSpecSchema, KillOptionsSchema, LogsOptionsSchema, NetworkSpecSchema, parseInput, parseOutput,
  ContainerInfoSchema, StopOptionsSchema,
} from '../../src/core/schemas/index.js';
import { nearestKey, strictObject } from '../../src/core/schemas/strict.js';
import { parseSignal, signalNumberOf } from '../../src/core/signals.js';

/** The InvalidArgumentError `fn` throws. */
function invalid(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return e as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError, but nothing was thrown');
}

describe('unknown keys', () => {
  it('a mount meant read-only is refused, naming the key and the one meant', () => {
    const e = invalid(() => parseInput(ContainerSpecSchema, { image: 'busybox', volumes: [{ target: '/d', source: 'v', readonly: true }] }, 'spec'));
    expect(e.message).toBe('invalid spec.volumes.0.readonly: unknown key (did you mean readOnly?)');
    expect(e.details).toMatchObject({ path: 'spec.volumes.0.readonly', reason: 'unknown-key', key: 'readonly', hint: 'readOnly' });
  });

  it('is reported before the errors it causes (a typo also leaves the real key missing)', () => {
    const e = invalid(() => parseInput(ContainerSpecSchema, { image: 'busybox', volumes: [{ targt: '/d' }] }, 'spec'));
    expect(e.details).toMatchObject({ path: 'spec.volumes.0.targt', hint: 'target' });
    const top = invalid(() => parseInput(ContainerSpecSchema, { imgae: 'busybox' }, 'spec'));
    expect(top.message).toBe('invalid spec.imgae: unknown key (did you mean image?)');
  });

  it('at every depth of every input object', () => {
    expect(invalid(() => parseInput(ContainerSpecSchema, { image: 'b', ports: [{ containerPort: 80, hostport: 8080 }] }, 'spec')).details)
      .toMatchObject({ path: 'spec.ports.0.hostport', hint: 'hostPort' });
    expect(invalid(() => parseInput(LogsOptionsSchema, { folow: true }, 'options')).details).toMatchObject({ path: 'options.folow', hint: 'follow' });
    expect(invalid(() => parseInput(NetworkSpecSchema, { name: 'n', Internal: true }, 'spec')).details).toMatchObject({ hint: 'internal' });
    expect(invalid(() => parseInput(StopOptionsSchema, { tiemout: 3 }, 'options')).details).toMatchObject({ hint: 'timeout' });
  });

  it('with no near miss, lists the known keys instead', () => {
    const e = invalid(() => parseInput(KillOptionsSchema, { posix: 'HUP' }, 'options'));
    expect(e.message).toBe('invalid options.posix: unknown key (known keys: signal)');
    expect(e.details.hint).toBeUndefined();
  });

  it('records (env, labels) still take any key', () => {
    expect(parseInput(ContainerSpecSchema, { image: 'b', labels: { anything: 'x' }, env: { readonly: '1' } }, 'spec').labels).toEqual({ anything: 'x' });
  });

  it('nearestKey: case, one or two edits, swaps; not a different word', () => {
    const keys = ['readOnly', 'target', 'source', 'type', 'timeout', 'tag'];
    expect(nearestKey('READONLY', keys)).toBe('readOnly');
    expect(nearestKey('tiemout', keys)).toBe('timeout');
    expect(nearestKey('targets', keys)).toBe('target');
    expect(nearestKey('tga', keys)).toBe('tag');
    expect(nearestKey('typo', keys)).toBe('type');
    expect(nearestKey('mode', keys)).toBeUndefined();
    expect(nearestKey('x'.repeat(10_000), keys)).toBeUndefined();
  });

  it('strictObject keeps the type of a strict zod object', () => {
    const schema = strictObject({ a: z.string() });
    const value: { a: string } = schema.parse({ a: 'x' });
    expect(value).toEqual({ a: 'x' });
  });
});

describe('messages for wrong types', () => {
  it('a union that no option fits says which types would do', () => {
    expect(invalid(() => parseInput(ContainerSpecSchema, { image: 'b', env: 5 }, 'spec')).message)
      .toBe('invalid spec.env: expected record or array, received number');
    expect(invalid(() => parseInput(KillOptionsSchema, { signal: new AbortController().signal }, 'options')).message)
      .toBe('invalid options.signal: expected string or number, received AbortSignal');
  });

  it('an exotic value that cannot even be read is still an InvalidArgumentError', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(invalid(() => parseInput(StopOptionsSchema, proxy, 'options')).message).toBe('invalid options: the value could not be read');
  });

  it('backend output off the schema is an EngineError, never a ZodError', () => {
    let error: unknown;
    try {
      parseOutput(ContainerInfoSchema, { id: 'x' }, 'ContainerInfo');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).details).toMatchObject({ reason: 'malformed-response', path: 'ContainerInfo.id' });
  });
});

describe('signals, as the engine takes them', () => {
  it.each([
    ['SIGKILL', 'SIGKILL'], ['KILL', 'SIGKILL'], ['sigkill', 'SIGKILL'], ['kill', 'SIGKILL'], ['9', '9'], [9, '9'],
    ['+9', '9'], ['09', '9'], ['SIGRTMIN+3', 'SIGRTMIN+3'], ['rtmax-2', 'SIGRTMAX-2'], ['64', '64'], ['', ''], ['cld', 'SIGCLD'],
  ])('%s -> %s', (given, expected) => {
    expect(parseSignal(given, 'options.signal')).toBe(expected);
  });

  it.each([
    ['SIGBOGUS', 'Invalid signal: SIGBOGUS'],
    ['bogus', 'Invalid signal: bogus'],
    ['0', 'Invalid signal: 0'],
    ['SIGKILL ', 'Invalid signal: SIGKILL '],
    ['9x', 'Invalid signal: 9x'],
    ['1e1', 'Invalid signal: 1e1'],
    ['RTMIN+16', 'Invalid signal: RTMIN+16'],
    [1.5, 'Invalid signal: 1.5'],
    [Number.NaN, 'Invalid signal: NaN'],
    ['65', 'The linux daemon does not support signal 65'],
    ['-1', 'The linux daemon does not support signal 18446744073709551615'],
    ['99999999999999999999', 'Invalid signal: 99999999999999999999'],
  ])('%s is refused: %s', (given, text) => {
    const e = invalid(() => parseSignal(given, 'options.signal'));
    expect(e.message).toBe(text);
    expect(e.details.path).toBe('options.signal');
  });

  it('numbers of the names', () => {
    expect(signalNumberOf('SIGRTMIN')).toBe(34);
    expect(signalNumberOf('RTMAX')).toBe(64);
    expect(signalNumberOf('rtmin+15')).toBe(49);
    expect(signalNumberOf('RTMAX-14')).toBe(50);
    expect(signalNumberOf('USR1')).toBe(10);
    expect(signalNumberOf('65')).toBeUndefined();
  });

  it('a bad stop signal in a spec is refused at create', () => {
    expect(invalid(() => parseInput(ContainerSpecSchema, { image: 'b', stopSignal: 'SIGBOGUS' }, 'spec')).message)
      .toBe('invalid spec.stopSignal: Invalid signal: SIGBOGUS');
    expect(parseInput(ContainerSpecSchema, { image: 'b', stopSignal: 'quit', stopTimeout: -1 }, 'spec')).toMatchObject({ stopSignal: 'quit', stopTimeout: -1 });
  });
});

describe('plain arguments', () => {
  it('rename: the engine\'s texts', () => {
    expect(invalid(() => renameTarget('')).message).toBe('Neither old nor new names may be empty');
    expect(invalid(() => renameTarget('a')).message).toBe('Error when allocating new name: Invalid container name (/a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed');
    expect(invalid(() => renameTarget('a b')).message).toContain('(/a b)');
    expect(invalid(() => renameTarget('//ab')).message).toContain('(//ab)');
    expect(invalid(() => renameTarget(42)).message).toBe('invalid name: expected string, received number');
    expect(renameTarget('/web9')).toBe('web9');
    expect(renameTarget('Ab_.-9')).toBe('Ab_.-9');
  });

  it('a container name of one character is refused at create, as the engine does', () => {
    expect(invalid(() => parseInput(ContainerSpecSchema, { image: 'b', name: 'a' }, 'spec')).message)
      .toBe('invalid spec.name: Invalid container name (a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed');
  });

  it('archive paths', () => {
    expect(invalid(() => archivePath('')).message).toBe('bad parameter: pathcannot be empty');
    expect(invalid(() => archivePath('a\0b')).details.path).toBe('path');
    expect(invalid(() => archivePath(undefined)).message).toBe('invalid path: expected string, received undefined');
    expect(archivePath('tmp')).toBe('tmp');
  });

  it('image references', () => {
    expect(invalid(() => imageRefInput('Bad:ref', 'ref')).message).toBe('invalid reference format: repository name (library/Bad) must be lowercase');
    expect(invalid(() => imageRefInput('a b', 'ref')).message).toBe('invalid reference format');
    expect(invalid(() => imageRefInput('', 'ref')).message).toBe('invalid reference format');
    expect(invalid(() => imageRefInput(`busybox@sha256:${'a'.repeat(64)}`, 'ref', { tagOnly: true })).message)
      .toBe('refusing to create a tag with a digest reference');
    expect(imageRefInput('myreg:5000/app:1', 'ref')).toBe('myreg:5000/app:1');
  });
});

describe('backend options', () => {
  async function openFails(options: unknown): Promise<InvalidArgumentError> {
    const error = await Engine.open(options as never).then(async (e) => {
      await e.close();
      return undefined;
    }, (e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }

  it('an unknown option of a named backend is refused with a hint, before anything connects', async () => {
    expect((await openFails({ backend: 'emulator', portRnage: [40000, 40010] })).details).toMatchObject({ path: 'options.portRnage', hint: 'portRange' });
    expect((await openFails({ backend: 'docker', hots: 'unix:///nonexistent.sock' })).details).toMatchObject({ path: 'options.hots', hint: 'host' });
    expect((await openFails({ backend: 'emulator', portRange: [2, 1] })).details.path).toBe('options.portRange');
    expect((await openFails({ backend: 'emulator', registry: { mirorr: 'x' } })).details).toMatchObject({ path: 'options.registry.mirorr', hint: 'mirror' });
  });

  it('auto refuses a key no backend knows, and hands each backend only its own', async () => {
    expect((await openFails({ backend: 'auto', hots: 'x' })).details).toMatchObject({ path: 'options.hots', hint: 'host' });
    // `programs` is the emulator's; whichever backend auto picks, the open succeeds.
    await using engine = await Engine.open({ backend: 'auto', programs: { hello: async () => 0 } });
    expect(['emulator', 'docker']).toContain(engine.backend);
  });

  it('options that are not an object, or a backend name that is not a string, are refused', async () => {
    expect((await openFails(null)).details.path).toBe('options');
    expect((await openFails({ backend: 42 })).details.path).toBe('options.backend');
    expect((await openFails({ backend: 'toString' })).details.path).toBe('options.backend');
  });
});

describe('the engine edge', () => {
  it('a value that is not a backend is refused at construction', () => {
    expect(invalid(() => new Engine(42 as never)).message).toMatch(/^invalid backend: not a Backend/);
    expect(invalid(() => new Engine({ name: 'x' } as never)).message).toContain('containers');
  });

  it('every method of every handle refuses junk with a Stowage error (emulator)', async () => {
    await using engine = await Engine.open({ backend: 'emulator' });
    const calls: (() => Promise<unknown>)[] = [
      () => engine.containers.create({ image: 'busybox', name: 'x y' }),
      () => engine.containers.list({ al: true } as never),
      () => engine.containers.get(Symbol('x') as never),
      () => engine.images.pull('UPPER'),
      () => engine.images.get(''),
      () => engine.volumes.create({ nmae: 'v' } as never),
      () => engine.networks.create({ name: 'n', subnett: '10.0.0.0/24' } as never),
      () => engine.volumes.list(null as never),
    ];
    for (const call of calls) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(StowageError);
    }
    expect(() => engine.events.on('container.start', 42 as never)).toThrow(InvalidArgumentError);
  });
});
