import { describe, expect, it } from 'vitest';
import {
  AbortError, ConflictError, NotFoundError, StowageError, throwIfAborted,
} from '../../src/core/errors.js';

describe('errors', () => {
  it('brands errors so instanceof matches by code', () => {
    const e = new NotFoundError('No such container: x', { details: { id: 'x' } });
    expect(e).toBeInstanceOf(StowageError);
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e).not.toBeInstanceOf(ConflictError);
    expect(e.code).toBe('NOT_FOUND');
    expect(e.name).toBe('NotFoundError');
    expect(e.details).toEqual({ id: 'x' });
  });

  it('recognises an error from another copy of the package by its brand', () => {
    const foreign = Object.create(Error.prototype) as Record<symbol, unknown>;
    Object.defineProperty(foreign, Symbol.for('stowage.error'), { value: 'CONFLICT' });
    expect(foreign).toBeInstanceOf(StowageError);
    expect(foreign).toBeInstanceOf(ConflictError);
    expect(foreign).not.toBeInstanceOf(NotFoundError);
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
});

describe('error subclasses', () => {
  it('a further subclass matches only its own instances, but still its parents', async () => {
    const { InvalidArgumentError } = await import('../../src/core/errors.js');
    class SpecialError extends InvalidArgumentError {}
    const plain = new InvalidArgumentError('plain');
    const special = new SpecialError('special');
    expect(plain).not.toBeInstanceOf(SpecialError);
    expect(special).toBeInstanceOf(SpecialError);
    expect(special).toBeInstanceOf(InvalidArgumentError);
    expect(special).toBeInstanceOf(StowageError);
  });
});
