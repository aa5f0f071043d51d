import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as errors from '../../src/core/errors.js';
import {
  AbortError, ConflictError, EngineError, InvalidArgumentError, NotFoundError, StowageError, throwIfAborted,
  type ErrorReason,
} from '../../src/core/errors.js';
import { LayerFormatError } from '../../src/fs-union/errors.js';

/** Every error class errors.ts exports, by export name. */
const classes = Object.entries(errors).filter(
  (entry): entry is [string, typeof StowageError] => typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
);

/**
 * A second, independent copy of errors.ts (another file, so another module instance with its
 * own classes), as two installed copies of the package would have.
 */
const copyDir = await mkdtemp(join(tmpdir(), 'stowage-errors-copy-'));
await copyFile(new URL('../../src/core/errors.ts', import.meta.url), join(copyDir, 'errors.ts'));
const other = (await import(pathToFileURL(join(copyDir, 'errors.ts')).href)) as typeof errors;
afterAll(() => rm(copyDir, { recursive: true, force: true }));

describe('errors', () => {
  it('brands errors so instanceof matches by class', () => {
    const e = new NotFoundError('No such container: x', { details: { id: 'x' } });
    expect(e).toBeInstanceOf(StowageError);
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e).not.toBeInstanceOf(ConflictError);
    expect(e.code).toBe('NOT_FOUND');
    expect(e.name).toBe('NotFoundError');
    expect(e.details).toEqual({ id: 'x' });
    expect(String(e)).toBe('NotFoundError: No such container: x');
    expect(e.stack?.startsWith('NotFoundError: No such container: x\n')).toBe(true);
  });

  it('every class has a literal name of its own, equal to its export name', () => {
    expect(classes.length).toBeGreaterThanOrEqual(14);
    for (const [exported, Class] of classes) {
      // The name is a literal on the class's own prototype, not read from constructor.name
      // (which a minifier renames).
      expect(Object.getOwnPropertyDescriptor(Class.prototype, 'name')?.get, exported).toBeTypeOf('function');
      expect(Class.prototype.name, exported).toBe(exported);
    }
  });

  it('a minifier renaming the classes changes nothing', () => {
    const Renamed = class extends NotFoundError {};
    Object.defineProperty(NotFoundError, 'name', { value: 'a', configurable: true });
    try {
      expect(new NotFoundError('x').name).toBe('NotFoundError');
      expect(new Renamed('x')).toBeInstanceOf(NotFoundError);
    } finally {
      Object.defineProperty(NotFoundError, 'name', { value: 'NotFoundError', configurable: true });
    }
  });

  it('recognises errors from another installed copy, class by class', () => {
    expect(other.NotFoundError).not.toBe(NotFoundError);
    for (const [exported, Class] of classes) {
      const OtherClass = (other as unknown as Record<string, new (m: string) => Error>)[exported]!;
      const foreign = exported === 'StowageError'
        ? new other.StowageError('CONFLICT', 'x')
        : new OtherClass('x');
      expect(foreign, exported).toBeInstanceOf(Class);
      expect(foreign, exported).toBeInstanceOf(StowageError);
      // ...and only that class (and its parents): no other class claims it.
      for (const [name, Other] of classes) {
        if (name === exported || name === 'StowageError') continue;
        expect(foreign instanceof Other, `${exported} instanceof ${name}`).toBe(false);
      }
    }
  });

  it('recognises a subclass from another copy as the subclass and as its parents', async () => {
    // LayerFormatError extends InvalidArgumentError. Seen from the other copy, ours is the
    // foreign one: it must still be an InvalidArgumentError there.
    const foreign = new other.InvalidArgumentError('x');
    expect(foreign).not.toBeInstanceOf(LayerFormatError);
    const layer = new LayerFormatError('path-escape', '../x', 'climbs out');
    expect(layer).toBeInstanceOf(InvalidArgumentError);
    expect(layer).toBeInstanceOf(other.InvalidArgumentError);
    expect(layer).toBeInstanceOf(other.StowageError);
    expect(layer).not.toBeInstanceOf(other.NotFoundError);
    expect(layer.name).toBe('LayerFormatError');
    // A brand stands in for the prototype: an object carrying LayerFormatError's brand (as
    // another copy's instance would) is a LayerFormatError here.
    const branded = Object.defineProperty(new Error('x'), Symbol.for('stowage.error.LayerFormatError'), { value: true });
    expect(branded).toBeInstanceOf(LayerFormatError);
    expect(branded).not.toBeInstanceOf(InvalidArgumentError);
  });

  it('does not confuse plain values with errors', () => {
    for (const value of [null, undefined, 0, 'NotFoundError', {}, new Error('x'), Object.create(null)]) {
      expect(value instanceof StowageError).toBe(false);
      expect(value instanceof NotFoundError).toBe(false);
    }
  });

  it('turns an aborted signal into AbortError with the reason as cause', () => {
    const ac = new AbortController();
    ac.abort(new Error('bye'));
    try {
      throwIfAborted(ac.signal);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AbortError);
      expect((e as AbortError).cause).toBe(ac.signal.reason);
    }
  });

  it('types details.reason as a union: code switches on it without casts', () => {
    const e: StowageError = new EngineError('boom', { details: { status: 500, reason: 'malformed-response' } });
    const reason: ErrorReason | undefined = e.details.reason;
    expect(reason).toBe('malformed-response');
    // @ts-expect-error not a reason Stowage knows
    void new ConflictError('x', { details: { reason: 'no-such-reason' } });
  });
});

describe('error subclasses', () => {
  it('a further subclass matches only its own instances, but still its parents', () => {
    class SpecialError extends InvalidArgumentError {}
    const plain = new InvalidArgumentError('plain');
    const special = new SpecialError('special');
    expect(plain).not.toBeInstanceOf(SpecialError);
    expect(special).toBeInstanceOf(SpecialError);
    expect(special).toBeInstanceOf(InvalidArgumentError);
    expect(special).toBeInstanceOf(StowageError);
  });

  it('a subclass with its own literal name gets its own brand', () => {
    class QuotaError extends ConflictError {
      override get name(): string {
        return 'QuotaError';
      }
    }
    const q = new QuotaError('over quota');
    expect(q.name).toBe('QuotaError');
    expect(Object.getOwnPropertySymbols(q).map(String)).toEqual(expect.arrayContaining([
      'Symbol(stowage.error.QuotaError)', 'Symbol(stowage.error.ConflictError)', 'Symbol(stowage.error.StowageError)',
    ]));
    expect(new ConflictError('x')).not.toBeInstanceOf(QuotaError);
  });
});
